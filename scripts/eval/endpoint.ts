/**
 * Live endpointing: what ending segments at shorter silences costs in words, with and without left context.
 *
 *   npm run eval -- endpoint [--set ljspeech|heldout-real] [--clips N] [--left-context-sec S] [--left-context-gap-sec S]
 *                            [--left-context-total-sec S]
 *                            [--silence-ms 140,200,260,300] [--word-silence-ms 0,224] [--trailing-blank-ms N] [--decode-ahead-ms N]
 *                            [--fast-ms 120,140,160] [--fast-eos -3,-2,-1.5,-1] [--fast-blank-ms N]
 *                            [--dump FILE] [--variant sparse] [--chain N] [--chain-gap-sec S] [--same-speaker]
 *
 * Read sentences with their natural pauses, each followed by 1.5 s of silence: LJSpeech clips from ../shared/data
 * (every 6th of its list: the set the endpoint defaults are tuned on), or --set heldout-real, the held-out real
 * utterances of `npm run eval -- asr` but LJSpeech's (other speakers and corpora, never tuned on). They go through
 * the live worker's segmenter and endpoint rule (the same classes, fed 512 samples at a time as the capture
 * delivers them, mirroring LivePartials.close): the closing audio is decoded once the VAD has heard live.endpoint.decodeAheadMs of silence (again
 * at vad.speechPadMs of silence when that decode's last word ran to its end), and the segment ends when the VAD has
 * heard the endpoint's silence and the trailing blank agrees. Besides WER, each rule gives the silence heard when
 * each sentence's last segment ended: as the VAD counts it, and since the closing decode's last word (the end of
 * speech as the recogniser places it; the difference is the VAD's lag). Each segment is decoded after the clip's earlier
 * segments (asr.leftContext; --left-context-sec 0: alone). Figures per endpoint silence: segments, WER against the
 * corpus transcripts, and the silence heard before the last segment of each sentence ended. The VAD alone
 * (vad.minSilenceMs 300) is the baseline. --chain N joins N utterances in a row with --chain-gap-sec of silence
 * between them (as someone dictating goes on), so context across utterances (asr.leftContext.maxGapSec) counts;
 * with --same-speaker, only LibriSpeech utterances, chained within one reader's chapter in reading order.
 * Then the opt-in fast rule (live.endpoint.fast): for each fast silence and end-of-sentence threshold (ln p of the
 * LM's </s> after the closing decode's last words), a segment ends at that silence when the LM's evidence holds and
 * the trailing blank is at least --fast-blank-ms, else at live.endpoint.minSilenceMs; and the distribution of that
 * evidence at sentence ends vs at pauses inside a sentence (speech comes back later in the clip).
 * Last line: JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../common/package-root.js';
import { loadRecognizer } from '../../daemon/asr/index.js';
import type { Transcript } from '../../daemon/asr/types.js';
import { readAudio } from '../../daemon/audio/index.js';
import { validateConfig } from '../../daemon/config/index.js';
import { trailingBlankSec } from '../../daemon/pipeline/transcribe.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { LeftContext } from '../../daemon/pipeline/left-context.js';
import { loadSileroVad, SpeechSegmenter, type SpeechSegment } from '../../daemon/vad/index.js';
import { heldOutRealUtterances } from './asr-sets.js';
import { corpusRates, scoreUtterance } from './error-rate.js';

const RATE = 16000;
const FRAME = 512;

interface Clip {
  id: string;
  text: string;
  audio: Float32Array;
  /** Silero's speech probability per 512-sample frame: the same for every rule, so computed once. */
  probs: number[];
}

