/**
 * Street addresses as a structure rather than a phrase: a run of address parts in any order and any locale —
 * house number, street name (often no English word: "lindenhof", "clematisvej"), street-type word of many
 * languages ("via", "rue", "calle", "ulica", "utca", "iela", "jalan") or compound ending ("-strasse", "-weg",
 * "-vej", "-gatan"), unit ("suite five hundred six"), locality, region, country, postcode and spelled postcode
 * letters. A run counts as an address when its parts say so together (e.g. a number and a street type, a number,
 * an unknown word and a unit or place), or when an address cue ("address", "located at", "billing", "ship to")
 * comes right before it. Recall first: the whole run is redacted, locality and postcode included.
 */
import { ContextWords, type Analysis, type Candidate } from '../context.js';
import { gazetteer, isUnknownWord } from '../gazetteer.js';
import { isNumberWord } from '../spoken-numbers.js';
import { STOPWORDS } from '../stopwords.js';

/** Cues after which the next run of address parts is an address even with little structure. */
const ADDRESS_CUE = new ContextWords([
  'address',
  'address is',
  "address's",
  'home address',
  'billing address',
  'billing address is',
  'billing',
  'shipping address',
  'delivery address',
  'located at',
  'is located at',
  'based at',
  'ship to',
  'ship it to',
  'shipped to',
  'ship the order to',
  'ship them to',
  'deliver to',
  'deliver it to',
  'delivered to',
  'send it to',
  'post it to',
  'mail it to',
  'forward it to',
  'live at',
  'lives at',
  'living at',
  'reside at',
  'resides at',
  'new address',
  'new place is',
  'office is at',
  'we are at',
  "we're at",
  'i am at',
  "i'm at",
  'find us at',
  'street',
]);
const UNIT_WORDS = new Set([
  'apartment',
  'apt',
  'unit',
  'suite',
  'flat',
  'floor',
  'block',
  'bloc',
  'staircase',
  'etaj',
  'scara',
  'kat',
  'stan',
  'emelet',
  'ajto',
  'dveri',
  'byt',
  'oppgang',
  'etage',
  'stock',
  'tur',
  'leil',
  'postbox',
  'pobox',
  // Danish floor sides ("tv" til venstre, "th" til hoejre, "mf" midt for) and Hungarian "em" (emelet, floor).
  'tv',
  'th',
  'mf',
  'em',
]);
/**
 * Short street-type words said before the street name in Indonesia and Malaysia ("jl", "gang", "dk" dukuh, "ds"
 * desa, "jr" jorong, "ki", "kp" kampung): street types only when an out-of-lexicon name follows ("dk oliva"), since
 * "jr" or "gang" alone are ordinary English.
 */
