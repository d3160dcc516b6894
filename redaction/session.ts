/**
 * SessionRedactor: redaction for consecutive segments of one session (one recording or microphone stream).
 *
 * PII is often split by a pause: "my card number is four five three two" | "one four one two ...". A plain
 * Redactor sees each half alone and cannot validate either. SessionRedactor keeps the last `contextWords` words of
 * the previous segment(s) in RAM only (never written anywhere) and uses them as left context. Two ways to use it,
 * one per session:
 *
 * - Immediate: `redact(text)` returns the segment's result at once, redacted with the carried words as left
 *   context, so context phrases and number runs that began earlier are still recognized. The earlier half of a
 *   split entity was already returned with its own segment (a number cut off at a segment end next to card /
 *   account / phone / SSN context is redacted there by the partial-number rule; other cut-off halves may leak).
 * - Delayed by one segment: `push(text)` holds the segment and returns the previous one, now redacted with both
 *   the words before it and the first `contextWords` words after it, so both halves of a split entity are caught.
 *   `flush()` returns the held segment at the end of the session (or after a long silence).
 *
 *   const session = new SessionRedactor({ operator: 'hash', hashKey });
 *   for (const segment of segments) { const done = session.push(segment.text); if (done) store(done); }
 *   const last = session.flush(); if (last) store(last);
 *   session.end(); // forget the carried words when the session closes
 *
 * Entities and offsets in every result refer to that segment's own text only.
 */
import type { RedactionResult } from './types.js';
import { tokenize, type Token } from './tokens.js';
import { validatePolicy, type RedactionPolicy, type RedactionPolicyConfig } from './policy.js';
import { detect, rewrite } from './redactor.js';

export interface SessionOptions {
  /** Words of neighbouring segments used as context (default 16: a 19-digit card number plus its context phrase). */
  contextWords?: number;
}

/** Carried tokens keep only the normalised word: offsets into another segment mean nothing here. */
function wordsOnly(tokens: Token[]): Token[] {
  return tokens.map((t) => ({ word: t.word, start: -1, end: -1 }));
}

export class SessionRedactor {
  private readonly policy: RedactionPolicy;
  private readonly contextWords: number;
  private carried: Token[] = [];
  private pending: { text: string; tokens: Token[] } | null = null;
  private mode: 'immediate' | 'delayed' | null = null;

  constructor(policy: RedactionPolicyConfig = {}, options: SessionOptions = {}) {
    const contextWords = options.contextWords ?? 16;
    if (!Number.isInteger(contextWords) || contextWords < 0) throw new RangeError(`contextWords must be a whole number >= 0, not ${contextWords}`);
    this.policy = validatePolicy(policy);
    this.contextWords = contextWords;
  }

  /** Immediate mode: redacts the next segment using the words carried from the previous ones. */
  redact(text: string): RedactionResult {
    this.use('immediate');
    return this.redactSegment(text, tokenize(text), []);
  }

  /** Delayed mode: holds `text` and returns the previously held segment, redacted with context on both sides (null at first). */
  push(text: string): RedactionResult | null {
    this.use('delayed');
    const next = { text, tokens: tokenize(text) };
    const held = this.pending;
    this.pending = next;
    return held ? this.redactSegment(held.text, held.tokens, next.tokens.slice(0, this.contextWords)) : null;
  }

  /** Delayed mode: returns the held segment, redacted without right context (null when nothing is held). */
  flush(): RedactionResult | null {
    const held = this.pending;
    this.pending = null;
    return held ? this.redactSegment(held.text, held.tokens, []) : null;
  }

  /** Forgets the carried words and any held segment (end of session); the next call may choose either mode. */
  end(): void {
    this.carried = [];
    this.pending = null;
    this.mode = null;
  }

  private use(mode: 'immediate' | 'delayed'): void {
    if (this.mode !== null && this.mode !== mode) throw new Error('SessionRedactor: redact() and push() cannot be mixed in one session; call end() first');
    this.mode = mode;
  }

  private redactSegment(text: string, own: Token[], after: Token[]): RedactionResult {
    const tokens = [...this.carried, ...own, ...wordsOnly(after)];
    const firstOwn = this.carried.length;
    const found = detect(tokens, this.policy, firstOwn, firstOwn + own.length);
    const result = rewrite(text, own, found.map((c) => ({ ...c, start: c.start - firstOwn, end: c.end - firstOwn })), this.policy);
    const history = [...this.carried, ...own];
    this.carried = wordsOnly(this.contextWords === 0 ? [] : history.slice(-this.contextWords));
    return result;
  }
}
