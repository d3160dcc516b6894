/** Digit-string identifiers: credit cards, phone numbers, US SSNs, bank accounts and ZIP codes. */
import { ContextWords, contextScore, notPersonalNear, type Analysis, type Candidate } from '../context.js';
import { abaRoutingValid, luhnValid, nanpValid, ssnValid, ukPhoneValid } from '../checksums.js';
import { edgeWindows, isNumberWord, type NumberRun } from '../spoken-numbers.js';
import { gazetteer, isUnknownWord } from '../gazetteer.js';
import type { EntityType } from '../types.js';

const CARD = new ContextWords([
  'card',
  'credit',
  'debit',
  'visa',
  'mastercard',
  'master card',
  'amex',
  'american express',
  'discover',
  'card number',
  'expiry',
  'expiration',
  'expires',
  'charge it',
  'charge it to',
  'pay with',
  'security code',
  'cvv',
  'c v v',
  'long number',
]);
const PHONE = new ContextWords([
  'phone',
  'call',
  'cell',
  'mobile',
  'telephone',
  'tel',
  'text',
  'reach',
  'dial',
  'ring',
  'landline',
  'contact',
  'fax',
  'whatsapp',
  'my number',
  'your number',
  'his number',
  'her number',
  'new number',
  'get me on',
  'extension',
  'area code',
  'toll free',
]);
const SSN = new ContextWords(['social security', 'social', 'ssn', 's s n', 'security number', 'tax id', 'taxpayer']);
const BANK = new ContextWords(['account', 'account number', 'routing', 'sort code', 'bank', 'checking', 'savings', 'acct']);
const ROUTING = new ContextWords(['routing', 'aba', 'routing number']);
const ZIP = new ContextWords(['zip', 'zip code', 'postal code', 'postcode', 'post code', 'postal', 'plz', 'cap', 'code postal', 'codigo postal']);

function candidate(type: EntityType, window: NumberRun, score: number, source: string, value = window.digits): Candidate {
  return { type, start: window.start, end: window.end, score, source, value };
}

export function recognizeCreditCards({ words, numberRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const run of numberRuns) {
    // The whole run, or, next to card context, a 15-16 digit part of it with extra digits (an expiry date) at one
    // end; without context a sub-window would pass Luhn by chance too often.
    const context = CARD.near(words, run.start, run.end);
    const windows = context ? [run, ...edgeWindows(run, 15, 16)] : [run];
    for (const w of windows) {
      if (w.digits.length < 13 || w.digits.length > 19) continue;
      if (luhnValid(w.digits)) {
        // Issuer prefixes (3 Amex/Diners/JCB, 4 Visa, 5 Mastercard, 6 Discover) make a valid Luhn string far likelier a card.
        const base = /^[3-6]/.test(w.digits) ? 0.6 : 0.35;
        found.push(candidate('CREDIT_CARD', w, contextScore(words, w.start, w.end, base, 0.35, CARD), 'rule:credit_card'));
      } else if (w === run && (context || (/^[3-6]/.test(w.digits) && (w.digits.length === 15 || w.digits.length === 16)))) {
        // Said as a card, or card-shaped (issuer prefix, 15-16 digits), but failing Luhn: most likely a misheard
        // digit of a real card, and the other digits must not leak either.
        found.push(candidate('CREDIT_CARD', w, contextScore(words, w.start, w.end, 0.5, 0.05, CARD), 'rule:credit_card_unverified'));
      }
    }
  }
  return found;
}

/** E.164-style value so one number links however it was said: "+1 202..." = "1 202..." = "202...", "+44 7911..." = "07911...". */
function phoneValue(digits: string, international: boolean): string {
  if (international) return `+${digits}`;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  if (/^0\d{10}$/.test(digits)) return `+44${digits.slice(1)}`;
  return digits;
}

