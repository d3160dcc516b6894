/** Spoken emails ("john dot smith at gmail dot com"), URLs ("w w w dot example dot com slash help") and IP addresses. */
import { ContextWords, contextScore, type Analysis, type Candidate } from '../context.js';
import { isNumberWord, parseNumberChunks } from '../spoken-numbers.js';
import { isLetter } from '../spoken-letters.js';
import { STOPWORDS } from '../stopwords.js';

const SEPARATORS: Record<string, string> = { dot: '.', point: '.', underscore: '_', dash: '-', hyphen: '-' };
/** "dot", or "point" as some people (and recognisers) say it. */
const isDot = (word: string | undefined) => word === 'dot' || word === 'point';
/** Generic and country-code top-level domains (IANA root zone), as said after "dot". */
const TLDS = new Set(
  `com org net edu gov io co uk us de fr ca au info biz me ai app dev ie nl es it in mil int tv name mobi pro online site xyz
tech store shop blog eu asia cloud email live news page club ch at be lu li dk no se fi is ee lv lt pl cz sk hu ro bg hr
si rs ba mk al gr cy mt pt br ar mx cl pe uy ve ec bo py za ng gh ke tz ug rw et eg ma tn dz jp cn kr tw hk sg my id ph
th vn in pk bd lk np ru ua by kz tr il ae sa qa nz ws cc`.split(/\s+/),
);
const IP_CONTEXT = new ContextWords(['ip', 'i p', 'ip address', 'server', 'router', 'host', 'gateway']);

/** Top-level domains that are also on the stopword list, yet common inside addresses ("net dot com"). */
const STOPWORD_TLDS = new Set(['com', 'net', 'org']);

/** A word that can be part of an address label: not a stopword, not a separator, not "at". */
function labelWord(word: string | undefined): boolean {
  return (
    word !== undefined &&
    !(word in SEPARATORS) &&
    word !== 'at' &&
    (!STOPWORDS.has(word) || isNumberWord(word) || STOPWORD_TLDS.has(word) || /^[a-z]$/.test(word))
  );
}

/** After "at" or a first label, any word but a separator can be a host label ("mail", "my"): the TLD check guards it. */
function hostWord(word: string | undefined): boolean {
  return word !== undefined && !(word in SEPARATORS) && word !== 'at' && word !== 'slash';
}

/** Spoken text of tokens [from, to): number words become digits, everything else is concatenated. */
function spell(words: string[], from: number, to: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    const w = words[i]!;
    if (w in SEPARATORS || w === 'slash') {
      out += SEPARATORS[w] ?? '/';
      i += 1;
      continue;
    }
    const chunks = isNumberWord(w) ? parseNumberChunks(words, i, to) : [];
    if (chunks.length > 0) {
      out += chunks.map((c) => c.digits).join('');
      i = chunks[chunks.length - 1]!.end;
    } else {
      out += w;
      i += 1;
    }
  }
  return out;
}

const isDash = (word: string | undefined) => word === 'dash' || word === 'hyphen';

/** End of one host label starting at `j` (words joined by dash; the first label may run over several words). */
function labelEnd(words: string[], j: number, first: (w: string | undefined) => boolean, multiword: boolean): number {
  if (!first(words[j])) return j;
  let k = j + 1;
  for (;;) {
    if (multiword && labelWord(words[k])) k += 1;
    else if (isDash(words[k])) {
      // "bouncy dash dash" (a double hyphen) joins the labels as one dash does.
      let next = k + 1;
      while (isDash(words[next])) next += 1;
      if (isDot(words[next])) return next; // a label ending in dashes, as faker's "bouncy-.net"
      if (!hostWord(words[next])) return k;
      k = next + 1;
    } else return k;
  }
}

/** Longest domain "label (dot label)+" starting at `i` whose last label is a TLD; returns its end or -1. */
function domainEnd(words: string[], i: number, first: (w: string | undefined) => boolean, multiword: boolean): number {
  let end = -1;
  let j = labelEnd(words, i, first, multiword);
  if (j === i) return -1;
  while (isDot(words[j])) {
    const next = labelEnd(words, j + 1, hostWord, false);
    if (next === j + 1) break;
    if (next === j + 2 && TLDS.has(words[j + 1]!)) end = next;
    j = next;
  }
  return end;
}

/** Start of the local part ending just before `at` (atoms joined by dot/underscore/dash), or -1. */
function localStart(words: string[], at: number): number {
  let i = at;
  while (i > 0 && at - i < 10) {
    if (labelWord(words[i - 1])) i -= 1;
    else if (words[i - 1]! in SEPARATORS && labelWord(words[i - 2]) && i < at) i -= 1;
    else break;
  }
  return i < at ? i : -1;
}

