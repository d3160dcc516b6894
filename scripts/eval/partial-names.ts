/**
 * Partial transcripts and names that are also ordinary words: what the mid-partial name rule (namesInPartial in
 * redaction/unfinished.ts) flags, against the rule it replaced (any first name or surname outside common-words),
 * scored on the same words in one run.
 *
 *   npm run eval -- partial-names [--text FILE,FILE] [--stride N] [--lines N] [--seed N] [--per-type N]
 *
 * - Over-redaction: sentences of /work/shared/lm-text (every 10th line of the AMI meeting transcripts and the
 *   Common Voice sentences, up to --lines of them) whose final redaction redacts nothing; every prefix of each is a partial, and every word
 *   before a partial's last one that a rule flags as a name is over-redaction (the last word is the recall-first
 *   tail rule's, which both keep).
 * - Recall: the words of the PERSON entities of the held-out and fresh redaction sets (scripts/eval/redaction.ts,
 *   names never read while writing rules), each seen in its whole sentence: flagged by the rule or not. Most of those
 *   names are outside the gazetteers (other locales), which the ordinary rules, not this one, must find; the figure
 *   shows that the narrowing loses none the old rule had. End to end, the entities with an identifying word visible
 *   in some partial (every prefix of the sentence) under the current redactor.
 * Last line: JSON.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gazetteer } from '../../redaction/gazetteer.js';
import { validatePolicy } from '../../redaction/policy.js';
import { SessionRedactor } from '../../redaction/session.js';
import { STOPWORDS } from '../../redaction/stopwords.js';
import { namesInPartial } from '../../redaction/unfinished.js';
import { identifyingWord } from './redaction-audio.js';
import { heldOutSet } from './redaction.js';

const LM_TEXT = '/work/shared/lm-text';
const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(' ')
    .filter(Boolean);

/** The rule namesInPartial replaced: every first name or surname outside common-words and the stopwords. */
function previousRule(sentence: string[]): Set<number> {
  const isName = (w: string) => (gazetteer('first-names').has(w) || gazetteer('surnames').has(w)) && !gazetteer('common-words').has(w) && !STOPWORDS.has(w);
  return new Set(sentence.flatMap((w, i) => (isName(w) ? [i] : [])));
}

export async function runPartialNamesEval(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      text: { type: 'string', default: 'meetings-ami.txt.xz,commonvoice-sentences.txt.xz' },
      stride: { type: 'string', default: '10' },
      lines: { type: 'string', default: '4000' },
      seed: { type: 'string', default: '3033' },
      'per-type': { type: 'string', default: '40' },
    },
  });
  const lines = Number(values.lines);
  const seed = Number(values.seed);
  const perType = Number(values['per-type']);
  if (![lines, seed, perType].every((n) => Number.isInteger(n) && n > 0)) throw new TypeError('Expected positive integers for --lines, --seed and --per-type');
  const persons = validatePolicy({ types: ['PERSON'] });
  const currentRule = (sentence: string[]) => new Set(namesInPartial(sentence, persons).map((c) => c.start));

  // Over-redaction on clean conversational sentences.
  const stride = Number(values.stride);
  const text = values.text.split(',').flatMap((file) =>
    execFileSync('xz', ['-dc', join(LM_TEXT, file)], { maxBuffer: 1 << 30, encoding: 'utf8' })
      .split('\n')
      .filter((_l, i) => i % stride === 7 % stride),
  );
  const over = { sentences: 0, nonFinalWords: 0, previous: 0, current: 0, previousWords: new Map<string, number>(), currentWords: new Map<string, number>() };
  for (let i = 0; i < text.length && over.sentences < lines; i++) {
    const sentence = words(text[i]!);
    if (sentence.length < 2 || (await new SessionRedactor({}).redact(sentence.join(' '))).text.includes('[')) continue;
    over.sentences++;
    for (let k = 2; k <= sentence.length; k++) {
      const partial = sentence.slice(0, k);
      over.nonFinalWords += k - 1;
      for (const [rule, key, list] of [
        [previousRule, 'previous', over.previousWords],
        [currentRule, 'current', over.currentWords],
      ] as const) {
        for (const at of rule(partial)) {
          if (at >= k - 1) continue;
          over[key]++;
          list.set(partial[at]!, (list.get(partial[at]!) ?? 0) + 1);
        }
      }
    }
  }

  // Recall on the PERSON entities of the held-out sets, and the end-to-end partial leak.
  const recall = { entities: 0, nameWords: 0, previous: 0, current: 0, leakedInAPartial: 0 };
  for (const set of ['heldout', 'fresh'] as const) {
    for (const sample of heldOutSet(seed, perType, 0, 0, set)) {
      for (const gold of sample.gold.filter((g) => g.type === 'PERSON')) {
        recall.entities++;
        const before = words(sample.text.slice(0, gold.start)).length;
        const entity = words(sample.text.slice(gold.start, gold.end));
        const sentence = words(sample.text);
        const [previous, current] = [previousRule(sentence), currentRule(sentence)];
        entity.forEach((w, j) => {
          if (!gazetteer('first-names').has(w) && !gazetteer('surnames').has(w)) return;
          recall.nameWords++;
          if (previous.has(before + j)) recall.previous++;
          if (current.has(before + j)) recall.current++;
        });
        // Every prefix that holds the whole entity and at least one word after it (so no tail rule covers it).
        const identifying = entity.filter(identifyingWord);
        for (let k = before + entity.length + 1; k <= sentence.length; k++) {
          const shown = words((await new SessionRedactor({}).preview(sentence.slice(0, k).join(' '))).text);
          if (identifying.some((w) => shown.includes(w))) {
            recall.leakedInAPartial++;
            break;
          }
        }
      }
    }
  }

  const top = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, 12));
  console.log(
    `over-redaction: ${over.sentences} sentences (${values.text}) that finals leave whole, ${over.nonFinalWords} non-final partial words: previous rule flags ${over.previous}, current ${over.current}`,
  );
  console.log(`  previous: ${JSON.stringify(top(over.previousWords))}\n  current: ${JSON.stringify(top(over.currentWords))}`);
  console.log(
    `recall: ${recall.entities} PERSON entities (held-out + fresh, seed ${seed}), ${recall.nameWords} of their words in the gazetteers: previous rule flags ${recall.previous}, current ${recall.current}; entities with an identifying word in some partial (current redactor): ${recall.leakedInAPartial}`,
  );
  const { previousWords, currentWords, ...overCounts } = over;
  console.log(
    JSON.stringify({
      evaluation: 'partial-names',
      overRedaction: { ...overCounts, currentVsPrevious: overCounts.previous ? Math.round((overCounts.current / overCounts.previous) * 1000) / 1000 : null },
      recall,
    }),
  );
  return 0;
}
