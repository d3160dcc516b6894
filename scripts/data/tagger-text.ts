/**
 * Training text for the PII tagger (issue 14): seeded, spoken-form sentences with one BIO label per word, in the
 * format scripts/train/tagger_cpu.py reads (`OUT.txt`, `OUT.tags`, one sentence a line).
 *
 *   npm run build:ts && node dist/scripts/data/tagger-text.js --out /tmp/tagger-text [--sentences 120000] [--seed 14]
 *
 * - Values: @faker-js/faker in every Latin-script locale (and Cyrillic ones, transliterated) EXCEPT those of the
 *   three redaction held-out sets and languages close to the third's (TRAINING_LOCALES): names, street names and
 *   types, building numbers, units, cities, regions, countries, postcodes, phone formats, emails, IPs, IBANs,
 *   cards, dates, URLs.
 * - Carriers: natural sentences from ../shared/lm-text (AMI meetings, Taskmaster dialogues, CLINC / PolyAI /
 *   NLU queries, Common Voice sentences, Gutenberg; the CC BY-SA SGD file is left out so the model's licence
 *   stays open) and the train split of ../shared/data/speech.tsv; only lines with no word outside the English
 *   lexicon and no long number (so no unlabelled name or number) are used. An entity goes in at a random word
 *   boundary with a cue phrase, or the sentence is one of the shapes below. Those real lines are also negatives.
 * - Shapes (kept apart from the held-out sets' shapes): carrier + cue + value, contact cards with label words,
 *   dialogue turns "a: ... b: ...", chat lines, questions, corrections ("i mean ..."), third-person prose, and
 *   entities cut at a segment boundary.
 * - Spoken form by its own converter (say() below): digits one by one / in pairs / as cardinals, "oh", "nought",
 *   "double", "triple", years, ordinals, "dot" / "point", "at", "dash", "slash", "plus", spelled letters,
 *   accents folded to ASCII.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Faker, allLocales, base, en, type LocaleDefinition } from '@faker-js/faker';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { packageRoot } from '../../common/package-root.js';
import type { EntityType } from '../../redaction/types.js';

/** The day faker's dates (birth dates) count from. */
const FIXED_REFERENCE_DATE = '2026-12-06T00:00:00.000Z';

/**
 * Every faker locale except: the first held-out set's (en_IN, en_NG, fr, es), the second's (pt_BR, nl, pl, tr,
 * sv, vi, en_GH, fi), the third's (BLIND_LOCALES) and languages close to the third's (de*, fr_*, es_MX, pt_PT,
 * nl_BE, ro_MD, sr_RS_latin, sl_SI, af_ZA, en_ZA), plus those whose script has no simple transliteration here.
 */
export const TRAINING_LOCALES = [
  'en',
  'en_AU',
  'en_CA',
  'en_GB',
  'en_HK',
  'en_IE',
  'en_NP',
  'en_US',
  'it',
  'eo',
  'cy',
  'az',
  'ku_kmr_latin',
  'uz_UZ_latin',
  'ru',
  'uk',
  'mk',
  'mn_MN_cyrl',
] as const;

const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  е: 'e',
  ё: 'yo',
  є: 'ye',
  ж: 'zh',
  з: 'z',
  и: 'i',
  і: 'i',
  ї: 'yi',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  ѓ: 'g',
  ќ: 'k',
  љ: 'lj',
  њ: 'nj',
  џ: 'dz',
  ѕ: 'dz',
  ј: 'j',
  ө: 'o',
  ү: 'u',
};

/** Lowercase ASCII: Cyrillic transliterated, diacritics dropped, a few letters spelled as English speakers do. */
export function asciiFold(text: string): string {
  return [...text.toLowerCase()]
    .map((c) => CYRILLIC[c] ?? ({ ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ə: 'a' } as Record<string, string>)[c] ?? c)
    .join('')
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

const ONES = 'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'.split(' ');
const TENS = ' ten twenty thirty forty fifty sixty seventy eighty ninety'.split(' ');
const ORDINAL_OF: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

function words(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return `${TENS[Math.floor(n / 10)]}${n % 10 ? ` ${ONES[n % 10]}` : ''}`;
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${words(n % 100)}` : ''}`;
  return `${words(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${words(n % 1000)}` : ''}`;
}

function ordinalWords(n: number): string {
  const w = words(n).split(' ');
  const last = w.pop()!;
  return [...w, ORDINAL_OF[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`)].join(' ');
}

