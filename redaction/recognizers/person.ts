/**
 * Person names: gazetteer first names and surnames, introductions ("my name is", "this is"), titles ("doctor",
 * "miss"), first + last sequences, a surname spelled out after the name ("smith s m i t h"), the answer to a
 * question about a name ("... spell the surname . it is s m i t h"), "X speaking", "it's X here", "X was born".
 * Names that are also common words ("will", "may", "mark", "bill") need context or a surname after them; words
 * outside the English lexicon count as names after a cue, including prepositions and relations ("behalf of").
 */
import { ContextWords, type Analysis, type Candidate } from '../context.js';
import { gazetteer, isUnknownWord } from '../gazetteer.js';
import { STOPWORDS } from '../stopwords.js';
import { isNumberWord } from '../spoken-numbers.js';

/** Words that say the next one is a name (also used by partials: unfinished.ts). */
export const TITLES = new ContextWords([
  'mister',
  'mr',
  'mrs',
  'missus',
  'miss',
  'ms',
  'doctor',
  'dr',
  'professor',
  'prof',
  'sir',
  'madam',
  'dame',
  'lord',
  'lady',
  'aunt',
  'auntie',
  'uncle',
  'nurse',
  'officer',
  'detective',
  'judge',
  'father',
  'sister',
  'brother',
  'reverend',
  'captain',
]);
/** After these any word that is not a function word is taken as a name. */
const STRONG_INTRO = new ContextWords([
  'name',
  'full name',
  'customer name',
  'your name',
  'name please',
  'surname',
  'first name',
  'last name',
  'my name is',
  "my name's",
  'name is',
  "name's",
  'call me',
  'named',
  'first name is',
  'last name is',
  'surname is',
  'full name is',
  'goes by',
  'known as',
]);
/** Cues that single out a person, enough even for a name that is also a word ("thanks will"). */
const NAME_CUES = [
  'speaking with',
  'talk to',
  'talking to',
  'spoke to',
  'spoke with',
  'ask for',
  'meet',
  'met',
  'dear',
  'hi',
  'hello',
  'hey',
  'thanks',
  'thank you',
  'tell',
  'told',
  'asked',
  'married',
  'wife',
  'husband',
  'son',
  'daughter',
  'friend',
  'boss',
  'mom',
  'dad',
  'brother',
  'sister',
];
const NAME_CUE = new ContextWords(NAME_CUES);
/** Weaker cues: they make a known name more likely a person, but "this is fine" is not a person. */
const WEAK_INTRO_CUES = [
  ...NAME_CUES,
  'says',
  'said',
  'caller',
  'user',
  'customer',
  'according to',
  'regards',
  'sincerely',
  'this is',
  "i'm",
  'i am',
  "it's",
  'it is',
  'with',
  'and',
  'called',
  'for',
  'by',
];
const WEAK_INTRO = new ContextWords(WEAK_INTRO_CUES);
/**
 * Before an out-of-lexicon word: the weak cues, and prepositions and relations that usually precede a proper noun
 * ("on behalf of okafor", "my neighbour ilhami"). Ordinary words after them ("sent it to accounts") are in the
 * lexicon and stay; the place prepositions ("in", "near") are the location recognizer's.
 */
const UNKNOWN_NAME_CUE = new ContextWords([
  ...WEAK_INTRO_CUES,
  'to',
  'behalf of',
  'care of',
  'via',
  'neighbour',
  'neighbor',
  'colleague',
  'cousin',
  'nephew',
  'niece',
  'grandson',
  'granddaughter',
  'partner',
  'fiance',
  'fiancee',
  'manager',
  'assistant',
  'client',
  'patient',
  'tenant',
  'landlord',
  'named',
]);
const SPELLING = new Set(['spelled', 'spelt', "that's", 'thats', 'spelling', 'as', 'is']);
const DETERMINERS = new Set(['the', 'a', 'an', 'her', 'his', 'my', 'your', 'our', 'their', 'this', 'that']);
/** An answer's opening ("it's ...") after a question about a name: what follows is the name. */
const ANSWER = new ContextWords(["it's", 'its', 'it is', "that's", 'that is', 'this is', "i'm", 'i am']);
/** Words of a question that asks for a name or its spelling ("what's the name on the policy", "spell the surname"). */
const NAME_QUESTION = new Set(['name', 'surname', 'spell', 'spelling', 'names', 'surnames']);
/** How far back (in words) a name question still governs the answer: a question and a short reply. */
const QUESTION_REACH = 10;

