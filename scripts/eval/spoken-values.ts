/**
 * Spoken-form values for the redaction evaluation sets: a seeded speaker that says digits, letters, years and codes
 * the way people do ("oh", "double five", "forty five"), valid card numbers and IBANs, and sentence assembly with
 * the gold spans of each entity.
 */
import type { EntityType } from '../../redaction/types.js';
import { ONES, TENS } from '../../daemon/text/spoken-form.js';

export { ONES };
export const MONTHS = ['january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
export const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'ninth',
  'tenth',
  'eleventh',
  'fifteenth',
  'nineteenth',
  'twentieth',
  'twenty second',
  'twenty eighth',
  'thirtieth',
];

/** Seeded PRNG (mulberry32) so the set is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Sample {
  text: string;
  gold: Array<{ type: EntityType; start: number; end: number }>;
}

export type Part = string | [EntityType, string];

export const DIGIT_WORDS = ['zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Recognition errors: each digit word is replaced by another with probability `rate` (a misheard digit). */
export function mishear(part: string, rate: number, random: () => number): string {
  if (rate === 0) return part;
  return part
    .split(' ')
    .map((w) => (DIGIT_WORDS.includes(w) && random() < rate ? DIGIT_WORDS.filter((d) => d !== w)[Math.floor(random() * 10)]! : w))
    .join(' ');
}

export function build(parts: Part[], digitErrorRate = 0, random: () => number = Math.random): Sample {
  parts = parts.map((p) => (typeof p === 'string' ? mishear(p, digitErrorRate, random) : [p[0], mishear(p[1], digitErrorRate, random)]));
  let text = '';
  const gold: Sample['gold'] = [];
  for (const part of parts) {
    if (text && !text.endsWith(' ')) text += ' ';
    if (typeof part === 'string') text += part;
    else {
      gold.push({ type: part[0], start: text.length, end: text.length + part[1].length });
      text += part[1];
    }
  }
  return { text: text.replace(/\s+/g, ' ').trim(), gold };
}

export function below100(n: number): string {
  return n < 20 ? ONES[n]! : TENS[Math.floor(n / 10)]! + (n % 10 ? ` ${ONES[n % 10]}` : '');
}

export class Speaker {
  constructor(readonly random: () => number) {}
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  digits(n: number, first = '0123456789'): string {
    let s = this.pick([...first]);
    while (s.length < n) s += String(Math.floor(this.random() * 10));
    return s;
  }
  /** Digits said one by one ("oh" or "zero"), in pairs ("forty five"), or with "double". */
  say(digits: string): string {
    const style = this.random();
    const zero = this.random() < 0.5 ? 'oh' : 'zero';
    if (style < 0.25 && digits.length % 2 === 0 && !/^0|(?:^|..)0/.test(digits)) {
      return digits
        .match(/../g)!
        .map((p) => (p[0] === '0' ? `${zero} ${ONES[Number(p[1])]}` : below100(Number(p))))
        .join(' ');
    }
    const words: string[] = [];
    for (let i = 0; i < digits.length; i++) {
      const word = digits[i] === '0' ? zero : ONES[Number(digits[i])]!;
      if (style > 0.7 && digits[i + 1] === digits[i]) {
        words.push(`double ${word}`);
        i += 1;
      } else words.push(word);
    }
    return words.join(' ');
  }
  letters(s: string): string {
    return [...s.toLowerCase()].join(' ');
  }
}

export function luhnComplete(body: string): string {
  for (let d = 0; d < 10; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let v = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

export function ibanFor(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  let r = 0;
  for (const d of numeric) r = (r * 10 + Number(d)) % 97;
  return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
}

/** Says an IBAN: letters spelled, digits one by one. */
export function sayCode(s: Speaker, code: string): string {
  return [...code].map((c) => (/\d/.test(c) ? s.say(c) : c.toLowerCase())).join(' ');
}

export function yearWords(y: number): string {
  if (y >= 2000 && y < 2010) return `two thousand ${y === 2000 ? '' : ONES[y - 2000]}`.trim();
  const low = y % 100;
  return `${below100(Math.floor(y / 100))} ${low === 0 ? 'hundred' : low < 10 ? `oh ${ONES[low]}` : below100(low)}`;
}

/** A date of birth as people say it: "march first nineteen eighty" or "the first of march nineteen eighty". */
export function spokenDate(s: Speaker, year: number): string {
  const words = yearWords(year);
  return s.pick([`${s.pick(MONTHS)} ${s.pick(ORDINALS)} ${words}`, `the ${s.pick(ORDINALS)} of ${s.pick(MONTHS)} ${words}`]);
}

/** An IPv4 address said octet by octet with "dot", its first octet one of `firstOctets`. */
export function spokenIp(s: Speaker, firstOctets: number[]): string {
  const octets = [s.pick(firstOctets), ...[1, 2, 3].map(() => Math.floor(s.random() * 256))];
  return octets.map((o) => s.say(String(o))).join(' dot ');
}

export type Generator = (s: Speaker) => Part[];
