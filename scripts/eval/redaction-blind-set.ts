/**
 * The third held-out redaction set (`npm run eval -- redaction --set blind`), written on 2026-12-06 BEFORE any
 * detector of issue 14 was changed, and by a different method from both the earlier sets and the training text:
 *
 * - Values come from @faker-js/faker in twelve locales used nowhere else in the project (BLIND_LOCALES: Swiss
 *   German, Danish, Norwegian, Hungarian, Czech, Romanian, Croatian, Zulu, Indonesian, Yoruba, Slovak, Latvian),
 *   as WRITTEN text ("Clematisvej 4, 5. tv", "+45 5511 8936", "Stanca_Vaduva69@gmail.com").
 * - A converter of its own (speakWritten below) turns the written value into what a recogniser emits: accents
 *   folded to ASCII, punctuation dropped, numbers as cardinals or digit strings ("oh", "double"), symbols as
 *   "at", "dot"/"point", "dash", "slash", "plus", "underscore", mixed letter-digit codes spelled out.
 * - Sentence shapes of their own: form label lists, customer-service dialogue turns, questions, corrections,
 *   chat, biography and news/song prose, several entities per sentence in any order.
 *
 * Gold types: a whole spoken address (house number, street, unit, city, region, postcode, country said as one
 * address) is STREET_ADDRESS; a postcode said alone is ZIP_CODE; a city or country said alone is LOCATION.
 * Never tune a detector on this set: it is evidence only while nobody has read its misses.
 */
import { Faker, allLocales, base, en, type LocaleDefinition } from '@faker-js/faker';
import type { EntityType } from '../../redaction/types.js';
import { ONES as UNITS, TENS as DECADES } from '../../daemon/text/spoken-form.js';
import { build, type Part, type Sample } from './spoken-values.js';

/** The day faker's dates (birth dates) count from. */
const FIXED_REFERENCE_DATE = '2026-12-06T00:00:00.000Z';

export const BLIND_LOCALES = ['de_CH', 'da', 'nb_NO', 'hu', 'cs_CZ', 'ro', 'hr', 'zu_ZA', 'id_ID', 'yo_NG', 'sk', 'lv'] as const;

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const ORDINAL_WORDS: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