/** True when a name question's word comes within QUESTION_REACH words before `i`. */
function nameAskedBefore(words: string[], i: number): boolean {
  for (let k = Math.max(0, i - QUESTION_REACH); k < i; k++) if (NAME_QUESTION.has(words[k]!)) return true;
  return false;
}

export function recognizePersons({ words, letterRuns }: Analysis): Candidate[] {
  const first = gazetteer('first-names');
  const last = gazetteer('surnames');
  const common = gazetteer('common-words');
  const commonName = gazetteer('common-name-words');
  const letterRunAt = new Map(letterRuns.map((r) => [r.start, r]));
  const places = [gazetteer('cities'), gazetteer('us-states'), gazetteer('countries')];
  const known = (w: string | undefined) => w !== undefined && !STOPWORDS.has(w) && (first.has(w) || last.has(w));
  const unknown = (w: string | undefined) => !STOPWORDS.has(w ?? '') && isUnknownWord(w, isNumberWord);
  const commonSurname = (w: string) => common.has(w) && !first.has(w);
  const free = (w: string | undefined) => w !== undefined && !STOPWORDS.has(w) && !isNumberWord(w) && !/^[a-z]$/.test(w);

  /**
   * Extends a name at `start` with further known or out-of-lexicon names and a spelled-out run. A surname that is
   * also a word ("brown") only extends a known first name.
   */
  const extend = (start: number): number => {
    let end = start + 1;
    const next = (w: string | undefined) => w !== undefined && (unknown(w) || (known(w) && (!common.has(w) || (last.has(w) && first.has(words[start]!)))));
    // Initials count inside a name when a name word follows them ("margit o oyelaran").
    const initial = (k: number) => /^[a-z]$/.test(words[k] ?? '') && (next(words[k + 1]) || (/^[a-z]$/.test(words[k + 1] ?? '') && next(words[k + 2])));
    while (end - start < 4 && (next(words[end]) || initial(end))) end += initial(end) ? 2 : 1;
    const spelledAt = SPELLING.has(words[end] ?? '') && letterRunAt.has(end + 1) ? end + 1 : end;
    const spelled = letterRunAt.get(spelledAt);
    return spelled ? spelled.end : end;
  };

  /** An answer's name runs on over further name words (known or out of lexicon), up to four ("ingrid solheim"). */
  const extendAnswer = (start: number): number => {
    let end = start + 1;
    while (end - start < 4 && (known(words[end]) || unknown(words[end]))) end += 1;
    return end;
  };

  const found: Candidate[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const spelledName = letterRunAt.get(i);
    let score = 0;
    let source = 'gazetteer:person';
    // One or two initials before a name ("k m okafor").
    const letter = (k: number) => /^[a-z]$/.test(words[k] ?? '');
    const initialled = letter(i) && [1, 2].some((n) => (n === 1 || letter(i + 1)) && (unknown(words[i + n]) || known(words[i + n])));
    // After a question about a name, the answer is the name: "... your last name . sure it is k o w a l s k a",
    // "... the name on the account please . it's ingrid solheim" (a name that is also a place included).
    const answered = nameAskedBefore(words, i) && (ANSWER.endsAt(words, i) || spelledName !== undefined);
    if (TITLES.endsAt(words, i) && free(w)) [score, source] = [0.9, 'rule:person_title'];
    else if (answered && (known(w) || unknown(w) || spelledName)) [score, source] = [0.85, 'rule:person_answer'];
    else if (initialled && (WEAK_INTRO.endsAt(words, i) || STRONG_INTRO.endsAt(words, i))) [score, source] = [0.8, 'rule:person_initial'];
    else if (STRONG_INTRO.endsAt(words, i) && (free(w) || spelledName)) [score, source] = [known(w) || spelledName ? 0.9 : 0.75, 'rule:person_introduction'];
    else if (known(w)) {
      // A name that is also a place ("france", "austin") is left to the place recognizer unless a person cue says
      // otherwise; so is one that is also a word when a determiner says it is that word ("in the brown house").
      const worded = DETERMINERS.has(words[i - 1] ?? '') && commonName.has(w);
      const ambiguous = common.has(w) || worded || places.some((p) => p.matchAt(words, i) > 0);
      const surnameFollows = last.has(words[i + 1] ?? '') && !common.has(words[i + 1]!);
      if (ambiguous ? NAME_CUE.endsAt(words, i) : WEAK_INTRO.endsAt(words, i)) score = ambiguous ? 0.6 : 0.85;
      else if (surnameFollows && first.has(w)) score = 0.8;
      else if (!ambiguous && first.has(w)) score = 0.6;
      else score = ambiguous ? 0.15 : 0.4;
    } else if (unknown(w) && (UNKNOWN_NAME_CUE.endsAt(words, i) || (known(words[i + 1]) && !commonSurname(words[i + 1]!)))) {
      // An out-of-lexicon word after a cue ("yes it is okonkwo") or before a known name ("priya iyer", "leonid
      // will call"); not before a surname that is also a common word and no first name, which a misheard word is
      // as likely to precede ("ill disposed young man" heard as "old sposed young man").
      [score, source] = [0.7, 'rule:person_unknown_word'];
    } else if (unknown(w) && unknown(words[i + 1])) {
      // Two out-of-lexicon words in a row read as a first and last name.
      [score, source] = [0.55, 'rule:person_unknown_word'];
    }
    if (score === 0) continue;
    // Weak guesses stay one word, so they never swallow a real name after them ("will john").
    const end =
      score < 0.5 ? i + 1 : spelledName && score >= 0.75 && source !== 'rule:person_initial' ? spelledName.end : answered ? extendAnswer(i) : extend(i);
    found.push({ type: 'PERSON', start: i, end, score, source, value: words.slice(i, end).join(' ') });
    i = end - 1;
  }
  return found;
}

