/**
 * End-to-end redaction from synthesized audio (`npm run eval -- redaction --audio N`): sentences of the held-out
 * spoken-form set are spoken by the held-out TTS voices (scripts/data/voices.py HELD_OUT: espeak-ng
 * en-gb-scotland+f3, espeak-ng en-029+m7, flite slt, in turn), 16 kHz, transcribed by models/hushscribe-en-v1 with
 * the manifest's decoding (beam + LM), and the recognised text is redacted by each detector set, the last one with
 * the utterance's CTC log-posteriors given to the tagger.
 *
 * Recognised text has no character spans of the reference, so leaks are counted per entity (entityLeaks): an
 * entity leaks when one of its keys appears as consecutive words of the redacted output. Its keys are the pairs of
 * consecutive words of its reference value (or the word itself, for a one-word value), leaving out the pairs whose
 * two words are both in redaction/stopwords.ts. Number words are kept as content although stopwords.ts lists some
 * ("one" .. "ten", "zero"): they are the whole of a phone or card number. A misrecognised value (no key left in
 * the recognised text) cannot leak by this count; the `recognised` column (no redaction at all) says how many
 * entities could leak. Over-redaction: share of recognised words of negative sentences (no personal data) that
 * fall inside a redacted entity.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecognizer, type Transcript } from '../../daemon/asr/index.js';
import { packageRoot } from '../../common/package-root.js';
import type { RedactionPolicyConfig } from '../../redaction/policy.js';
import { SessionRedactor, type SessionOptions } from '../../redaction/session.js';
import { isNumberWord } from '../../redaction/spoken-numbers.js';
import { STOPWORDS } from '../../redaction/stopwords.js';
import type { PiiTagger, Posteriors } from '../../redaction/tagger.js';
import { ENTITY_TYPES, type EntityType } from '../../redaction/types.js';
import { corpusRates, scoreUtterance } from './error-rate.js';

export interface AudioSample {
  text: string;
  gold: Array<{ type: EntityType; start: number; end: number }>;
}

/** The held-out voice configurations of scripts/data/voices.py, used in turn. */
export const AUDIO_VOICES = ['espeak-ng en-gb-scotland+f3', 'espeak-ng en-029+m7', 'flite slt'] as const;

const ignorable = (word: string) => STOPWORDS.has(word) && !isNumberWord(word) && word !== 'oh';

/** Whether a word of an entity identifies anything: number words do; function words ("at", "dot", "the") do not. */
export const identifyingWord = (word: string): boolean => !ignorable(word.toLowerCase());

/** The word sequences whose appearance in the output means the entity leaked (empty: nothing to test). */
export function leakKeys(reference: string): string[][] {
  const words = reference.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 1) return ignorable(words[0]!) ? [] : [words];
  const keys: string[][] = [];
  for (let i = 0; i + 1 < words.length; i++) if (!(ignorable(words[i]!) && ignorable(words[i + 1]!))) keys.push([words[i]!, words[i + 1]!]);
  return keys;
}

/** Whether any key of `reference` appears as consecutive words of `output` (placeholders are words that match none). */
export function entityLeaks(reference: string, output: string): boolean {
  const words = output.toLowerCase().split(/\s+/).filter(Boolean);
  return leakKeys(reference).some((key) => words.some((_, i) => key.every((w, k) => words[i + k] === w)));
}

/** N positive sentences spread over the entity types (round robin, in set order) and ceil(N / 4) negatives. */
export function pickAudioSamples(samples: readonly AudioSample[], perType: number, n: number): { positives: AudioSample[]; negatives: AudioSample[] } {
  const positives: AudioSample[] = [];
  for (let j = 0; j < perType && positives.length < n; j++) {
    for (let t = 0; t < ENTITY_TYPES.length && positives.length < n; t++) positives.push(samples[t * perType + j]!);
  }
  const negatives = samples.slice(ENTITY_TYPES.length * perType, ENTITY_TYPES.length * perType + Math.ceil(n / 4));
  return { positives, negatives };
}

