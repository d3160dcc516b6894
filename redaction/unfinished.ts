/**
 * Recall-first handling of the end of a partial transcript: words still being spoken may be the first half of an
 * entity ("my card number is four five three" before the rest is heard), which no rule can validate yet. A
 * partial therefore also redacts, when its type is in the policy:
 * - a trailing run of number words (any length, perhaps followed by a half-heard word) as the entity its context suggests (card, account, social
 *   security, licence/passport, otherwise a phone number), and
 * - a trailing first name or surname, any word right after a name cue ("my name is", "this is", "call",
 *   "i am") as a PERSON, and
 * - a word right after an entity, as that entity (half-heard: "john smi", "four five three thre").
 * Anywhere in a partial, not only at its end, a first name or surname is a PERSON too (namesInPartial): a partial's
 * words are still being revised, and the first half of a name is often misheard ("hi this is done smith"), so the
 * rules that need both halves miss the surname. A name that is also an ordinary word ("young", "brown", "may": the
 * common-words list and common-name-words.txt, which is derived from how often cased English text writes the name
 * in lowercase) is redacted there only when a name rule supports it: a title or "my name is" before it, a first
 * name before it or a surname after it ("anna young", "may nguyen"). "young people" keeps its words. What the tagger
 * or the ordinary rules find in the partial is redacted before these rules run (SessionRedactor.preview).
 * The final segment is redacted by the ordinary rules once the whole entity has been heard.
 */
import type { Candidate } from './context.js';
import { gazetteer } from './gazetteer.js';
import { TITLES } from './recognizers/person.js';
import { STOPWORDS } from './stopwords.js';
import type { RedactionPolicy } from './policy.js';
import { luhnValid } from './checksums.js';
import { findNumberRuns, isNumberWord } from './spoken-numbers.js';
import type { Token } from './tokens.js';
import type { EntityType } from './types.js';

const NAME_CUES = [['name', 'is'], ['this', 'is'], ['i', 'am'], ['im'], ["i'm"], ['call'], ['called'], ['ask', 'for'], ['speak', 'to']];
const NUMBER_CONTEXT: [RegExp, EntityType][] = [
  [/^(card|visa|mastercard|amex|credit|debit)$/, 'CREDIT_CARD'],
  [/^(account|iban|sort|routing)$/, 'BANK_ACCOUNT'],
  [/^(social|security|ssn)$/, 'US_SSN'],
  [/^(passport)$/, 'PASSPORT'],
  [/^(license|licence)$/, 'US_DRIVER_LICENSE'],
];
/** How far back a context word may be to set the type of a trailing number run. */
const CONTEXT_WORDS = 6;

const SOURCE = 'partial:unfinished';

/** Candidates for an entity cut off by the end of `words` (token words of the partial, context included). */
export function unfinishedTail(words: string[], policy: RedactionPolicy, afterEntity: EntityType | null = null): Candidate[] {
  const end = words.length;
  const last = words[end - 1];
  if (afterEntity && last !== undefined && !STOPWORDS.has(last)) return [{ type: afterEntity, start: end - 1, end, score: 1, source: SOURCE, value: last }];
  // The last word may be a number word cut in half ("zer"): the run is looked for before it too.
  const halfHeard = last !== undefined && !isNumberWord(last) ? 1 : 0;
  let start = end - halfHeard;
  while (start > 0 && isNumberWord(words[start - 1]!)) start--;
  // After a half-heard word, a single number word is more likely an ordinary count ("two dogs") than an entity.
  if (end - halfHeard - start >= 1 + halfHeard) {
    const before = words.slice(Math.max(0, start - CONTEXT_WORDS), start);
    const type = NUMBER_CONTEXT.find(([re]) => before.some((w) => re.test(w)))?.[1] ?? 'PHONE_NUMBER';
    return policy.types.has(type) ? [{ type, start, end, score: 1, source: SOURCE, value: words.slice(start).join(' ') }] : [];
  }
  if (last === undefined || !policy.types.has('PERSON')) return [];
  const cued = NAME_CUES.some((cue) => cue.every((w, k) => words[end - 1 - cue.length + k] === w));
  const name = gazetteer('first-names').has(last) || gazetteer('surnames').has(last);
  if (name || (cued && !STOPWORDS.has(last))) return [{ type: 'PERSON', start: end - 1, end, score: 1, source: SOURCE, value: last }];
  return [];
}

/**
 * Whether `tokens` end in a whole card number: a Luhn-valid run of its scheme's usual length (16 digits; 15 for
 * American Express). More digits after one are unlikely (a 17-19 digit card is rare, and a chance prefix of one
 * passes Luhn one time in ten), so a live endpoint need not wait for the rest of an entity there.
 */
export function endsInWholeCardNumber(tokens: Token[]): boolean {
  const run = findNumberRuns(tokens).at(-1);
  if (!run || run.end !== tokens.length) return false;
  const { digits } = run;
  return luhnValid(digits) && (digits.length === 16 || (digits.length === 15 && /^3[47]/.test(digits)));
}

/** Phrases right before a name that introduce it (stricter than NAME_CUES: "i am young" is not a name). */
const NAME_INTRODUCTIONS = [['name', 'is'], ['names', 'are'], ['named'], ['surname', 'is']];

/** Candidates for every first name or surname of a partial's words; an ordinary word only with support (see above). */
export function namesInPartial(words: string[], policy: RedactionPolicy): Candidate[] {
  if (!policy.types.has('PERSON')) return [];
  const first = gazetteer('first-names');
  const last = gazetteer('surnames');
  const isCommon = (w: string) => gazetteer('common-words').has(w) || gazetteer('common-name-words').has(w);
  const isName = (w: string | undefined) => w !== undefined && (first.has(w) || last.has(w)) && !STOPWORDS.has(w);
  const supported = (i: number) => {
    const before = words[i - 1];
    const after = words[i + 1];
    if (TITLES.endsAt(words, i) || (before !== undefined && first.has(before) && !isCommon(before) && !STOPWORDS.has(before))) return true;
    if (NAME_INTRODUCTIONS.some((cue) => cue.every((w, k) => words[i - cue.length + k] === w))) return true;
    return after !== undefined && last.has(after) && !isCommon(after) && !STOPWORDS.has(after);
  };
  return words.flatMap((w, i) =>
    isName(w) && (!isCommon(w) || supported(i)) ? [{ type: 'PERSON' as const, start: i, end: i + 1, score: 1, source: SOURCE, value: w }] : [],
  );
}
