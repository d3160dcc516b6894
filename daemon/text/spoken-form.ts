/**
 * Written English -> the recognizer's spoken form: lowercase a-z, space and apostrophe; numbers, years, money, times
 * and ordinals said as words; abbreviations expanded. One module for the whole project: scoring (scripts/eval), the
 * language-model text (scripts/lm, `hushscribe lm build`) and hotword phrases. It is the TypeScript twin of
 * scripts/data/spoken.py (which prepares the acoustic model's training text), rule for rule;
 * test/text-spoken-form.test.ts checks both agree.
 */

/** English number words below twenty, and the tens: the one table every spoken-form writer here uses. */
export const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
export const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: ReadonlyArray<[bigint, string]> = [
  [10n ** 12n, 'trillion'],
  [10n ** 9n, 'billion'],
  [10n ** 6n, 'million'],
  [1000n, 'thousand'],
];
const ORDINAL_IRREGULAR: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function belowThousand(n: number): string {
  const words: string[] = [];
  if (n >= 100) {
    words.push(ONES[Math.floor(n / 100)]!, 'hundred');
    n %= 100;
  }
  if (n >= 20) words.push(TENS[Math.floor(n / 10)]! + (n % 10 === 0 ? '' : ` ${ONES[n % 10]!}`));
  else if (n > 0 || words.length === 0) words.push(ONES[n]!);
  return words.join(' ');
}

/** 1234 -> "one thousand two hundred thirty four" (American style, no "and"). */
export function cardinal(value: number | bigint): string {
  let n = BigInt(value);
  if (n < 0n) return `minus ${cardinal(-n)}`;
  const words: string[] = [];
  for (const [scale, name] of SCALES) {
    if (n >= scale) {
      words.push(`${cardinal(n / scale)} ${name}`);
      n %= scale;
    }
  }
  if (n > 0n || words.length === 0) words.push(belowThousand(Number(n)));
  return words.join(' ');
}

/** 21 -> "twenty first". */
export function ordinal(value: number | bigint): string {
  const words = cardinal(value).split(' ');
  const last = words[words.length - 1]!;
  if (last in ORDINAL_IRREGULAR) words[words.length - 1] = ORDINAL_IRREGULAR[last]!;
  else if (last.endsWith('y')) words[words.length - 1] = `${last.slice(0, -1)}ieth`;
  else words[words.length - 1] = `${last}th`;
  return words.join(' ');
}

/** 1982 -> "nineteen eighty two", 2005 -> "two thousand five", 2023 -> "twenty twenty three". */
export function year(n: number): string {
  if ((n >= 2000 && n <= 2009) || n % 1000 === 0 || n < 1000 || n > 9999) return cardinal(n);
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${cardinal(high)} hundred`;
  if (low < 10) return `${cardinal(high)} oh ${ONES[low]!}`;
  return `${cardinal(high)} ${cardinal(low)}`;
}

/** "4053" -> "four zero five three". */
export function digits(s: string, zero = 'zero'): string {
  return [...s].map((c) => (c === '0' ? zero : ONES[Number(c)]!)).join(' ');
}

const CURRENCY: Record<string, [string, string]> = { $: ['dollar', 'cent'], '£': ['pound', 'pence'], '€': ['euro', 'cent'] };
const SYMBOLS: ReadonlyArray<[string, string]> = [
  ['&', ' and '],
  ['%', ' percent '],
  ['@', ' at '],
  ['+', ' plus '],
  ['=', ' equals '],
];
/** Titles always said in full. */
const SPOKEN_TITLES = new Map([
  ['mr', 'mister'],
  ['mrs', 'missus'],
]);
/** Abbreviations with their dot, said in full wherever they appear. */
const ABBREVIATIONS: ReadonlyArray<[RegExp, string]> = [
  [/\betc\./gi, ' et cetera '],
  [/\bvs\./gi, ' versus '],
  [/\be\.g\./gi, ' for example '],
  [/\bi\.e\./gi, ' that is '],
];
/** Ambiguous abbreviations ("St." is saint or street), expanded only before a capitalised name, where one reading wins. */
const TITLE_ABBREVIATIONS: Record<string, string> = {
  Dr: 'doctor',
  St: 'saint',
  Mt: 'mount',
  Prof: 'professor',
  Gen: 'general',
  Capt: 'captain',
  Col: 'colonel',
  Sgt: 'sergeant',
};
const TITLE_BEFORE_NAME = /\b(Dr|St|Mt|Prof|Gen|Capt|Col|Sgt)\.? (?=[A-Z])/g;
/** "No. 5" / "no 5" -> "number five". */
const NUMBER_SIGN = /\b[Nn]o\.? ?(?=[0-9])/g;
/** "10:00" -> "ten o'clock", "3:07" -> "three oh seven", "14:30" -> "fourteen thirty". */
const CLOCK_TIME = /\b([0-9]{1,2}):([0-5][0-9])\b/g;

function clockTime(_m: string, hours: string, minutes: string): string {
  const h = cardinal(Number(hours));
  const m = Number(minutes);
  if (m === 0) return ` ${h} o'clock `;
  return m < 10 ? ` ${h} oh ${ONES[m]!} ` : ` ${h} ${cardinal(m)} `;
}