export async function runEndpointEval(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      clips: { type: 'string', default: '40' },
      'silence-ms': { type: 'string', default: '140,200,260,300' },
      // live.endpoint.sinceLastWordMs, crossed with --silence-ms (0: off)
      'word-silence-ms': { type: 'string' },
      'trailing-blank-ms': { type: 'string' },
      // live.endpoint.decodeAheadMs
      'decode-ahead-ms': { type: 'string' },
      // The opt-in fast rule (live.endpoint.fast): each silence x each end-of-sentence threshold (ln p) is one rule.
      'fast-ms': { type: 'string', default: '120,140,160' },
      'fast-eos': { type: 'string', default: '-3,-2,-1.5,-1' },
      'fast-blank-ms': { type: 'string' },
      // asr.leftContext.maxSec (0: each segment decoded alone, as before left context)
      'left-context-sec': { type: 'string' },
      // asr.leftContext.maxGapSec, maxTotalSec
      'left-context-gap-sec': { type: 'string' },
      'left-context-total-sec': { type: 'string' },
      set: { type: 'string', default: 'ljspeech' },
      'real-count': { type: 'string', default: '150' },
      // Each rule's text per clip, with the reference, as JSON lines (for finding what a rule cost).
      dump: { type: 'string' },
      // Utterances per clip, joined with --chain-gap-sec of silence (asr.leftContext.maxGapSec across utterances).
      chain: { type: 'string', default: '1' },
      'chain-gap-sec': { type: 'string', default: '1.5' },
      'same-speaker': { type: 'boolean', default: false },
      // The model's variant (manifest `variants`); default: the manifest's.
      variant: { type: 'string' },
    },
  });
  const count = Number(values.clips);
  const silences = values['silence-ms'].split(',').map(Number);
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`Expected positive integer for --clips but received ${values.clips}`);
  if (silences.some((s) => !Number.isInteger(s) || s < 0)) throw new TypeError(`Expected integers >= 0 for --silence-ms but received ${values['silence-ms']}`);
  const { vad: vadConfig, live, asr } = validateConfig({}); // the shipped defaults
  const wordSilences = (values['word-silence-ms'] ?? String(live.endpoint.sinceLastWordMs)).split(',').map(Number);
  if (wordSilences.some((s) => !Number.isInteger(s) || s < 0))
    throw new TypeError(`Expected integers >= 0 for --word-silence-ms but received ${values['word-silence-ms']}`);
  const leftContext = {
    ...asr.leftContext,
    ...(values['left-context-sec'] === undefined ? {} : { maxSec: Number(values['left-context-sec']) }),
    ...(values['left-context-gap-sec'] === undefined ? {} : { maxGapSec: Number(values['left-context-gap-sec']) }),
    ...(values['left-context-total-sec'] === undefined ? {} : { maxTotalSec: Number(values['left-context-total-sec']) }),
  };
  if (!(leftContext.maxSec >= 0)) throw new TypeError(`Expected number >= 0 for --left-context-sec but received ${values['left-context-sec']}`);
  if (!(leftContext.maxTotalSec >= 0))
    throw new TypeError(`Expected number >= 0 for --left-context-total-sec but received ${values['left-context-total-sec']}`);
  if (!(leftContext.maxGapSec >= 0)) throw new TypeError(`Expected number >= 0 for --left-context-gap-sec but received ${values['left-context-gap-sec']}`);
  if (values.set !== 'ljspeech' && values.set !== 'heldout-real') throw new TypeError(`Expected ljspeech or heldout-real for --set but received ${values.set}`);
  const blankMs = values['trailing-blank-ms'] === undefined ? live.endpoint.trailingBlankMs : Number(values['trailing-blank-ms']);
  if (!Number.isInteger(blankMs) || blankMs < 0)
    throw new TypeError(`Expected integer >= 0 for --trailing-blank-ms but received ${values['trailing-blank-ms']}`);
  const speechDir = sharedSpeechDir();
  const vad = await loadSileroVad();
  const clips: Clip[] = [];
  const chain = Number(values.chain);
  const chainGapSec = Number(values['chain-gap-sec']);
  if (!Number.isInteger(chain) || chain < 1) throw new TypeError(`Expected positive integer for --chain but received ${values.chain}`);
  if (!(chainGapSec >= 0)) throw new TypeError(`Expected number >= 0 for --chain-gap-sec but received ${values['chain-gap-sec']}`);
  const listed = await clipList(values.set, count, speechDir, Number(values['real-count']));
  // --same-speaker: only utterances whose speaker the id names (LibriSpeech's speaker-chapter-utterance), in
  // reading order, so a chain is one reader going on with the text; otherwise the list's order (mixed speakers).
  const speakerOf = (id: string) => /^librispeech\/(\d+-\d+)-\d+$/.exec(id)?.[1];
  const sources = values['same-speaker'] ? listed.filter((c) => speakerOf(c.id)).sort((a, b) => a.id.localeCompare(b.id)) : listed;
  const groups: (typeof sources)[] = [];
  for (const c of sources) {
    const last = groups.at(-1);
    if (last && last.length < chain && (!values['same-speaker'] || speakerOf(last[0]!.id) === speakerOf(c.id))) last.push(c);
    else groups.push([c]);
  }
  for (const group of groups) {
    // One clip: `chain` utterances in a row, chainGapSec of silence between them, as a speaker dictating goes on.
    const parts = [];
    for (const { wav } of group) parts.push((await readAudio(wav)).samples);
    const gap = Math.round(chainGapSec * RATE);
    const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0) + gap * (parts.length - 1) + 1.5 * RATE);
    let at = 0;
    for (const p of parts) {
      audio.set(p, at);
      at += p.length + gap;
    }
    const id = group.map((g) => g.id).join('+');
    const text = group.map((g) => g.text).join(' ');
    vad.resetStates();
    const probs: number[] = [];
    for (let at = 0; at + FRAME <= audio.length; at += FRAME) probs.push(await vad.processChunk(audio.slice(at, at + FRAME), RATE));
    clips.push({ id, text, audio, probs });
  }
  const recognizer = await loadRecognizer({
    modelDir: join(packageRoot(), 'models', 'hushscribe-en-v1'),
    ...(values.variant === undefined ? {} : { variant: values.variant }),
  });
  const decoded = new Map<string, Transcript>();
  const padSec = vadConfig.speechPadMs / 1000;
  const decodeAheadMs = Math.max(
    1,
    Math.min(values['decode-ahead-ms'] === undefined ? live.endpoint.decodeAheadMs : Number(values['decode-ahead-ms']), vadConfig.speechPadMs),
  );
  if (!Number.isInteger(decodeAheadMs)) throw new TypeError(`Expected integer >= 0 for --decode-ahead-ms but received ${values['decode-ahead-ms']}`);
  /** The clip's segments so far: the earlier speech a segment is decoded after, as the live worker does. */
  let context = new LeftContext(leftContext);
  const decode = async (clip: Clip, s: SpeechSegment) => {
    const before = context.before(s.start, s.samples.length / RATE);
    // Rules cut a clip differently, so the same segment may follow different context audio of the same length.
    const key = `${clip.id}:${s.start}:${s.end}:${before ? fingerprint(before) : 0}`;
    if (!decoded.has(key)) decoded.set(key, await recognizer.transcribe(s.samples, before ? { context: before } : {}));
    return decoded.get(key)!;
  };

  const fastSilences = values['fast-ms'].split(',').filter(Boolean).map(Number);
  const fastEos = values['fast-eos'].split(',').filter(Boolean).map(Number);
  const fastBlankMs = values['fast-blank-ms'] === undefined ? live.endpoint.fast.trailingBlankMs : Number(values['fast-blank-ms']);
  if (fastSilences.some((s) => !Number.isInteger(s) || s < 0) || fastEos.some((e) => !Number.isFinite(e) || e > 0) || !Number.isInteger(fastBlankMs))
    throw new TypeError('Expected integers >= 0 for --fast-ms and --fast-blank-ms, and ln p values <= 0 for --fast-eos');
  /** ln p(end of sentence) of each closing decode's text: the fast rule's evidence, per pause kind (for the log). */
  const eosAt: { sentenceEnd: number[]; pause: number[] } = { sentenceEnd: [], pause: [] };
  const endOfSentence = (text: string) => recognizer.endOfSentenceLogProb?.(text) ?? -Infinity;

  const dumped: unknown[] = [];
  /**
   * One rule over every clip: endpointMs null is the VAD alone; wordSilenceMs, the time since the closing decode's
   * last word that ends the segment sooner (live.endpoint.sinceLastWordMs); `fast`, the opt-in rule before endpointMs.
   */
  const evaluate = async (endpointMs: number | null, fast: { silenceMs: number; eosLogProb: number } | null = null, wordSilenceMs = 0) => {
    let segments = 0;
    let endedFast = 0;
    const scores = [];
    const endSilenceMs: number[] = [];
    /** At each clip's last endpoint decision: time since the closing decode's last word (the end of speech, as the decode heard it). */
    const endWordSilenceMs: number[] = [];
    for (const clip of clips) {
      let frame = 0;
      const segmenter = new SpeechSegmenter({ processChunk: async () => clip.probs[frame++]!, resetStates: () => (frame = 0) }, vadConfig);
      const texts: string[] = [];
      let lastSilence = NaN;
      let lastWordSilence = NaN;
      let closing = null as { start: number; end: number; complete: boolean; transcript: Transcript; blankSec: number; eos: number } | null;
      context = new LeftContext(leftContext);
      for (let at = 0; at + FRAME <= clip.audio.length; at += FRAME) {
        for (const s of await segmenter.push(clip.audio.slice(at, at + FRAME))) {
          // As the live worker: the closing decode of the same speech in the same silence is the final's.
          const same = closing !== null && closing.start === s.start && closing.end <= s.end && s.end - closing.end <= padSec + 1e-6;
          texts.push(same ? closing!.transcript.text : (await decode(clip, s)).text);
          context.add(s);
          closing = null;
          lastSilence = vadConfig.minSilenceMs;
          lastWordSilence = NaN;
        }
        if (endpointMs === null || !segmenter.openSpeech()) continue;
        const silenceMs = segmenter.silenceSec * 1000;
        if (silenceMs === 0) closing = null; // speech goes on
        if (silenceMs < decodeAheadMs) continue;
        // As LivePartials.close: decoded at the first silent frame, again once speechPadMs is heard if that
        // decode's last word ran into the end of its audio.
        const speech = segmenter.closingSpeech();
        if (!speech) continue; // a burst shorter than vad.minSpeechMs: only the VAD's rule ends it
        const complete = silenceMs >= vadConfig.speechPadMs;
        const same = closing !== null && closing.start === speech.start && closing.end <= speech.end && speech.end - closing.end <= padSec + 1e-6;
        if (!same || (complete && !closing!.complete && closing!.blankSec * 1000 < blankMs)) {
          const transcript = await decode(clip, speech);
          const eos = endOfSentence(transcript.text);
          if (!same && fast === null && endpointMs === silences[0]) {
            // Where the speech of this clip goes on after the pause, it was a pause inside the sentence.
            const inside = clip.probs.slice(at / FRAME + 1).some((p) => p >= vadConfig.threshold);
            (inside ? eosAt.pause : eosAt.sentenceEnd).push(eos);
          }
          closing = { start: speech.start, end: speech.end, complete, transcript, blankSec: trailingBlankSec(transcript, speech), eos };
        }
        const c = closing!;
        const sinceWordMs = (segmenter.processedSec - (c.end - c.blankSec)) * 1000;
        const fastHolds = fast !== null && silenceMs >= fast.silenceMs && c.eos >= fast.eosLogProb && c.blankSec * 1000 >= fastBlankMs;
        const ended =
          (fastHolds || silenceMs >= endpointMs || (wordSilenceMs > 0 && sinceWordMs >= wordSilenceMs)) && c.blankSec * 1000 >= blankMs
            ? segmenter.endNow()
            : null;
        if (ended) {
          texts.push(c.transcript.text);
          context.add(ended);
          closing = null;
          lastSilence = silenceMs;
          lastWordSilence = sinceWordMs;
          if (fastHolds && silenceMs < endpointMs) endedFast++;
        }
      }
      for (const s of segmenter.flush()) {
        texts.push((await decode(clip, s)).text);
        context.add(s);
      }
      segments += texts.length;
      dumped.push({ rule: { endpointMs, fast }, id: clip.id, reference: clip.text, segments: texts });
      endSilenceMs.push(lastSilence);
      endWordSilenceMs.push(lastWordSilence);
      scores.push(scoreUtterance(clip.text, texts.join(' ')));
    }
    const rates = corpusRates(scores);
    const sorted = endSilenceMs.filter(Number.isFinite).sort((a, b) => a - b);
    const sortedWord = endWordSilenceMs.filter(Number.isFinite).sort((a, b) => a - b);
    return {
      endpointMs,
      wordSilenceMs,
      ...(fast ? { fast, endedFast } : {}),
      segments,
      wer: Math.round(rates.wer * 10000) / 10000,
      lastEndSilenceMsP50: Math.round(sorted[sorted.length >> 1] ?? NaN),
      lastEndSilenceMsP95: Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? NaN),
      // The same for the time since the last word, where an endpoint rule (not the VAD) ended the last segment.
      lastEndWordSilenceMsP50: Math.round(sortedWord[sortedWord.length >> 1] ?? NaN),
      lastEndWordSilenceMsP95: Math.round(sortedWord[Math.min(sortedWord.length - 1, Math.floor(sortedWord.length * 0.95))] ?? NaN),
    };
  };

  const baseline = await evaluate(null);
  const rules = [];
  for (const ms of silences) for (const wordMs of wordSilences) rules.push(await evaluate(ms, null, wordMs));
  const fastRules = [];
  const normalMs = live.endpoint.minSilenceMs;
  for (const silenceMs of fastSilences) for (const eosLogProb of fastEos) fastRules.push(await evaluate(normalMs, { silenceMs, eosLogProb }));
  console.log(
    `${clips.length} ${values.set} clips, left context ${leftContext.maxSec} s; VAD alone (${vadConfig.minSilenceMs} ms): ${baseline.segments} segments, WER ${baseline.wer}`,
  );
  for (const r of rules)
    console.log(
      `endpoint ${r.endpointMs} ms${r.wordSilenceMs ? ` or ${r.wordSilenceMs} ms since the last word` : ''}: ${r.segments} segments, WER ${r.wer} (${r.wer >= baseline.wer ? '+' : ''}${Math.round((r.wer - baseline.wer) * 1000) / 10} points), last end VAD silence p50/p95 ${r.lastEndSilenceMsP50}/${r.lastEndSilenceMsP95} ms, since the last word ${r.lastEndWordSilenceMsP50}/${r.lastEndWordSilenceMsP95} ms`,
    );
  const quantiles = (xs: number[]) => {
    const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => Math.round((sorted[Math.floor(q * (sorted.length - 1))] ?? NaN) * 100) / 100);
  };
  console.log(
    `ln p(end of sentence) p10/25/50/75/90: at sentence ends ${quantiles(eosAt.sentenceEnd)} (${eosAt.sentenceEnd.length}), at pauses inside a sentence ${quantiles(eosAt.pause)} (${eosAt.pause.length})`,
  );
  for (const r of fastRules)
    console.log(
      `fast ${r.fast!.silenceMs} ms if ln p(eos) >= ${r.fast!.eosLogProb}, else ${normalMs} ms: ${r.segments} segments (${r.endedFast} ended fast), WER ${r.wer} (${r.wer >= baseline.wer ? '+' : ''}${Math.round((r.wer - baseline.wer) * 1000) / 10} points), last end silence p50/p95 ${r.lastEndSilenceMsP50}/${r.lastEndSilenceMsP95} ms`,
    );
  if (values.dump) writeFileSync(values.dump, `${dumped.map((d) => JSON.stringify(d)).join('\n')}\n`);
  console.log(
    JSON.stringify({
      evaluation: 'endpoint',
      set: values.set,
      variant: recognizer.model.variant,
      leftContext,
      clips: clips.length,
      chain,
      chainGapSec,
      sameSpeaker: values['same-speaker'],
      trailingBlankMs: blankMs,
      decodeAheadMs,
      fastTrailingBlankMs: fastBlankMs,
      baseline,
      rules,
      fastRules,
    }),
  );
  await recognizer.close();
  return 0;
}

/** A hash of every sample's bits (FNV-1a), with the length: which context audio a decode followed. */
function fingerprint(samples: Float32Array): string {
  const bits = new Uint32Array(samples.buffer, samples.byteOffset, samples.length);
  let hash = 0x811c9dc5;
  for (const b of bits) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return `${samples.length}-${hash.toString(16)}`;
}

/**
 * The clips: LJSpeech (every 6th of its list: the set the endpoint defaults were tuned on), or heldout-real, the
 * held-out real utterances of `npm run eval -- asr` (other speakers and corpora, never tuned on) but LJSpeech's.
 */
async function clipList(set: string, count: number, speechDir: string, realCount: number): Promise<{ id: string; text: string; wav: string }[]> {
  if (set === 'heldout-real')
    return (await heldOutRealUtterances(packageRoot(), join(speechDir, 'speech.tsv'), count, realCount)).map((item) => ({
      id: item.id,
      text: item.reference,
      wav: item.wav,
    }));
  return readFileSync(join(speechDir, 'speech.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((r) => r[0] === 'ljspeech')
    .filter((_r, i) => i % 6 === 0)
    .slice(0, count)
    .map(([, id, path, text]) => ({ id: id!, text: text!, wav: join(speechDir, path!) }));
}
