/** Letter-and-digit identifiers: IBANs (checksum-validated), passports and US driver licences (context-dependent). */
import { ContextWords, type Analysis, type Candidate } from '../context.js';
import { ibanShaped, ibanValid } from '../checksums.js';
import { codeWindows, type CodeRun } from '../spoken-letters.js';
import type { EntityType } from '../types.js';

const PASSPORT = new ContextWords(['passport', 'passport number']);
const DRIVER_LICENSE = new ContextWords([
  "driver's license",
  'drivers license',
  'driver license',
  "driver's licence",
  'drivers licence',
  'driving licence',
  'driving license',
  'license number',
  'licence number',
  'd l',
  'dl number',
  'license',
  'licence',
]);

function candidate(type: EntityType, w: CodeRun, score: number, source: string): Candidate {
  return { type, start: w.start, end: w.end, score, source, value: w.text };
}

export function recognizeIbans({ codeRuns }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  for (const run of codeRuns) {
    for (const w of codeWindows(run, 15, 34)) {
      if (w.pieces[0]!.kind !== 'letter') continue;
      if (ibanValid(w.text)) found.push(candidate('IBAN_CODE', w, 0.95, 'rule:iban'));
      // A registered country's exact IBAN length failing the checksum: a misheard character of a real IBAN.
      else if (ibanShaped(w.text)) found.push(candidate('IBAN_CODE', w, 0.6, 'rule:iban_unverified'));
    }
  }
  return found;
}

/** Document numbers are arbitrary digit/letter runs, so only context makes them one. */
function contextual(analysis: Analysis, type: EntityType, context: ContextWords, shape: RegExp, min: number, max: number, source: string): Candidate[] {
  const found: Candidate[] = [];
  for (const run of analysis.codeRuns) {
    if (!context.near(analysis.words, run.start, run.end, 8, 3)) continue;
    for (const w of codeWindows(run, min, max)) {
      if (shape.test(w.text)) found.push(candidate(type, w, 0.85, source));
    }
  }
  return found;
}

export function recognizePassports(analysis: Analysis): Candidate[] {
  // US: 9 digits or a letter and 8 digits; UK: 9 digits; many others 1-2 letters and 6-8 digits.
  return contextual(analysis, 'PASSPORT', PASSPORT, /^[A-Z]{0,2}\d{6,9}$/, 6, 11, 'rule:passport');
}

export function recognizeDriverLicenses(analysis: Analysis): Candidate[] {
  // US state formats range from 1 letter + 4 digits to 14 digits; some mix letters after the first.
  return contextual(analysis, 'US_DRIVER_LICENSE', DRIVER_LICENSE, /^(?=(?:.*\d){4})[A-Z]{0,3}[A-Z0-9]{4,14}$/, 5, 16, 'rule:us_driver_license');
}