/** Any word but a separator may be a top-level domain the recogniser misheard ("ark" for "org", "a for" for "fr"). */
const misheardTld = (word: string | undefined) => word !== undefined && !(word in SEPARATORS) && word !== 'slash';

/** Words said just before an address ("send it to", "my email is", "reach us at"): a misheard local part stops there. */
const BEFORE_ADDRESS = new Set([
  'to',
  'is',
  'at',
  'was',
  'me',
  'us',
  'him',
  'her',
  'them',
  'you',
  'email',
  'mail',
  'address',
  'on',
  'via',
  'from',
  'and',
  'or',
  'its',
  "it's",
]);
/** A misheard local part is at most this many words: a name and its separators, as the recogniser split them. */
const MISHEARD_LOCAL_WORDS = 4;

/**
 * Start of a local part the recogniser turned into common words ("see your age at proton dot me" for "c jurado at
 * proton dot me"), which localStart refuses as stopwords: up to four words back from `at`, stopping after a word
 * said before addresses. -1 when there is none.
 */
function misheardLocalStart(words: string[], at: number): number {
  let i = at;
  while (i > 0 && at - i < MISHEARD_LOCAL_WORDS && !BEFORE_ADDRESS.has(words[i - 1]!) && !words[i - 1]!.startsWith('[')) i -= 1;
  return i < at ? i : -1;
}

/**
 * End of an email domain whose top-level domain the recogniser misheard ("at yahoo dot a for" for "at yahoo dot
 * fr", "at univ dot at all"): a host label that is no stopword, "dot", then any one word (and a letter after a
 * letter: "dot a r"). "at <host> dot" is rare in speech that holds no address. -1 when the shape is not there.
 */
function misheardDomainEnd(words: string[], host: number): number {
  const j = labelEnd(words, host, labelWord, false);
  if (j === host || !isDot(words[j]) || !misheardTld(words[j + 1])) return -1;
  return isLetter(words[j + 1]!) && isLetter(words[j + 2] ?? '') ? j + 3 : j + 2;
}

/**
 * "local at domain": validated when both halves have their spoken shape (score 0.95); recall first, an address whose
 * local part or top-level domain the recogniser misheard still counts when the other half is whole or misheard in
 * the ways above (0.7: an address is the one thing "at <host> dot" says).
 */
export function recognizeEmails({ words }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  words.forEach((w, at) => {
    if (w !== 'at') return;
    const spokenEnd = domainEnd(words, at + 1, hostWord, true);
    const end = spokenEnd >= 0 ? spokenEnd : misheardDomainEnd(words, at + 1);
    const spokenStart = end < 0 ? -1 : localStart(words, at);
    const start = spokenStart >= 0 || end < 0 ? spokenStart : misheardLocalStart(words, at);
    if (end < 0 || start < 0) return;
    const value = `${spell(words, start, at)}@${spell(words, at + 1, end)}`;
    const whole = spokenStart >= 0 && spokenEnd >= 0;
    found.push({ type: 'EMAIL_ADDRESS', start, end, score: whole ? 0.95 : 0.7, source: whole ? 'rule:email' : 'rule:email_misheard', value });
  });
  return found;
}

/**
 * "tight dash interviewer dot at": Austria's domain, said "dot at", which hostWord never takes as a label (it is
 * an email's "at"). Only after "www" or a dashed label and with no email domain after the "at", since "a red dot
 * at the top" is ordinary speech. The end, or -1.
 */
function austrianDomainEnd(words: string[], host: number, first: (w: string | undefined) => boolean, www: boolean): number {
  const j = labelEnd(words, host, first, false);
  if (j === host || !isDot(words[j]) || words[j + 1] !== 'at') return -1;
  if (!www && !words.slice(host, j).some(isDash)) return -1;
  return domainEnd(words, j + 2, hostWord, true) < 0 ? j + 2 : -1;
}

