/** Street addresses (house number + name + street suffix) and locations (gazetteer of cities, US states, countries). */
import { ContextWords, type Analysis, type Candidate } from '../context.js';
import { gazetteer, isUnknownWord } from '../gazetteer.js';
import { STOPWORDS } from '../stopwords.js';
import { isNumberWord } from '../spoken-numbers.js';

/** Suffixes that end a street name in everyday speech; the gazetteer's others ("well", "square", "place") need context. */
const STREET_SUFFIXES = new Set([
  'street',
  'avenue',
  'road',
  'lane',
  'drive',
  'boulevard',
  'court',
  'place',
  'way',
  'terrace',
  'crescent',
  'close',
  'parkway',
  'highway',
  'circle',
  'plaza',
  'trail',
  'mews',
  'grove',
  'gardens',
  'turnpike',
  'expressway',
  'freeway',
  'pike',
]);
const ADDRESS = new ContextWords([
  'live at',
  'live on',
  'lives at',
  'lives on',
  'living at',
  'living on',
  'address',
  'located at',
  'moved to',
  'deliver to',
  'deliver it to',
  'send it to',
  'ship to',
  'we are at',
  "we're at",
  'house is',
  'stay at',
  'staying at',
  'house is on',
  'i am at',
  "i'm at",
]);
const UNITS = new Set(['apartment', 'apt', 'unit', 'suite', 'flat', 'floor', 'room']);
const ORDINAL_STREETS = /^(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\w+teenth|\w+tieth)$/;
/** Place context strong enough to make a common word ("reading", "mobile", "independence") a place. */
const STRONG_PLACE_CUES = [
  'live in',
  'lives in',
  'living in',
  'lived in',
  'moved to',
  'born in',
  'based in',
  'grew up in',
  'city of',
  'town of',
  'state of',
  'visiting',
  'flew to',
  'from',
];
const STRONG_PLACE = new ContextWords(STRONG_PLACE_CUES);
const PLACE = new ContextWords(['in', 'to', 'from', 'near', 'at', 'visit', 'visited', 'outside', 'around']);
/** Before an out-of-lexicon word only: prepositions of place ("works in hakkari", "drove through pori"). */
const UNKNOWN_PLACE_CUE = new ContextWords([
  ...STRONG_PLACE_CUES,
  'in',
  'near',
  'through',
  'outside',
  'around',
  'across',
  'towards',
  'toward',
  'into',
  'visit',
  'visited',
  'beyond',
  'past',
]);

function nameWord(word: string | undefined): boolean {
  return word !== undefined && (ORDINAL_STREETS.test(word) || (!STOPWORDS.has(word) && !isNumberWord(word)));
}

export function recognizeStreetAddresses({ words, numberRuns }: Analysis): Candidate[] {
  const suffixes = gazetteer('street-suffixes');
  const runEndingAt = new Map(numberRuns.map((r) => [r.end, r]));
  const found: Candidate[] = [];
  words.forEach((word, k) => {
    if (!suffixes.has(word)) return;
    let nameStart = k;
    // Suffix words can be names too ("station road", "park lane").
    while (nameStart > 0 && k - nameStart < 3 && nameWord(words[nameStart - 1])) nameStart -= 1;
    if (nameStart === k) return;
    const house = runEndingAt.get(nameStart);
    let end = k + 1;
    if (UNITS.has(words[end] ?? '')) {
      const unit = numberRuns.find((r) => r.start === end + 1);
      if (unit) end = unit.end + (/^[a-z]$/.test(words[unit.end] ?? '') ? 1 : 0);
    }
    const addressCue = ADDRESS.near(words, house?.start ?? nameStart, k + 1, 4, 0);
    // A lone "one" is more often the pronoun ("one hiding place") than house number 1.
    const loneOne = house !== undefined && house.end - house.start === 1 && words[house.start] === 'one';
    if (house && house.digits.length <= 6 && (addressCue || (STREET_SUFFIXES.has(word) && !loneOne))) {
      found.push({
        type: 'STREET_ADDRESS',
        start: house.start,
        end,
        score: 0.8,
        source: 'rule:street_address',
        value: `${house.digits} ${words.slice(nameStart, end).join(' ')}`,
      });
    } else if (!house && addressCue) {
      found.push({ type: 'STREET_ADDRESS', start: nameStart, end, score: 0.65, source: 'rule:street_address', value: words.slice(nameStart, end).join(' ') });
    }
  });
  return found;
}

/** Words that begin many town names ("fort ishola", "port omotara", "east adesewaberg", "velka bites", "store heddinge"). */
const PLACE_PREFIXES = new Set([
  'fort',
  'port',
  'east',
  'west',
  'north',
  'south',
  'new',
  'lake',
  'mount',
  'saint',
  'san',
  'santa',
  'store',
  'lille',
  'velka',
  'mala',
  'nova',
  'novi',
  'stara',
  'stari',
  'bad',
  'sankt',
]);

const unknown = (w: string | undefined) => w !== undefined && !STOPWORDS.has(w) && isUnknownWord(w, isNumberWord);

/**
 * End of a place the gazetteers lack, starting at `i` right after a place cue ("born in"): an out-of-lexicon word
 * with the out-of-lexicon word after it ("ivanic grad" reads as one name when both are unknown), or a town prefix
 * before an out-of-lexicon word ("fort ishola"); `i` itself when neither.
 */
function unknownPlaceEnd(words: readonly string[], i: number): number {
  const w = words[i];
  if (PLACE_PREFIXES.has(w!) && unknown(words[i + 1])) return i + 2;
  if (!unknown(w)) return i;
  return unknown(words[i + 1]) || words[i + 1] === 'grad' ? i + 2 : i + 1;
}

export function recognizeLocations({ words }: Analysis): Candidate[] {
  const lists = [gazetteer('cities'), gazetteer('us-states'), gazetteer('countries')];
  const common = gazetteer('common-words');
  const found: Candidate[] = [];
  for (let i = 0; i < words.length; i++) {
    const length = Math.max(...lists.map((l) => l.matchAt(words, i)));
    if (length === 0) {
      // An out-of-lexicon word right after "live in", "from" or a preposition of place is most likely a place the
      // gazetteer lacks.
      if (!UNKNOWN_PLACE_CUE.endsAt(words, i)) continue;
      const end = unknownPlaceEnd(words, i);
      if (end > i) {
        found.push({ type: 'LOCATION', start: i, end, score: 0.6, source: 'rule:location_unknown_word', value: words.slice(i, end).join(' ') });
        i = end - 1;
      }
      continue;
    }
    const end = i + length;
    const value = words.slice(i, end).join(' ');
    let score: number;
    const regionFollows = lists.slice(1).some((l) => l.matchAt(words, end) > 0);
    if (STRONG_PLACE.endsAt(words, i) || regionFollows) score = 0.9;
    else if (length === 1 && common.has(value)) score = 0.2;
    else score = PLACE.endsAt(words, i) ? 0.8 : 0.55;
    found.push({ type: 'LOCATION', start: i, end, score, source: 'gazetteer:location', value });
    i = end - 1;
  }
  return found;
}