const PREFIX_STREET_TYPES = new Set(['jr', 'dk', 'ds', 'ki', 'kp', 'gang', 'jln', 'lr', 'lrg']);
/** Small words inside street names of many languages ("am lindenhof", "rue de la paix", "calle del sol"). */
const CONNECTORS = new Set([
  'am',
  'an',
  'auf',
  'im',
  'de',
  'del',
  'della',
  'di',
  'da',
  'do',
  'dos',
  'das',
  'la',
  'le',
  'les',
  'du',
  'des',
  'der',
  'den',
  'van',
  'von',
  'ter',
  'ten',
  'st',
  'saint',
  'san',
  'santa',
  'sankt',
  'el',
  'al',
  'y',
  'e',
  'i',
  'na',
  'pod',
  'nad',
  'u',
  'ul',
  'ut',
  'and',
  'of',
  'the',
  'north',
  'south',
  'east',
  'west',
  'upper',
  'lower',
  'old',
  'new',
  'great',
  'little',
]);
const COMPOUND_ENDINGS = [
  'strasse',
  'gasse',
  'weg',
  'platz',
  'allee',
  'damm',
  'ufer',
  'straat',
  'laan',
  'gracht',
  'plein',
  'kade',
  'dijk',
  'vej',
  'gade',
  'gata',
  'gatan',
  'vagen',
  'veien',
  'vegen',
  'gaten',
  'katu',
  'tie',
  'kuja',
  'polku',
  'utca',
  'street',
  'road',
  // English street types the recogniser runs into the name ("kingelycourt" for "kingsley court").
  'avenue',
  'lane',
  'drive',
  'court',
  'crescent',
  'close',
  'terrace',
  'boulevard',
  'grove',
  'gardens',
  'straede',
  'torv',
  'hof',
  'berg',
  'steig',
  'pfad',
  'ring',
  // Slavic street names are adjectives ("dunajska", "peljesacka", "rubinsteinova"); counted only as unknown words.
  'ska',
  'cka',
  'ova',
];
/** Words that end a run however address-like the next ones are: the next label of a form, or a verb. */
const BREAKS = new Set([
  'phone',
  'mobile',
  'tel',
  'email',
  'mail',
  'name',
  'website',
  'web',
  'born',
  'date',
  'card',
  'iban',
  'and',
  'postcode',
  'post',
  'zip',
  'before',
  'after',
  'was',
  'is',
  'will',
  'from',
  'when',
  'if',
  'please',
  'thanks',
  'at',
]);
const MAX_WORDS = 18;

type Part = 'number' | 'streetType' | 'unknown' | 'unit' | 'place' | 'letter' | 'connector' | 'word';