export function recognizePhones({ words, numberRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const w of numberRuns) {
    if (words[w.start - 1] === 'plus' && w.digits.length >= 8 && w.digits.length <= 15) {
      const score = contextScore(words, w.start - 1, w.end, 0.7, 0.25, PHONE);
      found.push(candidate('PHONE_NUMBER', { ...w, start: w.start - 1 }, score, 'rule:phone_international', phoneValue(w.digits, true)));
    } else if (nanpValid(w.digits) || ukPhoneValid(w.digits)) {
      found.push(candidate('PHONE_NUMBER', w, contextScore(words, w.start, w.end, 0.5, 0.35, PHONE), 'rule:phone', phoneValue(w.digits, false)));
    } else if (
      w.digits.length >= 6 &&
      w.digits.length <= 13 &&
      PHONE.near(words, w.start, w.end) &&
      !notPersonalNear(words, w.start, w.end) &&
      !isQuantity(w, words, ['hundred', 'thousand'])
    ) {
      // Digits after phone context: another country's numbering plan (6 to 13 digits), or a misheard digit.
      found.push(candidate('PHONE_NUMBER', w, 0.55, 'rule:phone_unverified', phoneValue(w.digits, false)));
    } else if (/^[2-9]\d{6}$/.test(w.digits)) {
      // A 7-digit local number is only a phone number when someone says so.
      found.push(candidate('PHONE_NUMBER', w, contextScore(words, w.start, w.end, 0.2, 0.4, PHONE), 'rule:phone_local'));
    }
  }
  return found;
}

export function recognizeSsns({ words, numberRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const w of numberRuns) {
    if (w.digits.length !== 9 || isQuantity(w, words, ['thousand'])) continue;
    if (ssnValid(w.digits)) found.push(candidate('US_SSN', w, contextScore(words, w.start, w.end, 0.35, 0.5, SSN), 'rule:us_ssn'));
    // Nine digits said as a social security number but breaking the issuance rules: a misheard digit or an ITIN.
    else if (SSN.near(words, w.start, w.end)) found.push(candidate('US_SSN', w, 0.55, 'rule:us_ssn_unverified'));
  }
  return found;
}

/** "one hundred thousand" is an amount; identifiers are said digit by digit or in small groups. */
function isQuantity(run: NumberRun, words: string[], scales: string[]): boolean {
  return words.slice(run.start, run.end).some((w) => scales.includes(w));
}

export function recognizeBankAccounts({ words, numberRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const w of numberRuns) {
    if (w.digits.length < 6 || w.digits.length > 17 || isQuantity(w, words, ['hundred', 'thousand'])) continue;
    if (w.digits.length === 9 && abaRoutingValid(w.digits) && ROUTING.near(words, w.start, w.end)) {
      found.push(candidate('BANK_ACCOUNT', w, 0.9, 'rule:aba_routing'));
    } else {
      found.push(candidate('BANK_ACCOUNT', w, contextScore(words, w.start, w.end, 0.1, 0.6, BANK), 'rule:bank_account'));
    }
  }
  return found;
}

/** Countries whose postcodes are written with their two-letter code in front ("LV-1050", "LT-01100", "CH-8001"). */
const POSTCODE_COUNTRY_PREFIXES = new Set(['lv', 'lt', 'ch', 'dk', 'se', 'fi', 'li', 'ad', 'mc', 'ee', 'hr', 'si', 'sk', 'cz', 'lu', 'at', 'de', 'pl']);

/** Before a town's name: a postcode right after "in X" names the place even when no gazetteer lists X. */
const TOWN_PREPOSITIONS = new Set(['in', 'near', 'from', 'at']);

