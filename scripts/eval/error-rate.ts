/**
 * Word and character error rates: Levenshtein alignment of hypothesis against reference, after normalise().
 * Corpus rates are total edits over total reference length (not a mean of per-utterance rates), the usual
 * convention, so long utterances weigh by their length. CER counts the spaces between words as characters.
 */
import { normalise } from '../../daemon/text/spoken-form.js';

export interface EditCounts {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Length of the reference sequence. */
  referenceLength: number;
}

export function editCounts<T>(reference: readonly T[], hypothesis: readonly T[]): EditCounts {
  const n = reference.length;
  const m = hypothesis.length;
  // One row of the distance table plus the edit mix of each cell; ties prefer substitution, then deletion.
  let cost = Array.from({ length: m + 1 }, (_, j) => j);
  let mix = Array.from({ length: m + 1 }, (_, j) => [0, 0, j] as [number, number, number]);
  for (let i = 1; i <= n; i++) {
    const nextCost = [i];
    const nextMix: Array<[number, number, number]> = [[0, i, 0]];
    for (let j = 1; j <= m; j++) {
      const same = reference[i - 1] === hypothesis[j - 1];
      const diagonal = cost[j - 1]! + (same ? 0 : 1);
      const up = cost[j]! + 1;
      const left = nextCost[j - 1]! + 1;
      const best = Math.min(diagonal, up, left);
      nextCost.push(best);
      if (best === diagonal) {
        const [s, d, ins] = mix[j - 1]!;
        nextMix.push([s + (same ? 0 : 1), d, ins]);
      } else if (best === up) {
        const [s, d, ins] = mix[j]!;
        nextMix.push([s, d + 1, ins]);
      } else {
        const [s, d, ins] = nextMix[j - 1]!;
        nextMix.push([s, d, ins + 1]);
      }
    }
    cost = nextCost;
    mix = nextMix;
  }
  const [substitutions, deletions, insertions] = mix[m]!;
  return { substitutions, deletions, insertions, referenceLength: n };
}

export function errors(counts: EditCounts): number {
  return counts.substitutions + counts.deletions + counts.insertions;
}

export interface UtteranceScore {
  reference: string;
  hypothesis: string;
  words: EditCounts;
  chars: EditCounts;
}

/** Scores one utterance; both sides are normalised first. */
export function scoreUtterance(reference: string, hypothesis: string): UtteranceScore {
  const ref = normalise(reference);
  const hyp = normalise(hypothesis);
  const words = (s: string) => (s === '' ? [] : s.split(' '));
  return { reference: ref, hypothesis: hyp, words: editCounts(words(ref), words(hyp)), chars: editCounts([...ref], [...hyp]) };
}

export interface CorpusRates {
  utterances: number;
  /** Word error rate, 0..(unbounded: insertions can push it past 1). */
  wer: number;
  cer: number;
  referenceWords: number;
  wordErrors: number;
  referenceChars: number;
  charErrors: number;
}

function sum(counts: readonly EditCounts[]): EditCounts {
  return counts.reduce(
    (a, c) => ({
      substitutions: a.substitutions + c.substitutions,
      deletions: a.deletions + c.deletions,
      insertions: a.insertions + c.insertions,
      referenceLength: a.referenceLength + c.referenceLength,
    }),
    { substitutions: 0, deletions: 0, insertions: 0, referenceLength: 0 },
  );
}

function rate(counts: EditCounts): number {
  if (counts.referenceLength === 0) return errors(counts) === 0 ? 0 : 1;
  return errors(counts) / counts.referenceLength;
}

export function corpusRates(scores: readonly UtteranceScore[]): CorpusRates {
  const words = sum(scores.map((s) => s.words));
  const chars = sum(scores.map((s) => s.chars));
  return {
    utterances: scores.length,
    wer: rate(words),
    cer: rate(chars),
    referenceWords: words.referenceLength,
    wordErrors: errors(words),
    referenceChars: chars.referenceLength,
    charErrors: errors(chars),
  };
}