export function recognizeStructuredAddresses({ words, numberRuns }: Analysis): Candidate[] {
  const types = gazetteer('street-types');
  const suffixes = gazetteer('street-suffixes');
  const streetType = (w: string | undefined) => w !== undefined && (types.has(w) || suffixes.has(w));
  const places = [gazetteer('cities'), gazetteer('us-states'), gazetteer('countries')];
  const english = gazetteer('english-words');
  const numberAt = new Map(numberRuns.map((r) => [r.start, r]));

  /** What one word can be in an address, and how many words it covers (places and numbers span several). */
  const partAt = (i: number): { part: Part; end: number } | null => {
    const w = words[i]!;
    const number = numberAt.get(i);
    if (number) return number.digits.length <= 8 ? { part: 'number', end: number.end } : null;
    const place = Math.max(...places.map((p) => p.matchAt(words, i)));
    // "n o" (numero) before a house number: "gang satria n o forty three".
    if (w === 'n' && words[i + 1] === 'o' && (numberAt.has(i + 1) || numberAt.has(i + 2))) return { part: 'unit', end: numberAt.has(i + 1) ? i + 1 : i + 2 };
    if (PREFIX_STREET_TYPES.has(w) && isUnknownWord(words[i + 1], isNumberWord)) return { part: 'streetType', end: i + 1 };
    // Norwegian "<name>s gate <number>" ("edvardsens gate nine"): "gate" is English too, so only before a number.
    if (w === 'gate' && numberAt.has(i + 1) && i > 0 && words[i - 1]!.endsWith('s')) return { part: 'streetType', end: i + 1 };
    if (streetType(w)) return { part: 'streetType', end: i + 1 };
    if (UNIT_WORDS.has(w)) return { part: 'unit', end: i + 1 };
    if (place > 0) return { part: 'place', end: i + place };
    if (BREAKS.has(w)) return null;
    if (/^[a-z]$/.test(w)) return { part: 'letter', end: i + 1 };
    if (CONNECTORS.has(w)) return { part: 'connector', end: i + 1 };
    if (isUnknownWord(w, isNumberWord)) {
      const compound = COMPOUND_ENDINGS.some((e) => w.length >= e.length + 3 && w.endsWith(e));
      return { part: compound ? 'streetType' : 'unknown', end: i + 1 };
    }
    if (!STOPWORDS.has(w) && english.has(w)) return { part: 'word', end: i + 1 };
    return null;
  };

  /**
   * Function words the recogniser made of a street name between a house number and its street type ("ninety
   * seven like you close" for "lakeview close"): up to two, as one connector part.
   */
  const misheardStreetWords = (k: number, afterNumber: boolean): { part: Part; end: number } | null => {
    if (!afterNumber || BREAKS.has(words[k]!) || !STOPWORDS.has(words[k]!)) return null;
    if (streetType(words[k + 1])) return { part: 'connector', end: k + 1 };
    return STOPWORDS.has(words[k + 1] ?? '') && !BREAKS.has(words[k + 1]!) && streetType(words[k + 2]) ? { part: 'connector', end: k + 2 } : null;
  };

  const found: Candidate[] = [];
  let i = 0;
  while (i < words.length) {
    const parts: Array<{ part: Part; start: number; end: number }> = [];
    let k = i;
    let lexiconRun = 0;
    while (k < words.length && k - i < MAX_WORDS) {
      const p = partAt(k) ?? misheardStreetWords(k, parts.length > 0 && parts[parts.length - 1]!.part === 'number');
      if (!p) break;
      lexiconRun = p.part === 'word' ? lexiconRun + 1 : 0;
      if (lexiconRun > 2) break; // three ordinary words in a row: a sentence, not a street name
      // After an English street word ("elm avenue") an address goes on with a unit, place or number, not prose.
      const last = parts[parts.length - 1];
      // A connector before an out-of-lexicon name goes on ("sowande ramp new adeniyi"), as before a street type
      // ("lake new crescent": the recogniser's "lakeview crescent").
      const nameFollows = p.part === 'connector' && (isUnknownWord(words[p.end], isNumberWord) || streetType(words[p.end]));
      if (last?.part === 'streetType' && english.has(words[last.start]!) && (p.part === 'word' || (p.part === 'connector' && !nameFollows))) break;
      parts.push({ ...p, start: k });
      k = p.end;
    }
    // Trim the ends: an address starts and ends with a content part, not "the", "and" or an ordinary word.
    const content = (p: { part: Part }) => p.part !== 'connector' && p.part !== 'word';
    while (parts.length > 0 && !content(parts[parts.length - 1]!)) parts.pop();
    while (parts.length > 0 && !content(parts[0]!) && !(parts[0]!.part === 'connector' && parts[1] && parts[1].part !== 'number')) parts.shift();
    if (parts.length >= 2) {
      const has = (part: Part) => parts.some((p) => p.part === part);
      const numbers = parts.filter((p) => p.part === 'number').length;
      const start = parts[0]!.start;
      const end = parts[parts.length - 1]!.end;
      const cue = ADDRESS_CUE.endsAt(words, start);
      // A street name that is no English word ("lindenhof", "clematisvej") or a foreign street type ("rue",
      // "ulica"); English street words ("court", "place", "corner") alone are too common in ordinary speech.
      const foreignStreet = parts.some(
        (p) => p.part === 'unknown' || (p.part === 'streetType' && (!english.has(words[p.start]!) || words[p.start] === 'gate' || words[p.start] === 'gang')),
      );
      const unknowns = parts.filter((p) => p.part === 'unknown').length;
      // Street, house number, town and postcode with no street type ("dalsvinget four lystrup three four six three").
      const streetAndTown = numbers >= 2 && unknowns >= 2;
      const structured = (numbers > 0 && foreignStreet && (has('streetType') || has('unit') || has('place'))) || streetAndTown;
      if (structured || (cue && (foreignStreet || numbers > 0))) {
        found.push({
          type: 'STREET_ADDRESS',
          start,
          end,
          score: cue ? 0.85 : 0.75,
          source: 'rule:address_structure',
          value: words.slice(start, end).join(' '),
        });
        i = end;
        continue;
      }
    }
    i = Math.max(k, i + 1);
  }
  return found;
}
