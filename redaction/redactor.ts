/** Runs every recognizer, keeps the best non-overlapping candidates the policy asks for, and rewrites the text. */
import type { EntityType, RedactedEntity, RedactionResult, Redactor } from './types.js';
import { analyse, notPersonalNear, type Candidate, type Recognizer } from './context.js';
import { tokenize, type Token } from './tokens.js';
import { validatePolicy, type RedactionPolicy, type RedactionPolicyConfig } from './policy.js';
import { recognizeBankAccounts, recognizeCreditCards, recognizeLongNumbers, recognizePartialAtEnd, recognizePhones, recognizeSsns, recognizeZipCodes } from './recognizers/numeric.js';
import { recognizeDriverLicenses, recognizeIbans, recognizePassports } from './recognizers/codes.js';
import { recognizeEmails, recognizeIpAddresses, recognizeUrls } from './recognizers/network.js';
import { recognizeAges, recognizeDatesOfBirth } from './recognizers/dates.js';
import { recognizeLocations, recognizeStreetAddresses } from './recognizers/places.js';
import { recognizePersons } from './recognizers/person.js';

const RECOGNIZERS: Recognizer[] = [
  recognizeEmails, recognizeUrls, recognizeIpAddresses, recognizeIbans, recognizeCreditCards, recognizeSsns, recognizePhones,
  recognizeBankAccounts, recognizeZipCodes, recognizePassports, recognizeDriverLicenses, recognizeDatesOfBirth, recognizeAges,
  recognizeStreetAddresses, recognizePersons, recognizeLocations, recognizePartialAtEnd,
];

/** Types whose values are said as digits: the ones an ordinary reference number can be mistaken for. */
const DIGIT_TYPES = new Set<EntityType>(['PHONE_NUMBER', 'CREDIT_CARD', 'US_SSN', 'BANK_ACCOUNT', 'ZIP_CODE', 'PASSPORT', 'US_DRIVER_LICENSE', 'IBAN_CODE', 'AGE', 'DATE_OF_BIRTH', 'STREET_ADDRESS']);

export interface DetectOptions {
  /** Run the rule and gazetteer recognizers (default true). */
  rules?: boolean;
  /** Candidates found by other detectors (the neural tagger) over the same tokens. */
  extra?: Candidate[];
}

/**
 * Entities over `tokens`, as non-overlapping candidates sorted by position. Only tokens [firstOwn, endOwn) belong to
 * the segment being redacted; the others are context from the segments around it: candidates must overlap the
 * segment's own tokens and are clipped to them.
 */
export function detect(tokens: Token[], policy: RedactionPolicy, firstOwn = 0, endOwn = tokens.length, options: DetectOptions = {}): Candidate[] {
  const wanted = (c: Candidate) => policy.types.has(c.type) && c.score >= policy.threshold(c.type) && c.end > firstOwn && c.start < endOwn;
  // Highest score first; on ties the longer span, then the recognizer listed first (stable sort).
  const byScore = (a: Candidate, b: Candidate) => b.score - a.score || b.end - b.start - (a.end - a.start);
  const recognizers = policy.longNumbers ? [...RECOGNIZERS, recognizeLongNumbers] : RECOGNIZERS;
  const analysis = analyse(tokens, endOwn);
  const ruleCandidates = options.rules === false ? [] : recognizers.flatMap((recognize) => recognize(analysis));
  const taken = new Uint8Array(tokens.length);
  const accepted: Candidate[] = [];
  const accept = (c: Candidate) => {
    taken.fill(1, c.start, c.end);
    accepted.push({ ...c, start: Math.max(c.start, firstOwn), end: Math.min(c.end, endOwn) });
  };
  for (const c of ruleCandidates.filter(wanted).sort(byScore)) {
    if (!taken.subarray(c.start, c.end).some((x) => x === 1)) accept(c);
  }
  // Other detectors (the tagger) fill in around the rules: rule spans are validated, the tagger's are not, so a
  // tagger span never displaces or splits a rule's; the parts of it no rule covers are still redacted. The rules'
  // ordinary-reference contexts ("order number", "ticket reference") also veto the tagger's digit spans there.
  const words = tokens.map((t) => t.word);
  const vetoed = (c: Candidate) => DIGIT_TYPES.has(c.type) && notPersonalNear(words, c.start, c.end);
  for (const c of (options.extra ?? []).filter((c) => wanted(c) && !vetoed(c)).sort(byScore)) {
    let k = c.start;
    while (k < c.end) {
      if (taken[k] === 1) {
        k += 1;
        continue;
      }
      let end = k;
      while (end < c.end && taken[end] === 0) end += 1;
      if (end > firstOwn && k < endOwn) accept({ ...c, start: k, end, value: tokens.slice(k, end).map((t) => t.word).join(' ') });
      k = end;
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** Rewrites `text` with the policy's replacement for each entity (char offsets from `tokens`). */
export function rewrite(text: string, tokens: Token[], found: Candidate[], policy: RedactionPolicy): RedactionResult {
  const entities: RedactedEntity[] = [];
  let out = '';
  let cursor = 0;
  let dropped = false;
  for (const c of found) {
    const start = tokens[c.start]!.start;
    const end = tokens[c.end - 1]!.end;
    const replacement = policy.replacement(c.type, text.slice(start, end), c.value);
    if (replacement === null) dropped = true;
    out += text.slice(cursor, start);
    const redactedStart = out.length;
    out += replacement ?? '';
    entities.push({ type: c.type, start, end, redactedStart, redactedEnd: out.length, replacement: replacement ?? '', score: c.score, source: c.source });
    cursor = end;
  }
  out += text.slice(cursor);
  if (dropped) return { text: '', entities: entities.map((e) => ({ ...e, redactedStart: 0, redactedEnd: 0, replacement: '' })), dropped: true };
  return { text: out, entities, dropped: false };
}

/** A redactor for single, independent transcript segments. Throws PolicyError for a bad policy. */
export function createRedactor(policy: RedactionPolicyConfig | RedactionPolicy = {}): Redactor {
  const checked = typeof (policy as RedactionPolicy | null)?.replacement === 'function' ? (policy as RedactionPolicy) : validatePolicy(policy as RedactionPolicyConfig);
  return {
    redact(text: string): RedactionResult {
      const tokens = tokenize(text);
      return rewrite(text, tokens, detect(tokens, checked), checked);
    },
  };
}
