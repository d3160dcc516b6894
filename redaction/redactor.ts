/** Runs every recognizer, keeps the best non-overlapping candidates the policy asks for, and rewrites the text. */
import type { EntityType, RedactedEntity, RedactionResult, Redactor } from './types.js';
import { analyse, notPersonalNear, type Candidate, type Recognizer } from './context.js';
import { tokenize, type Token } from './tokens.js';
import { STOPWORDS } from './stopwords.js';
import { isNumberWord } from './spoken-numbers.js';
import { isLetter } from './spoken-letters.js';
import { gazetteer } from './gazetteer.js';
import { validatePolicy, type RedactionPolicy, type RedactionPolicyConfig } from './policy.js';
import {
  recognizeBankAccounts,
  recognizeCreditCards,
  recognizeLongNumbers,
  recognizePartialAtEnd,
  recognizePhones,
  recognizeSsns,
  recognizeZipCodes,
} from './recognizers/numeric.js';
import { recognizeDriverLicenses, recognizeIbans, recognizePassports } from './recognizers/codes.js';
import { recognizeEmails, recognizeIpAddresses, recognizeMisheardUrls, recognizeUrls } from './recognizers/network.js';
import { recognizeAges, recognizeDatesOfBirth } from './recognizers/dates.js';
import { recognizeLocations, recognizeStreetAddresses } from './recognizers/places.js';
import { recognizePersons, recognizeSpeakingNames } from './recognizers/person.js';
import { recognizeStructuredAddresses } from './recognizers/address.js';

const RECOGNIZERS: Recognizer[] = [
  recognizeEmails,
  recognizeUrls,
  recognizeMisheardUrls,
  recognizeIpAddresses,
  recognizeIbans,
  recognizeCreditCards,
  recognizeSsns,
  recognizePhones,
  recognizeBankAccounts,
  recognizeZipCodes,
  recognizePassports,
  recognizeDriverLicenses,
  recognizeDatesOfBirth,
  recognizeAges,
  recognizeStreetAddresses,
  recognizeStructuredAddresses,
  recognizePersons,
  recognizeSpeakingNames,
  recognizeLocations,
  recognizePartialAtEnd,
];

/** Types whose values are said as digits: the ones an ordinary reference number can be mistaken for. */
const DIGIT_TYPES = new Set<EntityType>([
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'US_SSN',
  'BANK_ACCOUNT',
  'ZIP_CODE',
  'PASSPORT',
  'US_DRIVER_LICENSE',
  'IBAN_CODE',
  'AGE',
  'DATE_OF_BIRTH',
  'STREET_ADDRESS',
]);

/** The longest number (in words) that the tagger may not type when nothing but numbers is said around it. */
const BARE_NUMBER_WORDS = 4;

/**
 * Types said in words, whose every word identifies: a leftover part of such a span is still worth redacting (an
 * email's domain beside a name rule's reading of its misheard local part).
 */