/** Expands abbreviations and clock times; runs before numbers are said, on the original casing. */
export function expandAbbreviations(text: string): string {
  let s = text.replace(TITLE_BEFORE_NAME, (_m, title: string) => `${TITLE_ABBREVIATIONS[title]!} `);
  for (const [pattern, spoken] of ABBREVIATIONS) s = s.replace(pattern, spoken);
  return s.replace(NUMBER_SIGN, ' number ').replace(CLOCK_TIME, clockTime);
}

function plural(n: bigint, unit: string): string {
  return n === 1n || unit === 'pence' ? unit : `${unit}s`;
}

function spokenNumber(s: string): string {
  if (s.length > 1 && s[0] === '0') return ` ${digits(s, 'oh')} `;
  const n = Number(s);
  if (s.length === 4 && ((n >= 1100 && n <= 1999) || (n >= 2010 && n <= 2099))) return ` ${year(n)} `;
  if (s.length > 9) return ` ${digits(s)} `;
  return ` ${cardinal(n)} `;
}

export function numbersToWords(text: string): string {
  return text
    .replace(/(?<=[0-9]),(?=[0-9]{3}\b)/g, '')
    .replace(/([$£€])([0-9]+)(?:\.([0-9][0-9]))?/g, (_m, symbol: string, whole: string, minor?: string) => {
      const [majorUnit, minorUnit] = CURRENCY[symbol]!;
      const major = BigInt(whole);
      let spoken = ` ${cardinal(major)} ${plural(major, majorUnit)} `;
      if (minor !== undefined && Number(minor) > 0) {
        const cents = BigInt(minor);
        spoken += `${cardinal(cents)} ${plural(cents, minorUnit)} `;
      }
      return spoken;
    })
    .replace(/\b([0-9]+)(st|nd|rd|th)\b/g, (_m, n: string) => ` ${ordinal(BigInt(n))} `)
    .replace(/([0-9]+)\.([0-9]+)/g, (_m, whole: string, fraction: string) => ` ${cardinal(BigInt(whole))} point ${digits(fraction)} `)
    .replace(/[0-9]+/g, spokenNumber);
}

/**
 * Any English text -> lowercase a-z / space / apostrophe, numbers said as words.
 * Apostrophes survive only inside words ("don't", "o'clock"); quotes and hyphens become word breaks.
 */
export function normalise(text: string): string {
  let s = text.normalize('NFKD').replace(/\p{Mn}/gu, '');
  s = s.replace(/[\u2019\u2018`]/g, "'");
  s = numbersToWords(expandAbbreviations(s));
  for (const [symbol, spoken] of SYMBOLS) s = s.split(symbol).join(spoken);
  s = s
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/(?<![a-z])'|'(?![a-z])/g, ' ');
  return s
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => SPOKEN_TITLES.get(w) ?? w)
    .join(' ');
}