/** Seeded PRNG (splitmix32). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

class Say {
  constructor(private readonly r: () => number) {}
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** A digit string the way people read identifiers out. */
  digits(d: string): string {
    const zero = this.pick(['oh', 'zero', 'zero', 'oh', 'nought']);
    const mode = this.r();
    if (mode < 0.2 && d.length % 2 === 0 && !d.includes('0'))
      return d
        .match(/../g)!
        .map((p) => words(Number(p)))
        .join(' ');
    const out: string[] = [];
    for (let i = 0; i < d.length; i++) {
      const w = d[i] === '0' ? zero : ONES[Number(d[i])]!;
      if (d[i + 2] === d[i] && d[i + 1] === d[i] && mode > 0.8) {
        out.push(`triple ${w}`);
        i += 2;
      } else if (d[i + 1] === d[i] && mode > 0.55) {
        out.push(`double ${w}`);
        i += 1;
      } else out.push(w);
    }
    return out.join(' ');
  }
  /** A number that may be said as a cardinal ("forty two") or digit by digit. */
  number(d: string): string {
    return d.length <= 4 && !d.startsWith('0') && this.chance(0.6) ? words(Number(d)) : this.digits(d);
  }
  year(y: number): string {
    if (y >= 2000 && y < 2010) return y === 2000 ? 'two thousand' : `two thousand ${this.pick(['', 'and '])}${ONES[y - 2000]}`.replace('  ', ' ');
    const low = y % 100;
    return `${words(Math.floor(y / 100))} ${low === 0 ? 'hundred' : low < 10 ? `oh ${ONES[low]}` : words(low)}`;
  }
  /** Written text -> spoken words; `code` spells letters of mixed codes, `net` says the symbols. */
  say(written: string, style: 'text' | 'code' | 'net'): string {
    const out: string[] = [];
    const pieces = asciiFold(written).match(/\d+(?:st|nd|rd|th)?|[a-z]+|[@./\-+_#:]/g) ?? [];
    const dot = style === 'net' && this.chance(0.15) ? 'point' : 'dot';
    for (const p of pieces) {
      const ordinal = p.match(/^(\d+)(st|nd|rd|th)$/);
      if (ordinal && Number(ordinal[1]) < 1000) out.push(ordinalWords(Number(ordinal[1])));
      else if (/^\d/.test(p))
        out.push(
          style === 'text'
            ? this.number(p.replace(/\D/g, ''))
            : style === 'net' && this.chance(0.5) && p.length <= 3 && !p.startsWith('0')
              ? words(Number(p))
              : this.digits(p.replace(/\D/g, '')),
        );
      else if (/^[a-z]+$/.test(p)) out.push(style === 'code' || (style === 'text' && p.length === 1) ? [...p].join(' ') : p);
      else if (style === 'net')
        out.push(
          (
            {
              '@': 'at',
              '.': dot,
              '/': 'slash',
              '-': this.pick(['dash', 'hyphen', 'dash']),
              '+': 'plus',
              _: 'underscore',
              '#': 'hash',
              ':': 'colon',
            } as Record<string, string>
          )[p]!,
        );
      else if (p === '+') out.push('plus');
    }
    return out.join(' ');
  }
}

type Part = string | [EntityType, string];

interface Values {
  person(): string;
  address(): string;
  place(): string;
  postcode(): string;
  phone(): string;
  email(): string;
  ip(): string;
  url(): string;
  iban(): string;
  card(): string;
  birth(): string;
  age(): string;
  account(): string;
  ssn(): string;
  passport(): string;
  licence(): string;
}

function values(locale: LocaleDefinition, s: Say, seed: number): Values {
  const f = new Faker({ locale: [locale, en, base] });
  f.seed(seed);
  f.setDefaultRefDate(FIXED_REFERENCE_DATE); // the same seed gives the same text on any day
  const english = new Faker({ locale: [en, base] });
  english.seed(seed + 1);
  const name = () => s.say(f.person.lastName(), 'text');
  const first = () => s.say(f.person.firstName(), 'text');
  const d = (n: number, lead = '123456789') => s.pick([...lead]) + Array.from({ length: n - 1 }, () => String(Math.floor(f.number.int(9)))).join('');
  return {
    person: () =>
      s.pick([
        () => `${first()} ${name()}`,
        first,
        name,
        () => `${first()} ${s.pick('abcdefghijklmnoprstw'.split(''))} ${name()}`,
        () => `${first()[0]} ${name()}`,
        () => `${first()} ${name()} ${name()}`,
      ])(),
    address: () => {
      const street = s.pick([
        () => f.location.streetAddress(false),
        () => f.location.streetAddress(true),
        () => `${f.location.street()} ${f.location.buildingNumber()}`,
        () => `${f.location.buildingNumber()} ${f.location.street()}`,
      ])();
      const parts = [s.say(street, 'text')];
      if (s.chance(0.3)) parts.push(s.say(f.location.secondaryAddress(), 'text'));
      if (s.chance(0.5)) parts.push(s.say(f.location.city(), 'text'));
      if (s.chance(0.2)) parts.push(s.say(f.location.state(), 'text'));
      if (s.chance(0.35)) parts.push(s.say(f.location.zipCode(), 'code'));
      if (s.chance(0.25)) parts.push(s.say(english.location.country(), 'text'));
      return parts.join(' ');
    },
    place: () => s.say(s.pick([() => f.location.city(), () => english.location.country(), () => f.location.state(), () => f.location.city()])(), 'text'),
    postcode: () => s.say(f.location.zipCode(), 'code'),
    phone: () =>
      s.say(s.pick([() => f.phone.number(), () => f.phone.number({ style: 'international' }), () => f.phone.number({ style: 'national' })])(), 'code'),
    email: () =>
      s.say(
        s.pick([
          () => f.internet.email(),
          () => f.internet.email({ provider: english.internet.domainName() }),
          () => `${asciiFold(f.person.lastName())}${f.number.int(99)}@${f.internet.domainName()}`,
        ])(),
        'net',
      ),
    ip: () => s.say(f.internet.ipv4(), 'net'),
    url: () =>
      s.say(
        s.pick([
          () => f.internet.domainName(),
          () => f.internet.url({ appendSlash: false }).replace(/^https?:\/\//, s.chance(0.5) ? 'www.' : ''),
          () => `${f.internet.domainName()}/${english.lorem.word()}`,
        ])(),
        'net',
      ),
    iban: () => s.say(f.finance.iban(), 'code'),
    card: () => s.say(f.finance.creditCardNumber().replace(/\D/g, ''), 'code'),
    birth: () => {
      const b = f.date.birthdate();
      const month = b.toLocaleString('en', { month: 'long', timeZone: 'UTC' }).toLowerCase();
      const day = b.getUTCDate();
      return s.pick([
        `${month} ${ordinalWords(day)} ${s.year(b.getUTCFullYear())}`,
        `${ordinalWords(day)} ${month} ${s.year(b.getUTCFullYear())}`,
        `${s.digits(String(day).padStart(2, '0'))} ${s.digits(String(b.getUTCMonth() + 1).padStart(2, '0'))} ${s.year(b.getUTCFullYear())}`,
      ]);
    },
    age: () => words(f.number.int({ min: 16, max: 99 })),
    account: () => s.digits(d(s.pick([8, 9, 10, 11, 12]))),
    ssn: () => s.digits(d(9)),
    passport: () => s.pick([() => s.digits(d(9)), () => `${s.say(english.string.alpha(2), 'code')} ${s.digits(d(7))}`])(),
    licence: () => `${s.say(english.string.alpha(1), 'code')} ${s.digits(d(s.pick([7, 8, 12])))}`,
  };
}

/** Cues per type: how people introduce a value in speech (distinct from the held-out sets' sentence shapes). */
const CUES: Record<EntityType, string[]> = {
  PERSON: [
    'my name is',
    "i'm",
    'this is',
    'i spoke to',
    'ask for',
    'it was signed by',
    'the account holder is',
    'first name',
    'surname',
    'family name',
    'given name',
    'passenger',
    'guest',
    'patient',
    'applicant',
    'dear',
    'thanks',
    'with',
    'meet',
    'from',
    'by',
    'and',
    'to',
    'mr',
    'mrs',
    'ms',
    'doctor',
    'professor',
    'my wife',
    'my son',
    'her husband',
    'his daughter',
    'my manager',
    'the driver',
    'contact person',
    'reference person',
    'next of kin',
  ],
  STREET_ADDRESS: [
    'i live at',
    'my address is',
    'the address is',
    'mailing address',
    'street address',
    'residence',
    'send it to',
    'deliver to',
    'pick me up at',
    'the property at',
    'we are based at',
    'you can find us at',
    'come to',
    'it is at',
    'at',
    'on',
    'postal address',
    'correspondence address',
    'drop it off at',
    'the house at',
    'address line one',
  ],
  LOCATION: [
    'in',
    'from',
    'near',
    'to',
    'i live in',
    'we moved to',
    'i am from',
    'he flew to',
    'based in',
    'city',
    'town',
    'country',
    'state',
    'she lives in',
    'born in',
    'visiting',
  ],
  ZIP_CODE: ['zip', 'zip code', 'postal code', 'postcode', 'post code', 'the code is', 'pin code', 'postal district'],
  PHONE_NUMBER: [
    'my number is',
    'call me on',
    'phone',
    'telephone',
    'mobile number',
    'cell',
    'landline',
    'call',
    'text me at',
    'reach me on',
    'ring',
    'whatsapp',
    'fax',
    'contact number',
    'extension',
    'dial',
    'you can call',
    'my phone is',
  ],
  EMAIL_ADDRESS: ['email', 'my email is', 'e mail address', 'mail me at', 'send it to', 'write to', 'contact', 'cc', 'the address is', 'reach me at'],
  IP_ADDRESS: ['ip', 'i p address', 'the server is', 'connect to', 'gateway', 'host', 'ping', 'the device at', 'address', 'router at', 'whitelist'],
  URL: ['website', 'go to', 'visit', 'the site is', 'link', 'check out', 'homepage', 'url', 'at', 'on'],
  IBAN_CODE: ['iban', 'i b a n', 'account', 'transfer to', 'pay into', 'bank details', 'the international account number is'],
  CREDIT_CARD: ['card number', 'my card is', 'credit card', 'debit card', 'visa', 'mastercard', 'pay with', 'charge', 'the card', 'number on the card'],
  DATE_OF_BIRTH: ['born on', 'date of birth', 'd o b', 'birthday', 'my birthday is', 'born', 'birth date'],
  AGE: ['aged', 'age', 'i am', 'she is', 'he turned', 'my son is'],
  BANK_ACCOUNT: ['account number', 'checking account', 'savings account', 'account', 'bank account', 'sort code and account', 'acct'],
  US_SSN: ['social security number', 'social', 's s n', 'ssn', 'tax id'],
  PASSPORT: ['passport', 'passport number', 'travel document', 'document number'],
  US_DRIVER_LICENSE: ['driver license', "driver's licence", 'licence number', 'license', 'd l number'],
};
const AFTER: Partial<Record<EntityType, string[]>> = { AGE: ['years old', 'year old', 'years of age'] };
const LABELS: Array<[string[], EntityType]> = [
  [['given name', 'first name', 'surname', 'family name', 'contact'], 'PERSON'],
  [['telephone', 'cell', 'phone number', 'landline'], 'PHONE_NUMBER'],
  [['mailing address', 'street address', 'residence', 'delivery'], 'STREET_ADDRESS'],
  [['e mail address', 'mail'], 'EMAIL_ADDRESS'],
  [['city', 'town', 'country'], 'LOCATION'],
  [['zip', 'postal code'], 'ZIP_CODE'],
  [['d o b', 'birth date'], 'DATE_OF_BIRTH'],
  [['homepage', 'url'], 'URL'],
];
const TURN_OPENERS = ['a', 'b', 'q', 'agent', 'client', 'operator', 'me', 'you'];
const FILLERS = ['', '', '', 'um', 'uh', 'so', 'okay', 'yeah', 'right', 'well', 'sure'];
const CORRECTIONS = ['sorry i mean', 'no wait', 'actually', 'correction', 'let me repeat that', 'i said', 'scratch that'];

const KEY_OF: Record<EntityType, keyof Values> = {
  PERSON: 'person',
  STREET_ADDRESS: 'address',
  LOCATION: 'place',
  ZIP_CODE: 'postcode',
  PHONE_NUMBER: 'phone',
  EMAIL_ADDRESS: 'email',
  IP_ADDRESS: 'ip',
  URL: 'url',
  IBAN_CODE: 'iban',
  CREDIT_CARD: 'card',
  DATE_OF_BIRTH: 'birth',
  AGE: 'age',
  BANK_ACCOUNT: 'account',
  US_SSN: 'ssn',
  PASSPORT: 'passport',
  US_DRIVER_LICENSE: 'licence',
};
/** How often each type is drawn: the types that leak most on recognised speech more often. */
const WEIGHTS: Array<[EntityType, number]> = [
  ['PERSON', 6],
  ['STREET_ADDRESS', 5],
  ['LOCATION', 3],
  ['ZIP_CODE', 3],
  ['PHONE_NUMBER', 4],
  ['EMAIL_ADDRESS', 3],
  ['IP_ADDRESS', 2],
  ['URL', 2],
  ['IBAN_CODE', 1],
  ['CREDIT_CARD', 2],
  ['DATE_OF_BIRTH', 2],
  ['AGE', 1],
  ['BANK_ACCOUNT', 1],
  ['US_SSN', 1],
  ['PASSPORT', 1],
  ['US_DRIVER_LICENSE', 1],
];

function tagged(parts: Part[]): { words: string[]; tags: string[] } {
  const words: string[] = [];
  const tags: string[] = [];
  for (const p of parts) {
    const [type, text] = typeof p === 'string' ? [null, p] : p;
    const ws = text.split(/\s+/).filter(Boolean);
    ws.forEach((w, k) => {
      words.push(w);
      tags.push(type ? `${k === 0 ? 'B' : 'I'}-${type}` : 'O');
    });
  }
  return { words, tags };
}

/** Real lines safe as carriers and negatives: every word in the lexicon, no run of number words, 3-30 words. */
function carrierLines(lexicon: Set<string>, limitPerFile: number, r: () => number): string[] {
  const lines: string[] = [];
  const keep = (raw: string) => {
    const text = asciiFold(raw)
      .replace(/[^a-z' ]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const ws = text.split(' ');
    if (ws.length < 3 || ws.length > 30 || /\d/.test(raw)) return;
    if (!ws.every((w) => lexicon.has(w) || lexicon.has(w.replace(/'s$/, '')))) return;
    if (/\b(?:one|two|three|four|five|six|seven|eight|nine|oh|zero) (?:one|two|three|four|five|six|seven|eight|nine|oh|zero)\b/.test(text)) return;
    lines.push(text);
  };
  const lm = join(sharedSpeechDir(), '..', 'lm-text');
  for (const file of ['meetings-ami', 'dialog-taskmaster', 'queries-clinc', 'queries-polyai', 'queries-nlueval', 'commonvoice-sentences', 'gutenberg']) {
    const path = join(lm, `${file}.txt.xz`);
    if (!existsSync(path)) continue;
    const all = execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 30 })
      .toString('utf8')
      .split('\n');
    const step = Math.max(1, Math.floor(all.length / (limitPerFile * 3)));
    let taken = 0;
    for (let i = Math.floor(r() * step); i < all.length && taken < limitPerFile; i += step) {
      const before = lines.length;
      keep(all[i]!);
      taken += lines.length - before;
    }
  }
  const tsv = join(sharedSpeechDir(), 'speech.tsv');
  if (existsSync(tsv)) {
    for (const row of readFileSync(tsv, 'utf8').split('\n').slice(1)) {
      const [corpus, id, , text] = row.split('\t');
      if (text && corpus && id && !heldOutSpeech(corpus, id, text)) keep(text);
    }
  }
  return lines;
}

/** The train / held-out split of scripts/data/split.py (real speech held out for evaluation never trains). */
function heldOutSpeech(corpus: string, id: string, text: string): boolean {
  if (corpus === 'librispeech') return ['32', '226', '1737', '7312'].includes(id.split('-')[0]!);
  if (corpus === 'commonvoice') return createHash('sha1').update(text.trim().toLowerCase()).digest()[0]! % 16 === 0;
  if (corpus === 'ljspeech') return id >= 'LJ002-0150';
  return true;
}

export function generate(seed: number, sentences: number): { words: string[]; tags: string[] }[] {
  const r = seeded(seed);
  const s = new Say(r);
  const lexicon = new Set(readFileSync(join(packageRoot(), 'redaction', 'gazetteers', 'english-words.txt'), 'utf8').split('\n'));
  const carriers = carrierLines(lexicon, 20000, r);
  const total = WEIGHTS.reduce((a, [, w]) => a + w, 0);
  const drawType = (): EntityType => {
    let x = r() * total;
    for (const [t, w] of WEIGHTS) {
      x -= w;
      if (x < 0) return t;
    }
    return 'PERSON';
  };
  const carrierSlice = (max: number) => {
    const ws = s.pick(carriers).split(' ');
    const n = Math.floor(r() * Math.min(max, ws.length + 1));
    const from = Math.floor(r() * (ws.length - n + 1));
    return ws.slice(from, from + n).join(' ');
  };
  const out: { words: string[]; tags: string[] }[] = [];
  for (let i = 0; i < sentences; i++) {
    const locale = allLocales[s.pick(TRAINING_LOCALES)];
    const v = values(locale, s, seed * 1_000_003 + i);
    const entity = (t: EntityType): Part => {
      try {
        return [t, v[KEY_OF[t]]()];
      } catch {
        return [t, values(en, s, i)[KEY_OF[t]]()]; // a locale without data for this field (en_HK has no postcodes)
      }
    };
    const cued = (t: EntityType): Part[] => [s.pick(CUES[t]), entity(t), ...(AFTER[t] ? [s.pick(AFTER[t]!)] : [])];
    const shape = r();
    let parts: Part[];
    if (shape < 0.18)
      parts = [s.pick(carriers)]; // a negative
    else if (shape < 0.55) parts = [carrierSlice(10), s.pick(FILLERS), ...cued(drawType()), carrierSlice(8)];
    else if (shape < 0.65) {
      const fields = [...LABELS].sort(() => r() - 0.5).slice(0, 2 + Math.floor(r() * 3));
      parts = fields.flatMap(([labels, t]) => [s.pick(labels), entity(t)]);
    } else if (shape < 0.73) parts = [s.pick(TURN_OPENERS), carrierSlice(8), s.pick(TURN_OPENERS), s.pick(FILLERS), ...cued(drawType())];
    else if (shape < 0.8) {
      const t = drawType();
      parts = [...cued(t), s.pick(CORRECTIONS), entity(t)];
    } else if (shape < 0.87)
      parts = [
        entity('PERSON'),
        s.pick(['who lives in', 'moved from', 'a nurse from', 'the owner of the shop in', 'returned to']),
        entity(s.chance(0.5) ? 'LOCATION' : 'STREET_ADDRESS'),
        carrierSlice(6),
      ];
    else if (shape < 0.93) parts = [s.pick(['is this', 'can i speak to', 'did you send it to', 'is your number', 'was it', 'do you mean']), entity(drawType())];
    else parts = [entity(drawType()), carrierSlice(10)];
    let sample = tagged(parts);
    // A segment boundary inside the entity: the tagger must flag a half entity too.
    if (r() < 0.08) {
      const inside = sample.tags.map((t, k) => (t.startsWith('I-') ? k : -1)).filter((k) => k >= 0);
      if (inside.length > 0) {
        const cut = s.pick(inside);
        sample =
          r() < 0.5
            ? { words: sample.words.slice(0, cut), tags: sample.tags.slice(0, cut) }
            : { words: sample.words.slice(cut), tags: [sample.tags[cut]!.replace('I-', 'B-'), ...sample.tags.slice(cut + 1)] };
      }
    }
    if (sample.words.length > 0 && sample.words.length <= 60) out.push(sample);
  }
  return out;
}

function main(): void {
  const { values: args } = parseArgs({
    options: { out: { type: 'string' }, sentences: { type: 'string', default: '120000' }, seed: { type: 'string', default: '14' } },
  });
  const sentences = Number(args.sentences);
  const seed = Number(args.seed);
  if (!args.out || !Number.isInteger(sentences) || sentences < 1 || !Number.isInteger(seed)) {
    console.error('usage: node dist/scripts/data/tagger-text.js --out DIR [--sentences N] [--seed N]');
    process.exitCode = 2;
    return;
  }
  mkdirSync(args.out, { recursive: true });
  const data = generate(seed, sentences);
  writeFileSync(join(args.out, 'tagger-text.txt'), `${data.map((d) => d.words.join(' ')).join('\n')}\n`);
  writeFileSync(join(args.out, 'tagger-text.tags'), `${data.map((d) => d.tags.join(' ')).join('\n')}\n`);
  console.log(JSON.stringify({ sentences: data.length, seed, out: args.out }));
}

if (process.argv[1]?.endsWith('tagger-text.js')) main();