const WORD_TYPES = new Set<EntityType>(['PERSON', 'STREET_ADDRESS', 'LOCATION', 'EMAIL_ADDRESS']);

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
  // Recall first: a candidate that overlaps a better one is not always dropped; once every candidate that fits
  // whole is in, the words of an overlapped one that nothing covers are still redacted, as its type: for tagger
  // spans, and for rule spans of the types said in words (a name or address next to another entity). Digit-type
  // rule spans stay all or nothing, since their leftovers are validated by nothing (an expiry after a card
  // number). Better = higher score, so validated rule spans keep their extent and type; the tagger's spans come
  // after all rule spans, since they are not validated. The rules' ordinary-reference contexts ("order number",
  // "ticket reference") also veto the tagger's digit spans there.
  const free = (c: Candidate) => !taken.subarray(c.start, c.end).some((x) => x === 1);
  const leftovers = (c: Candidate, skipStopwords: boolean) => {
    let k = c.start;
    while (k < c.end) {
      let end = k;
      while (end < c.end && taken[end] === 0) end += 1;
      if (end > k && end > firstOwn && k < endOwn && (!skipStopwords || tokens.slice(k, end).some((t) => !STOPWORDS.has(t.word)))) {
        accept({
          ...c,
          start: k,
          end,
          value: tokens
            .slice(k, end)
            .map((t) => t.word)
            .join(' '),
        });
      }
      k = end + 1;
    }
  };
  const rules = ruleCandidates.filter(wanted).sort(byScore);
  const words = tokens.map((t) => t.word);
  // A lone number word identifies nobody: the tagger's digit-type spans need two words or more. Nor does a short
  // number said with no word around it (in the segment or its context): the tagger could only guess its type from
  // its length, and read speech holds such lines ("zero three five one", digit-reading prompts) that are no one's.
  // A longer bare run (the tail of a phone or card number cut off by a pause) is still the tagger's to redact.
  const numbersOnly = words.every(isNumberWord);
  const vetoed = (c: Candidate) =>
    (DIGIT_TYPES.has(c.type) && (c.end - c.start < 2 || (numbersOnly && c.end - c.start <= BARE_NUMBER_WORDS) || notPersonalNear(words, c.start, c.end))) ||
    (c.type === 'AGE' && countsThings(words[c.end]));
  const tagged = (options.extra ?? []).filter((c) => wanted(c) && !vetoed(c)).sort(byScore);
  const passes: Array<[Candidate[], (c: Candidate) => boolean, boolean]> = [
    [rules, (c) => WORD_TYPES.has(c.type), true],
    [tagged, () => true, false],
  ];
  for (const [group, partsCount, skipStopwords] of passes) {
    const overlapped: Candidate[] = [];
    for (const c of group) {
      if (free(c)) accept(c);
      else if (partsCount(c)) overlapped.push(c);
    }
    for (const c of overlapped) leftovers(c, skipStopwords);
  }
  for (const c of accepted) {
    if (!CODE_TYPES.has(c.type)) continue;
    const start = codeStart(words, c.start, (i) => taken[i] === 0, firstOwn);
    taken.fill(1, start, c.start);
    c.start = start;
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** Units an age is said in ("twenty seven years", "six months old"). */
const AGE_UNITS = new Set(['years', 'months', 'weeks', 'days', 'yrs']);

/** A number before a plural noun counts things ("twenty seven boxes", "twenty one minutes"): the tagger's AGE is no age. */
function countsThings(next: string | undefined): boolean {
  return next !== undefined && next.length > 3 && next.endsWith('s') && !AGE_UNITS.has(next) && !STOPWORDS.has(next) && gazetteer('english-words').has(next);
}

/** Account codes spelled in letters and digits, whose first characters the recogniser often mishears. */
const CODE_TYPES = new Set<EntityType>(['IBAN_CODE', 'BANK_ACCOUNT']);
/** Common words that sound like a letter ("all" for l, "are" for r): a misheard word of a code may be one of them. */
const LETTER_SOUNDS = new Set(['all', 'are', 'you', 'be', 'why', 'see', 'oh']);

/**
 * Recall first: the letters and digits said just before an account code's span are its start, one misheard word
 * among them ("g b five zero all o y [d one five ...]" for "g b five zero l o y d ...", "jibe three one b a" for
 * "g b three one b a"). Walks left over free tokens from `floor` on: single letters and number words, at most one
 * other word that is no function word ("is", "to") unless it sounds like a letter. The new start is the leftmost
 * letter or number word, taken only when two or more were found.
 */
function codeStart(words: string[], start: number, free: (i: number) => boolean, floor: number): number {
  let [first, parts, other] = [start, 0, false];
  for (let i = start - 1; i >= floor && free(i); i--) {
    const w = words[i]!;
    if (isLetter(w) || isNumberWord(w)) [first, parts] = [i, parts + 1];
    else if (other || (STOPWORDS.has(w) && !LETTER_SOUNDS.has(w))) break;
    else other = true;
  }
  return parts >= 2 ? first : start;
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
  const checked =
    typeof (policy as RedactionPolicy | null)?.replacement === 'function' ? (policy as RedactionPolicy) : validatePolicy(policy as RedactionPolicyConfig);
  return {
    redact(text: string): RedactionResult {
      const tokens = tokenize(text);
      return rewrite(text, tokens, detect(tokens, checked), checked);
    },
  };
}