export function recognizeUrls({ words }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  let i = 0;
  while (i < words.length) {
    const www = words[i] === 'www' ? 1 : words.slice(i, i + 3).join(' ') === 'w w w' ? 3 : 0;
    const host = www > 0 && isDot(words[i + www]) ? i + www + 1 : i;
    // After "www dot" any word is a host label ("www dot old dash fashioned dash elevator dot org").
    // "find us at www dot ..." is a URL, though a domain right after "at" is otherwise an email's.
    const inside = (words[i - 1] === 'at' && www === 0) || isDot(words[i - 1]);
    const first = www > 0 ? hostWord : labelWord;
    const end = inside ? -1 : Math.max(domainEnd(words, host, first, false), austrianDomainEnd(words, host, first, www > 0));
    if (end < 0) {
      i += 1;
      continue;
    }
    let stop = end;
    while (words[stop] === 'slash' && labelWord(words[stop + 1])) stop += 2;
    // "www" says URL outright: it outranks a name rule's reading of "www" as an unknown word after "to".
    found.push({ type: 'URL', start: i, end: stop, score: www > 0 ? 0.9 : 0.6, source: 'rule:url', value: spell(words, i, stop) });
    i = stop;
  }
  return found;
}

/** What a recogniser makes of "w w w" said "double-u double-u double-u": "double u w w", "double w w e". */
const WWW_SOUNDS = new Set(['double', 'u', 'you', 'w', 'we', 'e', 'l']);
const W_SOUNDS = new Set(['double', 'w', 'we']);

/**
 * URLs whose "w w w" the recogniser misheard ("got a double w w e dot you base dot ark lash jobs"): a run of
 * www sounds starting with "double" and holding three w sounds, "dot", a host (several words: the name was misheard
 * too), "dot" and any word (the top-level domain, as misheard: "ark", "or"), then path parts after "slash" or
 * "lash". Score 0.7, as any reading of a misheard address.
 */
export function recognizeMisheardUrls({ words }: Analysis): Candidate[] {
  const found: Candidate[] = [];
  words.forEach((w, i) => {
    if (w !== 'double' || (i > 0 && words[i - 1] === 'double')) return;
    let k = i;
    let ws = 0;
    while (k < words.length && k - i < 7 && WWW_SOUNDS.has(words[k]!)) ws += W_SOUNDS.has(words[k++]!) ? 1 : 0;
    if (ws < 3 || !isDot(words[k])) return;
    const j = labelEnd(words, k + 1, hostWord, true);
    if (j === k + 1 || !isDot(words[j]) || !misheardTld(words[j + 1])) return;
    let end = j + 2;
    while ((words[end] === 'slash' || words[end] === 'lash') && labelWord(words[end + 1])) end += 2;
    found.push({ type: 'URL', start: i, end, score: 0.7, source: 'rule:url_misheard', value: spell(words, k + 1, end) });
  });
  return found;
}

/** "dot" as recognisers also hear it between numbers. */
const DOT_SOUNDS = new Set(['dat', 'dart', 'dut', 'dirt']);

/**
 * Four octets 0-255 joined by "dot": "one nine two dot one six eight dot one dot ten". From recognised speech a
 * "dot" is often misheard ("at", "dirt", "dat"; "point" counts as "dot"): one word that is not a number may stand in for it, as long as two
 * of the three separators are "dot", or one is and IP context is near.
 */
export function recognizeIpAddresses({ words, numberRuns }: Analysis): Candidate[] {
  const byStart = new Map(numberRuns.map((r) => [r.start, r]));
  const found: Candidate[] = [];
  for (const first of numberRuns) {
    const octets = [first];
    let dots = 0;
    while (octets.length < 4) {
      const prev = octets[octets.length - 1]!;
      const separator = words[prev.end];
      const next = separator !== undefined && !isNumberWord(separator) ? byStart.get(prev.end + 1) : undefined;
      if (!next) break;
      if (isDot(separator) || DOT_SOUNDS.has(separator!)) dots += 1;
      octets.push(next);
    }
    if (octets.length < 4 || !octets.every((o) => o.digits.length <= 3)) continue;
    const end = octets[3]!.end;
    const value = octets.map((o) => String(Number(o.digits))).join('.');
    const context = IP_CONTEXT.near(words, first.start, end);
    const valid = octets.every((o) => Number(o.digits) <= 255);
    if (dots === 3 && valid) {
      found.push({
        type: 'IP_ADDRESS',
        start: first.start,
        end,
        score: contextScore(words, first.start, end, 0.75, 0.2, IP_CONTEXT),
        source: 'rule:ip_address',
        value,
      });
    } else if ((dots === 3 && context) || (valid && (dots === 2 || (dots === 1 && context)))) {
      // An octet over 255 after IP context, or a misheard "dot": the address of a recognition error.
      found.push({ type: 'IP_ADDRESS', start: first.start, end, score: 0.6, source: 'rule:ip_address_unverified', value });
    }
  }
  return found;
}
