/** Validators that separate real identifiers from arbitrary digit strings. */

/** Luhn (mod 10) check used by every card scheme. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN: two country letters, two check digits, up to 30 alphanumerics; mod 97 of the rearranged number is 1. */
export function ibanValid(code: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(code)) return false;
  const rearranged = code.slice(4) + code.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of value) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/** IBAN length per country (ISO 13616 registry, the countries most often heard). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TR: 26,
};

/** The shape of a registered country's IBAN, checksum aside. */
export function ibanShaped(code: string): boolean {
  return /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(code) && IBAN_LENGTHS[code.slice(0, 2)] === code.length;
}

/** US SSN issuance rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = digits.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** ABA routing number: weights 3, 7, 1 repeated; sum divisible by 10. */
export function abaRoutingValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  return weights.reduce((sum, w, i) => sum + w * Number(digits[i]), 0) % 10 === 0;
}

/** North American Numbering Plan: area code and exchange start with 2-9; optional leading country code 1. */
export function nanpValid(digits: string): boolean {
  return /^1?[2-9]\d{2}[2-9]\d{6}$/.test(digits);
}

/** UK national numbers: 11 digits starting 0 followed by 1, 2, 3, 5, 7, 8 or 9. */
export function ukPhoneValid(digits: string): boolean {
  return /^0[1235789]\d{9}$/.test(digits);
}
