/**
 * SessionRedactor: redaction for consecutive segments of one session (one recording or microphone stream).
 *
 * PII is often split by a pause: "my card number is four five three two" | "one four one two ...". A plain
 * Redactor sees each half alone and cannot validate either. SessionRedactor keeps the last `contextWords` words of
 * the previous segment(s) in RAM only (never written anywhere) and redacts each new segment with those words as
 * left context, so context phrases and number runs that began earlier are still recognized. Entities and offsets
 * in the result refer to the new segment's text only; the part of an entity that lay in the earlier segment was
 * that segment's to redact (a number cut off at a segment end next to card/account/phone/SSN context is redacted
 * there by the partial-number rule).
 *
 *   const session = new SessionRedactor({ operator: 'hash', hashKey });
 *   for (const segment of segments) store(session.redact(segment.text));
 *   session.end(); // forget the carried words when the session closes
 */
import type { RedactionResult } from './types.js';
import { tokenize, type Token } from './tokens.js';
import { validatePolicy, type RedactionPolicy, type RedactionPolicyConfig } from './policy.js';
import { detect, rewrite } from './redactor.js';

export interface SessionOptions {
  /** Words of earlier segments kept as context (default 16: a 19-digit card number plus its context phrase). */
  contextWords?: number;
}

export class SessionRedactor {
  private readonly policy: RedactionPolicy;
  private readonly contextWords: number;
  private carried: Token[] = [];

  constructor(policy: RedactionPolicyConfig = {}, options: SessionOptions = {}) {
    const contextWords = options.contextWords ?? 16;
    if (!Number.isInteger(contextWords) || contextWords < 0) throw new RangeError(`contextWords must be a whole number >= 0, not ${contextWords}`);
    this.policy = validatePolicy(policy);
    this.contextWords = contextWords;
  }

  /** Redacts the next segment of the session using the words carried from the previous ones. */
  redact(text: string): RedactionResult {
    const own = tokenize(text);
    const tokens = [...this.carried, ...own];
    const firstOwn = this.carried.length;
    const found = detect(tokens, this.policy, firstOwn);
    const result = rewrite(text, own, found.map((c) => ({ ...c, start: c.start - firstOwn, end: c.end - firstOwn })), this.policy);
    // Carried tokens keep only the normalised word; offsets into an earlier segment mean nothing here.
    this.carried = tokens.slice(Math.max(0, tokens.length - this.contextWords)).map((t) => ({ word: t.word, start: -1, end: -1 }));
    return result;
  }

  /** Forgets the carried words (end of session, or a long silence that breaks continuity). */
  end(): void {
    this.carried = [];
  }
}