/** A cardinal in words, 0..999999 ("three thousand one hundred twelve"). */
export function cardinal(n: number): string {
  if (n < 20) return UNITS[n]!;
  if (n < 100) return DECADES[Math.floor(n / 10)]! + (n % 10 ? ` ${UNITS[n % 10]}` : '');
  if (n < 1000) return `${UNITS[Math.floor(n / 100)]} hundred${n % 100 ? ` ${cardinal(n % 100)}` : ''}`;
  return `${cardinal(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${cardinal(n % 1000)}` : ''}`;
}

function ordinal(n: number): string {
  const words = cardinal(n).split(' ');
  const last = words.pop()!;
  const said = ORDINAL_WORDS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return [...words, said].join(' ');
}

/** Diacritics and letters outside a-z folded the way an English recogniser would spell them. */
export function foldToAscii(text: string): string {
  const special: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', å: 'a', ł: 'l', đ: 'd', ı: 'i', þ: 'th', œ: 'oe' };
  return text
    .toLowerCase()
    .replace(/[ßøæåłđıþœ]/g, (c) => special[c]!)
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

const ABBREVIATIONS: Record<string, string> = {
  apt: 'apartment',
  ap: 'apartment',
  gg: 'gang',
  no: 'number',
  str: 'strasse',
  em: 'emelet',
  tv: 'tv',
  th: 'th',
  bl: 'block',
  sc: 'scara',
  jl: 'jalan',
  u: 'utca',
};

type Style = 'address' | 'digits' | 'network';

/**
 * Written value -> spoken form. `address`: numbers as cardinals or digit strings; `digits`: each digit said
 * (phone numbers, postcodes, cards), letters of mixed codes spelled; `network`: symbols said (emails, IPs, URLs).
 */
export function speakWritten(written: string, style: Style, random: () => number): string {
  const zero = random() < 0.5 ? 'oh' : 'zero';
  const dot = style === 'network' && random() < 0.2 ? 'point' : 'dot';
  const digitString = (digits: string) => {
    const out: string[] = [];
    for (let i = 0; i < digits.length; i++) {
      const word = digits[i] === '0' ? zero : UNITS[Number(digits[i])]!;
      if (digits[i + 1] === digits[i] && random() < 0.5) {
        out.push(`double ${word}`);
        i += 1;
      } else out.push(word);
    }
    return out.join(' ');
  };
  const number = (digits: string) => {
    if (style === 'digits') return digitString(digits);
    if (digits.length <= 4 && !digits.startsWith('0') && random() < (style === 'network' ? 0.5 : 0.7)) return cardinal(Number(digits));
    return digitString(digits);
  };
  const pieces = foldToAscii(written).match(/\d+|[a-z]+|[@.\-/+_]/g) ?? [];
  const words: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const next = pieces[i + 1];
    if (/^\d+$/.test(piece) && /^(?:st|nd|rd|th)$/.test(next ?? '') && piece.length <= 3) {
      words.push(ordinal(Number(piece)));
      i += 1;
    } else if (/^\d+$/.test(piece)) words.push(number(piece));
    else if (next === '.' && style === 'address' && ABBREVIATIONS[piece]) words.push(ABBREVIATIONS[piece]!);
    else if (/^[a-z]+$/.test(piece)) {
      const mixedCode = style === 'digits' || (piece.length <= 2 && (/^\d/.test(next ?? '') || /\d$/.test(pieces[i - 1] ?? '')) && style !== 'network');
      words.push(mixedCode ? [...piece].join(' ') : piece);
    } else if (style === 'network') words.push({ '@': 'at', '.': dot, '-': 'dash', '/': 'slash', '+': 'plus', _: 'underscore' }[piece]!);
    else if (piece === '+') words.push('plus');
  }
  return words.join(' ');
}

/** One blind-set sentence: parts with gold types, built by a seeded faker of one blind locale. */
type Shape = (v: Values) => Part[];

interface Values {
  random: () => number;
  pick<T>(items: readonly T[]): T;
  person(): string;
  surnameSpelled(): string;
  address(): string;
  city(): string;
  country(): string;
  postcode(): string;
  phone(): string;
  email(): string;
  ip(): string;
  card(): string;
  iban(): string;
  birthDate(): string;
  url(): string;
}

function valuesFor(locale: LocaleDefinition, english: Faker, seed: number, random: () => number): Values {
  const faker = new Faker({ locale: [locale, en, base] });
  faker.seed(seed);
  // Dates count from a fixed day, not the clock: the same seed must give the same set on any day.
  faker.setDefaultRefDate(FIXED_REFERENCE_DATE);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const say = (text: string, style: Style) => speakWritten(text, style, random);
  return {
    random,
    pick,
    person: () =>
      say(
        pick([
          faker.person.fullName(),
          `${faker.person.firstName()} ${faker.person.lastName()}`,
          faker.person.firstName(),
          `${faker.person.firstName()[0]} ${faker.person.lastName()}`,
        ]),
        'address',
      ),
    surnameSpelled: () => [...foldToAscii(faker.person.lastName()).replace(/[^a-z]/g, '')].join(' '),
    address: () => {
      const parts = [say(faker.location.streetAddress(random() < 0.4), 'address')];
      if (random() < 0.5) parts.push(say(faker.location.city(), 'address'));
      if (random() < 0.4) parts.push(say(faker.location.zipCode(), 'digits'));
      if (random() < 0.3) parts.push(say(english.location.country(), 'address'));
      return parts.join(' ');
    },
    city: () => say(faker.location.city(), 'address'),
    country: () => say(english.location.country(), 'address'),
    postcode: () => say(faker.location.zipCode(), 'digits'),
    phone: () => say(faker.phone.number(), 'digits'),
    email: () => say(faker.internet.email(), 'network'),
    ip: () => say(faker.internet.ipv4(), 'network'),
    card: () => say(faker.finance.creditCardNumber(), 'digits'),
    iban: () => say(faker.finance.iban(), 'digits'),
    birthDate: () => {
      const d = faker.date.birthdate();
      const year = d.getUTCFullYear();
      const yearWords = `${cardinal(Math.floor(year / 100))} ${year % 100 === 0 ? 'hundred' : year % 100 < 10 ? `oh ${cardinal(year % 100)}` : cardinal(year % 100)}`;
      const month = MONTH_NAMES[d.getUTCMonth()]!;
      return pick([`${month} ${ordinal(d.getUTCDate())} ${yearWords}`, `the ${ordinal(d.getUTCDate())} of ${month} ${yearWords}`]);
    },
    url: () =>
      say(pick([faker.internet.domainName(), `www.${faker.internet.domainName()}`, `${faker.internet.domainName()}/${faker.lorem.word()}`]), 'network'),
  };
}

const LABELS: Array<[string[], EntityType, keyof Values]> = [
  [['name', 'full name', 'customer name'], 'PERSON', 'person'],
  [['phone', 'mobile', 'tel', 'contact number'], 'PHONE_NUMBER', 'phone'],
  [['address', 'home address', 'street'], 'STREET_ADDRESS', 'address'],
  [['email', 'e mail'], 'EMAIL_ADDRESS', 'email'],
  [['website', 'web'], 'URL', 'url'],
  [['postcode', 'post code'], 'ZIP_CODE', 'postcode'],
  [['date of birth', 'born'], 'DATE_OF_BIRTH', 'birthDate'],
];

const SHAPES: Shape[] = [
  // Form read out as a label list, fields in any order.
  (v) => {
    const fields = [...LABELS].sort(() => v.random() - 0.5).slice(0, 2 + Math.floor(v.random() * 3));
    return fields.flatMap(([labels, type, key]) => [v.pick(labels), [type, (v[key] as () => string)()] as Part]);
  },
  (v) => ['agent thanks for calling who am i speaking with . caller', ['PERSON', v.person()], 'hi'],
  (v) => ["what's the name on the policy . it's", ['PERSON', v.person()]],
  (v) => ['and how do you spell the surname . it is', ['PERSON', v.surnameSpelled()]],
  (v) => ['ok', ['PERSON', v.person()], 'speaking how can i help'],
  (v) => ['please ship the order to', ['STREET_ADDRESS', v.address()], 'before friday'],
  (v) => ['the billing address is', ['STREET_ADDRESS', v.address()]],
  (v) => ['our new office is located at', ['STREET_ADDRESS', v.address()]],
  (v) => ['i moved last month . the new place is', ['STREET_ADDRESS', v.address()]],
  (v) => [['PERSON', v.person()], 'was born on', ['DATE_OF_BIRTH', v.birthDate()], 'in', ['LOCATION', v.city()], 'and grew up in', ['LOCATION', v.country()]],
  (v) => ['police said', ['PERSON', v.person()], 'of', ['STREET_ADDRESS', v.address()], 'was questioned on tuesday'],
  (v) => ['the new single by', ['PERSON', v.person()], 'opens with a slow piano line and never lets go'],
  (v) => ['hey its', ['PERSON', v.person()], 'here my new number is', ['PHONE_NUMBER', v.phone()], 'save it'],
  (v) => ['you can ring me on', ['PHONE_NUMBER', v.phone()], 'no sorry it is', ['PHONE_NUMBER', v.phone()]],
  (v) => ["what's your postcode . it's", ['ZIP_CODE', v.postcode()]],
  (v) => ['we are in', ['LOCATION', v.city()], ['ZIP_CODE', v.postcode()]],
  (v) => ['can you check why', ['IP_ADDRESS', v.ip()], 'keeps dropping off the network'],
  (v) => ['the printer took the address', ['IP_ADDRESS', v.ip()], 'from the router'],
  (v) => ['reply to', ['EMAIL_ADDRESS', v.email()], 'when you get a chance'],
  (v) => ['the card is', ['CREDIT_CARD', v.card()], 'and the expiry is next june'],
  (v) => ['please refund it to', ['IBAN_CODE', v.iban()]],
  (v) => ['the booking page is', ['URL', v.url()], 'if you want to look'],
];

/** No personal data, several with the cue words of the shapes above in ordinary use. */
const NEGATIVE_TEXT = [
  'the meeting is at three thirty in room two oh four',
  'we sold forty two thousand copies last year',
  'the address on the envelope was smudged by the rain',
  'turn right at the second light and park behind the bakery',
  'can you read me the total again please',
  'the song has three verses and a very long bridge',
  'our office will be closed on the twenty fifth',
  'press one for billing and two for anything else',
  'the flight lands at gate forty two just after noon',
  'the shop is located at the end of the road near the river',
  'what is the name of the film we saw last week',
  'the new album opens with a slow piano line',
  'police said the road was closed for two hours',
  'i moved the chairs into the other room',
  'the printer ran out of paper again this morning',
  'ship it whenever it is ready no rush',
  'you can ring the bell twice if nobody answers',
  'the policy covers fire and flood but not theft',
  'is the billing done for this month',
  'speaking of dinner what are we cooking tonight',
];

/**
 * `sentences` positive sentences (each of the shapes in turn, locales in turn, values from a faker seeded per
 * sentence) and `negatives` sentences without personal data.
 */
export function blindSet(seed: number, sentences: number, negatives: number, digitErrorRate = 0, noise: () => number = Math.random): Sample[] {
  let state = seed >>> 0;
  // A separate PRNG from the earlier sets' (xorshift32) so no value stream is shared with them.
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  if (state === 0) state = 0x9e3779b9;
  const english = new Faker({ locale: [en, base] });
  english.seed(seed);
  english.setDefaultRefDate(FIXED_REFERENCE_DATE);
  const samples: Sample[] = [];
  for (let i = 0; i < sentences; i++) {
    const locale = allLocales[BLIND_LOCALES[i % BLIND_LOCALES.length]!];
    const shape = SHAPES[Math.floor(i / BLIND_LOCALES.length) % SHAPES.length]!;
    samples.push(build(shape(valuesFor(locale, english, seed * 100003 + i, random)), digitErrorRate, noise));
  }
  for (let i = 0; i < negatives; i++) samples.push(build([NEGATIVE_TEXT[Math.floor(random() * NEGATIVE_TEXT.length)]!], digitErrorRate, noise));
  return samples;
}
