/** Dates of birth (a spoken date near birth context) and ages ("i am forty two years old"). */
import { ContextWords, type Analysis, type Candidate } from '../context.js';
import type { NumberChunk, NumberRun } from '../spoken-numbers.js';

/** Number chunks by their first token, so a year can be found inside a longer run ("june twelve twenty twenty"). */
type ChunkIndex = Map<number, { run: NumberRun; chunk: NumberChunk }>;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const ORDINAL_UNITS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
};
/** Birth cues, with "d o b" as recognisers hear it ("the o be", "the oh be", "the owl be"). */
const BIRTH = new ContextWords([
  'born',
  'birth',
  'birthday',
  'date of birth',
  'd o b',
  'dob',
  'birthdate',
  'b day',
  'd oh b',
  'd oh be',
  'dee oh bee',
  'the o b',
  'the o be',
  'the o bee',
  'the oh b',
  'the oh be',
  'the oh bee',
  'the owl be',
]);

/** Day of month at `i`: "twelfth", "twenty first", "the third", "twelve" (cardinal only after a month); returns [day, end]. */
function dayAt(words: string[], i: number, runs: ChunkIndex, cardinalOk: boolean): [number, number] | null {
  if (words[i] === 'the') return dayAt(words, i + 1, runs, cardinalOk);
  if (words[i] === 'twenty' || words[i] === 'thirty') {
    const unit = ORDINAL_UNITS[words[i + 1] ?? ''];
    if (unit !== undefined && unit < 10) return [(words[i] === 'twenty' ? 20 : 30) + unit, i + 2];
  }
  const ordinal = ORDINAL_UNITS[words[i] ?? ''];
  if (ordinal !== undefined) return [ordinal, i + 1];
  const chunk = runs.get(i)?.chunk;
  if (cardinalOk && chunk && chunk.value >= 1 && chunk.value <= 31 && !/^0/.test(chunk.digits)) return [chunk.value, chunk.end];
  return null;
}

/** A spoken year 1900-2039 at `i` ("nineteen eighty two", "two thousand five", "twenty twenty"); returns its end. */
function yearAt(i: number, runs: ChunkIndex): number {
  const at = runs.get(i);
  if (!at) return -1;
  let digits = '';
  for (const chunk of at.run.chunks.slice(at.run.chunks.indexOf(at.chunk))) {
    digits += chunk.digits;
    if (digits.length === 4) return /^(19\d\d|20[0-3]\d)$/.test(digits) ? chunk.end : -1;
    if (digits.length > 4) return -1;
  }
  return -1;
}

/** Spoken dates starting at `i`: "the fifth of march nineteen ninety", "march fifth", "june twelve twenty oh one". */
function dateAt(words: string[], i: number, runs: ChunkIndex): number {
  const withYear = (end: number) => {
    const year = yearAt(end, runs);
    if (year > 0) return year;
    return words[end] === 'in' || words[end] === 'of' ? Math.max(end, yearAt(end + 1, runs)) : end;
  };
  const month = MONTHS.indexOf(words[i] ?? '');
  if (month >= 0) {
    const day = dayAt(words, i + 1, runs, true);
    if (day) return withYear(day[1]);
    const year = yearAt(i + 1, runs);
    // "may" is also a verb: a month alone only counts when a year follows.
    return year;
  }
  const day = dayAt(words, i, runs, false);
  if (day) {
    const of = words[day[1]] === 'of' ? day[1] + 1 : day[1];
    if (MONTHS.includes(words[of] ?? '')) return withYear(of + 1);
  }
  return -1;
}

/** All-digit dates: MMDDYYYY / DDMMYYYY ("oh four twelve nineteen eighty two") or the same with a two-digit year. */
function numericDate(digits: string): boolean {
  if (digits.length !== 6 && digits.length !== 8) return false;
  const [a, b] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4))];
  const year = digits.length === 8 ? Number(digits.slice(4)) : 1900 + Number(digits.slice(4));
  const dayMonth = (d: number, m: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31;
  return (dayMonth(a, b) || dayMonth(b, a)) && year >= 1900 && year <= 2039;
}

export function recognizeDatesOfBirth({ words, numberRuns }: Analysis): Candidate[] {
  const runs: ChunkIndex = new Map(numberRuns.flatMap((run) => run.chunks.map((chunk) => [chunk.start, { run, chunk }] as const)));
  const found: Candidate[] = [];
  for (const run of numberRuns) {
    if (numericDate(run.digits) && BIRTH.near(words, run.start, run.end, 8, 3)) {
      found.push({ type: 'DATE_OF_BIRTH', start: run.start, end: run.end, score: 0.85, source: 'rule:date_of_birth', value: run.digits });
    }
  }
  for (let i = 0; i < words.length; i++) {
    let end = dateAt(words, i, runs);
    if (end < 0 && (words[i - 1] === 'in' || words[i - 1] === 'of')) end = yearAt(i, runs);
    if (end <= i) continue;
    const start = words[i] === 'the' ? i + 1 : i;
    const score = BIRTH.near(words, start, end, 8, 3) ? 0.85 : 0.3;
    found.push({ type: 'DATE_OF_BIRTH', start, end, score, source: 'rule:date_of_birth', value: words.slice(start, end).join(' ') });
    i = end - 1;
  }
  return found;
}

const AGE_AFTER = ['years old', 'year old', 'years of age', 'yrs old', 'years young', 'year olds', 'years'];
const AGE_BEFORE = ['aged', 'age', 'age is', 'age of', 'turned', 'turning', 'turn'];
const SELF_BEFORE = ["i'm", 'i am', 'he is', "he's", 'she is', "she's", "they're", 'they are', 'you are', "you're", "we're"];
/** After "i am forty two" these words still leave the number an age; anything else ("two minutes") does not. */
const SELF_FOLLOWERS = new Set([
  '',
  'and',
  'now',
  'this',
  'next',
  'last',
  'today',
  'yesterday',
  'but',
  'so',
  'myself',
  'already',
  'soon',
  'too',
  'since',
  'in',
  'on',
]);

function phraseAt(words: string[], i: number, phrase: string): boolean {
  return phrase.split(' ').every((w, k) => words[i + k] === w);
}

function phraseEndsAt(words: string[], end: number, phrase: string): boolean {
  const parts = phrase.split(' ');
  return end - parts.length >= 0 && parts.every((w, k) => words[end - parts.length + k] === w);
}

export function recognizeAges({ words, numberRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const run of numberRuns) {
    if (run.chunks.length !== 1 || run.chunks[0]!.value < 1 || run.chunks[0]!.value > 120) continue;
    let score = 0;
    const after = AGE_AFTER.find((p) => phraseAt(words, run.end, p));
    if (after && after !== 'years') score = 0.85;
    else if (AGE_BEFORE.some((p) => phraseEndsAt(words, run.start, p))) score = after || SELF_FOLLOWERS.has(words[run.end] ?? '') ? 0.8 : 0.45;
    else if (SELF_BEFORE.some((p) => phraseEndsAt(words, run.start, p)) && (after === 'years' || SELF_FOLLOWERS.has(words[run.end] ?? ''))) score = 0.6;
    if (score > 0) found.push({ type: 'AGE', start: run.start, end: run.end, score, source: 'rule:age', value: run.chunks[0]!.digits });
  }
  return found;
}