export function recognizeZipCodes({ words, numberRuns }: Analysis): Candidate[] {
  const states = gazetteer('us-states');
  const places = [gazetteer('cities'), states, gazetteer('countries')];
  const found: Candidate[] = [];
  // One to three out-of-lexicon words after "in", "near", "from" or "at": a town that no gazetteer lists.
  const afterUnknownTown = (start: number) =>
    [1, 2, 3].some(
      (n) => start - n - 1 >= 0 && TOWN_PREPOSITIONS.has(words[start - n - 1]!) && words.slice(start - n, start).every((x) => isUnknownWord(x, isNumberWord)),
    );
  for (const w of numberRuns) {
    // A country letter prefix said letter by letter ("l v seven four three two": LV-7432) makes a postcode.
    const letters = w.start >= 2 ? [words[w.start - 2]!, words[w.start - 1]!] : [];
    const prefix = letters.every((l) => l.length === 1) ? letters.join('') : '';
    if (POSTCODE_COUNTRY_PREFIXES.has(prefix) && w.digits.length >= 4 && w.digits.length <= 5 && !isQuantity(w, words, ['hundred', 'thousand'])) {
      found.push({ ...candidate('ZIP_CODE', w, 0.75, 'rule:postcode_country_prefix'), start: w.start - 2 });
      continue;
    }
    const afterState = [1, 2].some((n) => w.start - n >= 0 && states.matchAt(words, w.start - n) === n);
    const afterPlace = [1, 2, 3].some((n) => w.start - n >= 0 && places.some((p) => p.matchAt(words, w.start - n) === n)) || afterUnknownTown(w.start);
    if (w.digits.length === 5 || w.digits.length === 9) {
      const score = afterState ? 0.8 : afterPlace && !isQuantity(w, words, ['hundred', 'thousand']) ? 0.6 : contextScore(words, w.start, w.end, 0.2, 0.6, ZIP);
      found.push(candidate('ZIP_CODE', w, score, 'rule:zip_code'));
    } else if (w.digits.length >= 4 && w.digits.length <= 7 && !isQuantity(w, words, ['hundred', 'thousand'])) {
      // Other countries' postcodes (4, 6 or 7 digits) only with a postcode cue or right after a place name.
      const score = ZIP.near(words, w.start, w.end, 4, 0) ? 0.75 : afterPlace ? 0.6 : 0;
      if (score > 0) found.push(candidate('ZIP_CODE', w, score, 'rule:postcode'));
    }
  }
  return found;
}

/**
 * The policy's `longNumbers` option: a run of 8 or more digits, said one by one or in pairs (not an amount with
 * "hundred" or "thousand"), as an account-like number. At the default threshold exactly, so any typed recognizer
 * that claims the same run wins the tie; ordinary-reference contexts lower it below.
 */
export function recognizeLongNumbers({ words, numberRuns }: Analysis): Candidate[] {
  return numberRuns
    .filter((w) => w.digits.length >= 8 && !isQuantity(w, words, ['hundred', 'thousand', 'million']))
    .map((w) => candidate('BANK_ACCOUNT', w, contextScore(words, w.start, w.end, 0.5, 0, BANK), 'rule:long_number'));
}

/** Each type with its context and the fewest digits it can have: shorter runs may be cut off by the segment end. */
const PARTIAL_CONTEXTS: Array<[EntityType, ContextWords, number]> = [
  ['CREDIT_CARD', CARD, 13],
  ['US_SSN', SSN, 9],
  ['BANK_ACCOUNT', BANK, 6],
  ['PHONE_NUMBER', PHONE, 10],
];

/**
 * A number cut off by the end of a segment ("my card number is four five three two" + pause) cannot be validated
 * yet; when its context names a sensitive type, it is redacted as that type rather than left to leak.
 */
export function recognizePartialAtEnd({ words, numberRuns, segmentEnd }: Analysis): Candidate[] {
  const last = numberRuns.find((r) => r.end === segmentEnd);
  if (!last || last.digits.length < 3) return [];
  for (const [type, context, complete] of PARTIAL_CONTEXTS) {
    if (last.digits.length < complete && context.near(words, last.start, last.end, 8, 0)) return [candidate(type, last, 0.55, 'rule:partial_at_segment_end')];
  }
  return [];
}