/** Speaks `text` with voice `index` (mod 3) and returns 16 kHz mono float samples. */
function synthesize(text: string, index: number, dir: string): Float32Array {
  const wav = join(dir, 'tts.wav');
  const voice = AUDIO_VOICES[index % AUDIO_VOICES.length]!;
  if (voice.startsWith('flite')) execFileSync('flite', ['-voice', 'slt', '-t', text, '-o', wav], { stdio: ['ignore', 'ignore', 'pipe'] });
  else execFileSync('espeak-ng', ['-v', voice.split(' ')[1]!, '-w', wav, text], { stdio: ['ignore', 'ignore', 'pipe'] });
  const raw = execFileSync('sox', [wav, '-r', '16000', '-c', '1', '-t', 'f32', '-'], { maxBuffer: 1 << 28 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** The transcript's posteriors as one block (its segments tile the frames of each piece, in order). */
function wholePosteriors(tr: Transcript): Posteriors | undefined {
  const parts = tr.segments.map((s) => s.posteriors!).filter(Boolean);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0]!;
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, frames: parts.reduce((n, p) => n + p.frames, 0), vocab: parts[0]!.vocab };
}

const SYSTEMS = ['recognised', 'rules', 'tagger', 'hushscribe', 'hushscribeAudio'] as const;
type System = (typeof SYSTEMS)[number];
const round = (x: number) => Math.round(x * 10000) / 10000;
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export interface AudioSystemScore {
  /** Entities that leaked / entities with at least one key. */
  leaked: number;
  leakRate: number;
  /** Leaked / entities that the unredacted recognised text leaks (redaction can only remove words, so leaks are among those). */
  leakRateOfExposed: number;
  leakedByType: Partial<Record<EntityType, number>>;
  /** Share of recognised words of the negatives that were redacted. */
  overRedaction: number;
}

export interface AudioResult {
  positives: number;
  negatives: number;
  voices: readonly string[];
  model: string;
  decoding: string;
  wer: { positives: number; negatives: number; all: number };
  entities: number;
  entitiesByType: Partial<Record<EntityType, number>>;
  /** Entities without a key (all their words stopwords): not counted. */
  unscorable: number;
  systems: Record<System, AudioSystemScore>;
  seconds: { audio: number; wall: number };
}

export async function runAudioEval(
  samples: readonly AudioSample[],
  perType: number,
  n: number,
  tagger: PiiTagger,
  details = false,
  log: (line: string) => void = console.log,
  policy: RedactionPolicyConfig = {},
): Promise<AudioResult> {
  const t0 = Date.now();
  const { positives, negatives } = pickAudioSamples(samples, perType, n);
  const recognizer = await loadRecognizer({ modelDir: join(packageRoot(), 'models', 'hushscribe-en-v1'), threads: Math.min(2, availableParallelism()) });
  const d = recognizer.decoding;
  const decoding = d.method === 'beam' ? `beam ${d.beamSize}${d.lmPath ? ' + LM' : ''}` : 'greedy';
  const options: Record<Exclude<System, 'recognised' | 'hushscribeAudio'>, SessionOptions> = {
    rules: {},
    tagger: { tagger, rules: false },
    hushscribe: { tagger },
  };
  const dir = mkdtempSync(join(tmpdir(), 'hushscribe-eval-audio-'));
  const scores = { positives: [] as ReturnType<typeof scoreUtterance>[], negatives: [] as ReturnType<typeof scoreUtterance>[] };
  const leaked = Object.fromEntries(SYSTEMS.map((s) => [s, {} as Partial<Record<EntityType, number>>])) as Record<System, Partial<Record<EntityType, number>>>;
  const over = Object.fromEntries(SYSTEMS.map((s) => [s, 0])) as Record<System, number>;
  const entitiesByType: Partial<Record<EntityType, number>> = {};
  let [entities, unscorable, negativeWords, audioSec] = [0, 0, 0, 0];
  try {
    const all = [...positives.map((s) => ({ s, positive: true })), ...negatives.map((s) => ({ s, positive: false }))];
    for (const [i, { s, positive }] of all.entries()) {
      const audio = synthesize(s.text, i, dir);
      audioSec += audio.length / 16000;
      const tr = await recognizer.transcribe(audio, { posteriors: true });
      const heard = tr.text;
      (positive ? scores.positives : scores.negatives).push(scoreUtterance(s.text, heard));
      const outputs = {} as Record<System, { text: string; entities: Array<{ start: number; end: number }> }>;
      outputs.recognised = { text: heard, entities: [] };
      for (const [name, o] of Object.entries(options)) outputs[name as System] = await new SessionRedactor(policy, o).redact(heard);
      const posteriors = wholePosteriors(tr);
      outputs.hushscribeAudio = await new SessionRedactor(policy, { tagger }).redact(heard, posteriors ? { posteriors } : {});
      if (details)
        process.stderr.write(
          `[audio] ${positive ? 'positive' : 'negative'}: ${s.text}\n  heard: ${heard}\n${SYSTEMS.slice(1)
            .map((sys) => `  ${sys}: ${outputs[sys].text}\n`)
            .join('')}`,
        );
      if (positive) {
        for (const g of s.gold) {
          const value = s.text.slice(g.start, g.end);
          if (leakKeys(value).length === 0) {
            unscorable += 1;
            continue;
          }
          entities += 1;
          entitiesByType[g.type] = (entitiesByType[g.type] ?? 0) + 1;
          for (const sys of SYSTEMS) if (entityLeaks(value, outputs[sys].text)) leaked[sys][g.type] = (leaked[sys][g.type] ?? 0) + 1;
        }
      } else {
        const words = [...heard.matchAll(/\S+/g)];
        negativeWords += words.length;
        for (const sys of SYSTEMS)
          over[sys] += words.filter((w) => outputs[sys].entities.some((e) => e.start < w.index + w[0].length && w.index < e.end)).length;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await recognizer.close();
  }
  const systems = {} as Record<System, AudioSystemScore>;
  const count = (sys: System) => Object.values(leaked[sys]).reduce((a, b) => a + b, 0);
  for (const sys of SYSTEMS) {
    const n = count(sys);
    systems[sys] = {
      leaked: n,
      leakRate: round(ratio(n, entities)),
      leakRateOfExposed: round(ratio(n, count('recognised'))),
      leakedByType: leaked[sys],
      overRedaction: round(ratio(over[sys], negativeWords)),
    };
  }
  const wer = {
    positives: round(corpusRates(scores.positives).wer),
    negatives: round(corpusRates(scores.negatives).wer),
    all: round(corpusRates([...scores.positives, ...scores.negatives]).wer),
  };
  const result: AudioResult = {
    positives: positives.length,
    negatives: negatives.length,
    voices: AUDIO_VOICES,
    model: `${recognizer.model.name} (${recognizer.model.variant})`,
    decoding,
    wer,
    entities,
    entitiesByType,
    unscorable,
    systems,
    seconds: { audio: Math.round(audioSec), wall: Math.round((Date.now() - t0) / 1000) },
  };
  log(
    `end to end from synthesized audio: ${positives.length} positive + ${negatives.length} negative sentences, voices ${AUDIO_VOICES.join(', ')} in turn; ${result.model}, ${decoding}; WER ${wer.positives} (positives), ${wer.negatives} (negatives)`,
  );
  log(`entities leaked (a pair of consecutive reference words, or a one-word value, left in the output; 'recognised' = no redaction):`);
  log(`${'type'.padEnd(18)} ${'n'.padStart(4)}  ${SYSTEMS.map((s) => s.padStart(16)).join('')}`);
  for (const type of ENTITY_TYPES) {
    const total = entitiesByType[type];
    if (!total) continue;
    log(`${type.padEnd(18)} ${String(total).padStart(4)}  ${SYSTEMS.map((s) => String(leaked[s][type] ?? 0).padStart(16)).join('')}`);
  }
  log(`${'leak rate'.padEnd(18)} ${String(entities).padStart(4)}  ${SYSTEMS.map((s) => systems[s].leakRate.toFixed(4).padStart(16)).join('')}`);
  log(
    `${'of exposed'.padEnd(18)} ${String(systems.recognised.leaked).padStart(4)}  ${SYSTEMS.map((s) => systems[s].leakRateOfExposed.toFixed(4).padStart(16)).join('')}`,
  );
  log(`${'over-redaction'.padEnd(18)} ${String(negativeWords).padStart(4)}  ${SYSTEMS.map((s) => systems[s].overRedaction.toFixed(4).padStart(16)).join('')}`);
  log(
    `(hushscribeAudio: rules + tagger with the utterance's CTC posteriors; ${unscorable} entities with only stopwords not counted; ${result.seconds.audio} s of audio in ${result.seconds.wall} s)`,
  );
  return result;
}
