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
 *   const session = new SessionRedactor({ operator: 'hash', hashKey }, { tagger });
 *   for (const segment of segments) { const done = await session.push(segment.text); if (done) store(done); }
 *   const last = await session.flush(); if (last) store(last);
 *   session.end(); // forget the carried words when the session closes
 *
 * Detectors: the rule recognizers and, when `tagger` is given, the neural tagger over the same window of words
 * (rule spans first; the tagger's fill in around them, see detect()). The methods are async because the tagger
 * runs in onnxruntime.
 * Entities and offsets in every result refer to that segment's own text only.
 */
import type { RedactionResult } from './types.js';
import { tokenize, type Token } from './tokens.js';
import { validatePolicy, type RedactionPolicy, type RedactionPolicyConfig } from './policy.js';
import { detect, rewrite } from './redactor.js';
import { findKnownPii, type KnownPii } from './known.js';
import type { PiiTagger, Posteriors } from './tagger.js';
import { endsInWholeCardNumber, namesInPartial, unfinishedTail } from './unfinished.js';

export interface SessionOptions {
  /** Words of neighbouring segments used as context (default 16: a 19-digit card number plus its context phrase). */
  contextWords?: number;
  /** The neural tagger, run over the same window as the rules (default: none, rules only). */
  tagger?: PiiTagger | null;
  /** Run the rule recognizers (default true; false with a tagger measures the tagger alone). */
  rules?: boolean;
  /** Phrases that are always personal data wherever they appear (hotwords marked pii). */
  knownPii?: readonly KnownPii[];
}

/** Carried tokens keep only the normalised word: offsets into another segment mean nothing here. */
function wordsOnly(tokens: Token[]): Token[] {
  return tokens.map((t) => ({ word: t.word, start: -1, end: -1 }));
}

export class SessionRedactor {
  private readonly policy: RedactionPolicy;
  private readonly contextWords: number;
  private readonly tagger: PiiTagger | null;
  private readonly rules: boolean;
  private readonly knownPii: readonly KnownPii[];
  private carried: Token[] = [];
  private pending: { text: string; tokens: Token[] } | null = null;
  private mode: 'immediate' | 'delayed' | null = null;

  constructor(policy: RedactionPolicyConfig = {}, options: SessionOptions = {}) {
    const contextWords = options.contextWords ?? 16;
    if (!Number.isInteger(contextWords) || contextWords < 0) throw new RangeError(`contextWords must be a whole number >= 0, not ${contextWords}`);
    this.policy = validatePolicy(policy);
    this.contextWords = contextWords;
    this.knownPii = options.knownPii ?? [];
    this.tagger = options.tagger ?? null;
    this.rules = options.rules ?? true;
    if (!this.rules && !this.tagger) throw new RangeError('SessionRedactor: with rules off, a tagger is needed');
  }

  /**
   * Immediate mode: redacts the next segment using the words carried from the previous ones. `posteriors` (the
   * segment's CTC log-posteriors, RecognizedSegment.posteriors) go to the tagger only while no words are carried,
   * i.e. for the first segment of a session: they must cover exactly the words it tags.
   */
  async redact(text: string, options: { posteriors?: Posteriors } = {}): Promise<RedactionResult> {
    this.use('immediate');
    return this.redactSegment(text, tokenize(text), [], options.posteriors);
  }

  /**
   * A partial hypothesis of the segment being spoken: redacted as redact() would, with the carried words as
   * context, but the session is left as it was (the final segment comes later), and an entity cut off by the
   * end of the partial is redacted too (recall-first, see unfinished.ts).
   */
  async preview(text: string): Promise<RedactionResult> {
    const own = tokenize(text);
    const tokens = [...this.carried, ...own];
    const firstOwn = this.carried.length;
    const extra = this.tagger && own.length > 0 ? await this.tagger.tag(tokens.map((t) => t.word)) : [];
    const found = detect(tokens, this.policy, firstOwn, tokens.length, { rules: this.rules, extra });
    // The recall-first rules only add words no detector took.
    const taken = (i: number) => found.some((c) => c.start <= i && i < c.end);
    const afterEntity = found.find((c) => c.end === tokens.length - 1)?.type ?? null;
    const words = tokens.map((t) => t.word);
    const tail = unfinishedTail(words, this.policy, afterEntity);
    const names = namesInPartial(words, this.policy).filter((n) => !tail.some((c) => c.start < n.end && n.start < c.end));
    const recallFirst = [...tail, ...names]
      .map((c) => ({ ...c, start: Math.max(c.start, firstOwn) }))
      .map((c) => {
        let start = c.start;
        while (start < c.end && taken(start)) start++;
        return { ...c, start };
      })
      .filter((c) => c.start < c.end && !taken(c.end - 1));
    const all = [...found, ...recallFirst].sort((a, b) => a.start - b.start);
    return rewrite(
      text,
      own,
      all.map((c) => ({ ...c, start: c.start - firstOwn, end: c.end - firstOwn })),
      this.policy,
    );
  }

  /**
   * Whether `text`, after the carried words, ends in what may be the first half of an entity: a trailing run of
   * number words, a trailing name, a word after a name cue (unfinishedTail, as partials use it), but not a whole
   * card number (endsInWholeCardNumber). A live endpoint then waits for the longer pause, so one entity is not cut
   * into two finals.
   */
  endsUnfinished(text: string): boolean {
    const tokens = [...this.carried, ...tokenize(text)];
    return (
      unfinishedTail(
        tokens.map((t) => t.word),
        this.policy,
      ).length > 0 && !endsInWholeCardNumber(tokens)
    );
  }

  /** Delayed mode: holds `text` and returns the previously held segment, redacted with context on both sides (null at first). */
  async push(text: string): Promise<RedactionResult | null> {
    this.use('delayed');
    const next = { text, tokens: tokenize(text) };
    const held = this.pending;
    this.pending = next;
    return held ? this.redactSegment(held.text, held.tokens, next.tokens.slice(0, this.contextWords)) : null;
  }

  /** Delayed mode: returns the held segment, redacted without right context (null when nothing is held). */
  async flush(): Promise<RedactionResult | null> {
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

  private async redactSegment(text: string, own: Token[], after: Token[], posteriors?: Posteriors): Promise<RedactionResult> {
    const tokens = [...this.carried, ...own, ...wordsOnly(after)];
    const firstOwn = this.carried.length;
    // The carried words are taken now: a concurrent call on this session would see the same context.
    const history = [...this.carried, ...own];
    this.carried = wordsOnly(this.contextWords === 0 ? [] : history.slice(-this.contextWords));
    const audio = posteriors && tokens.length === own.length ? posteriors : undefined;
    const words = tokens.map((t) => t.word);
    const tagged = this.tagger && own.length > 0 ? await this.tagger.tag(words, audio) : [];
    const extra = this.knownPii.length > 0 ? [...findKnownPii(words, this.knownPii), ...tagged] : tagged;
    const found = detect(tokens, this.policy, firstOwn, firstOwn + own.length, { rules: this.rules, extra });
    return rewrite(
      text,
      own,
      found.map((c) => ({ ...c, start: c.start - firstOwn, end: c.end - firstOwn })),
      this.policy,
    );
  }
}