/**
 * A name said before the words that follow one: "X speaking", "it's X here" (a greeting) and "X was born" (a
 * biography): the one to three name words right before them, initials included ("d okoro", "e varga").
 */
export function recognizeSpeakingNames({ words }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  const nameWord = (w: string | undefined) =>
    w !== undefined &&
    !STOPWORDS.has(w) &&
    !isNumberWord(w) &&
    (isUnknownWord(w, isNumberWord) || gazetteer('first-names').has(w) || gazetteer('surnames').has(w));
  const unknown = (w: string | undefined) => isUnknownWord(w, isNumberWord);
  // "a" and "i" are words, so they count as initials only before a name that is no English word ("a tshabalala").
  const initial = (k: number, nameStart: number) => /^[a-z]$/.test(words[k] ?? '') && (!['a', 'i'].includes(words[k]!) || unknown(words[nameStart]));
  const greeting = (k: number) => ["it's", 'its', 'this', 'is'].includes(words[k] ?? '');
  // "the baby was born": an English word after a determiner is a common noun, not a name.
  const determined = (start: number) => DETERMINERS.has(words[start - 1] ?? '') && !unknown(words[start]);
  words.forEach((w, k) => {
    const born = w === 'was' && words[k + 1] === 'born';
    if (w !== 'speaking' && w !== 'here' && !born) return;
    let start = k;
    while (start > 0 && k - start < 3 && nameWord(words[start - 1])) start -= 1;
    if (start === k || words[k + 1] === 'with' || words[k + 1] === 'to' || determined(start)) return;
    if (initial(start - 1, start)) start -= 1;
    if (w === 'here' && !greeting(start - 1)) return;
    found.push({
      type: 'PERSON',
      start,
      end: k,
      score: 0.8,
      source: born ? 'rule:person_born' : 'rule:person_speaking',
      value: words.slice(start, k).join(' '),
    });
  });
  return found;
}
