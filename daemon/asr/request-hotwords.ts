/**
 * A request's own hotword list, as the control socket, MQTT and Wyoming receive it: [{phrase, boost?, pii?}] or
 * plain strings, checked and put in spoken form. Shared so every transport accepts and rejects the same lists.
 */
import { normalise } from '../text/spoken-form.js';
import type { Hotword } from './context-graph.js';

export const MAX_REQUEST_HOTWORDS = 2000;
/** A request's boost is capped: one phrase must not be able to drown the acoustics of a whole utterance. */
export const MAX_REQUEST_BOOST = 20;

export class HotwordRequestError extends Error {
  override name = 'HotwordRequestError';
}

/** undefined when no list was given; a HotwordRequestError naming the entry when one is malformed. */
export function parseRequestHotwords(value: unknown, name = 'hotwords'): Hotword[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new HotwordRequestError(`${name} must be a list of {"phrase", "boost"?, "pii"?}`);
  if (value.length > MAX_REQUEST_HOTWORDS) throw new HotwordRequestError(`${name}: at most ${MAX_REQUEST_HOTWORDS} phrases (got ${value.length})`);
  return value.map((item: unknown, i) => {
    const entry = typeof item === 'string' ? { phrase: item } : item;
    if (typeof entry !== 'object' || entry === null || typeof (entry as { phrase?: unknown }).phrase !== 'string')
      throw new HotwordRequestError(`${name}[${i}] must be a string or {"phrase": string}`);
    const { phrase, boost, pii } = entry as { phrase: string; boost?: unknown; pii?: unknown };
    const spoken = normalise(phrase.slice(0, 200));
    if (spoken === '') throw new HotwordRequestError(`${name}[${i}].phrase has no words the recognizer can spell`);
    if (boost !== undefined && (typeof boost !== 'number' || !(boost > 0 && boost <= MAX_REQUEST_BOOST)))
      throw new HotwordRequestError(`${name}[${i}].boost must be a number in (0, ${MAX_REQUEST_BOOST}]`);
    if (pii !== undefined && typeof pii !== 'boolean') throw new HotwordRequestError(`${name}[${i}].pii must be true or false`);
    return { phrase: spoken, ...(boost !== undefined ? { boost } : {}), ...(pii ? { pii: true } : {}) };
  });
}
