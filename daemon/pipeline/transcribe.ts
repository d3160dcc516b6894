/**
 * Orchestration of one recording through the stages: decode (audio/) -> VAD segmentation (vad/) -> ASR (asr/)
 * -> redaction (redaction/) [-> redacted audio (redacted-audio/)]. Emits redacted segments in order; the caller
 * stores them. Runs inside the transcription worker.
 */
import type { Hotword } from '../asr/context-graph.js';
import { basename } from 'node:path';
import { ASR_SAMPLE_RATE, isAudioInputError, probeRecording, streamRecording, wavShortfall } from '../audio/index.js';
import type { RecognizedSegment, StageTimings, Transcript } from '../asr/types.js';
import type { HushscribeConfig } from '../config/schema.js';
import { RedactedAudioError, spansToMask, type RedactedAudioWriter, type TimeSpan } from '../redacted-audio/index.js';
import { alignedText, buildRedactedSegment, type RedactedSegment } from '../redaction/segment.js';
import { newSegmenter, VAD_FRAME, type SpeechSegment } from '../vad/index.js';
import { LeftContext } from './left-context.js';
import { PipelineError } from './messages.js';
import type { RedactionResult, SegmentRedactor } from '../../redaction/types.js';
import type { StageSet } from './stages.js';

/** Shorter than this cannot hold a word; such files are reported instead of silently yielding nothing. */
export const MIN_DURATION_SEC = 0.3;
/** Rates outside this range are broken headers, not recordings (1 Hz would "resample" into hours of audio). */
const MIN_SOURCE_RATE = 4000;
const MAX_SOURCE_RATE = 768_000;
const PROGRESS_EVERY_SEC = 5;

export interface TranscribeEvents {
  progress(sec: number, durationSec: number | null): void;
  segment(segment: RedactedSegment): void;
  /** This recording's own hotwords (an ingest request's), in place of the configured list. */
  hotwords?: readonly Hotword[];
  /** Aborted: stop between native calls (each chunk, each speech segment) and reject with the signal's reason. */
  signal?: AbortSignal;
}

/** A recognised segment waiting for the next one, whose words become its right context (look-ahead mode). */
interface HeldSegment {
  raw: RecognizedSegment;
  ranges: [number, number][];
  offsetSec: number;
}

/**
 * Speech segments of one recording or live session in, redacted segments out, numbered from 0. Redaction
 * context carries across the session's segments (SessionRedactor), never beyond it.
 *
 * With `lookAhead` (recordings: files, `hushscribe transcribe`), each segment is redacted one segment late, with
 * the next segment's first words as right context as well as the previous words as left context, so an entity
 * cut in two by a pause ("... three thousand one hundred" | "twelve am lindenhof ...") is found in both halves;
 * `finish()` redacts the last one at the end of the recording. The held segment's raw text stays in this worker's
 * RAM only. Live sessions redact at once (no look-ahead), so a final is never held back for the next utterance.
 */
export class SegmentTranscriber {
  private readonly redactor: SegmentRedactor;
  private readonly context: LeftContext;
  private held: HeldSegment | null = null;
  count = 0;
  /** Audio to mask in the redacted audio: every entity's words, and whole segments whose entities have no time or that policy dropped. */
  readonly maskSpans: TimeSpan[] = [];

  /** hotwords: a request's own list; its pii phrases are redacted in this recording on top of the configured ones. */
  constructor(
    private readonly stages: StageSet,
    private readonly hotwords?: readonly Hotword[],
    private readonly options: { lookAhead?: boolean } = {},
  ) {
    this.redactor = stages.newRedactor((hotwords ?? []).filter((h) => h.pii).map((h) => ({ phrase: h.phrase })));
    this.context = new LeftContext(stages.leftContext);
  }

  /** A partial of the segment in progress, redacted with this session's context (which it leaves as it was). */
  preview(text: string) {
    return this.redactor.preview(text);
  }

  /**
   * Decodes a segment as this transcriber does: with its hotwords, if any, and after the session's earlier speech
   * (asr.leftContext) unless `withContext` is false.
   */
  decode(speech: SpeechSegment, withContext = true): Promise<Transcript> {
    const context = withContext ? this.context.before(speech.start, speech.samples.length / ASR_SAMPLE_RATE) : undefined;
    return this.stages.recognizer.transcribe(speech.samples, { ...(this.hotwords ? { hotwords: this.hotwords } : {}), ...(context ? { context } : {}) });
  }

  /** Whether `text` ends in what may be the first half of an entity, after the session's earlier words (the live endpoint waits then). */
  endsUnfinished(text: string): boolean {
    return this.redactor.endsUnfinished(text);
  }

  /** ln p(end of sentence | the last words of `text`) under the recognizer's LM; -Infinity without one. */
  endOfSentenceLogProb(text: string): number {
    return this.stages.recognizer.endOfSentenceLogProb?.(text) ?? -Infinity;
  }

  /**
   * Recording time from which audio may still hold an entity not yet redacted: the start of the held segment's
   * speech in look-ahead mode (its mask spans come with the next segment), else Infinity. Redacted audio waits in
   * RAM behind it: one speech segment more than without look-ahead.
   */
  get pendingFromSec(): number {
    return this.held ? this.held.offsetSec : Number.POSITIVE_INFINITY;
  }

  /** `decoded`: the segment's transcript when it was already decoded (the live endpoint's decode ahead), so it is not decoded twice. */
  async add(speech: SpeechSegment, decoded?: Transcript): Promise<RedactedSegment[]> {
    const transcript = decoded ?? (await this.decode(speech));
    this.context.add(speech);
    const out: RedactedSegment[] = [];
    for (const raw of transcript.segments) {
      const { text, ranges } = alignedText(raw);
      if (!this.options.lookAhead) {
        this.emit({ raw, ranges, offsetSec: speech.start }, await this.redactor.redact(text), out);
        continue;
      }
      const before = this.held;
      this.held = { raw, ranges, offsetSec: speech.start };
      const result = await this.redactor.push(text);
      if (before && result) this.emit(before, result, out);
    }
    return out;
  }

  /** Look-ahead mode: redacts the held segment without right context (end of the recording); [] when none is held. */
  async finish(): Promise<RedactedSegment[]> {
    const before = this.held;
    this.held = null;
    const result = await this.redactor.flush();
    const out: RedactedSegment[] = [];
    if (before && result) this.emit(before, result, out);
    return out;
  }

  private emit(segment: HeldSegment, result: RedactionResult, out: RedactedSegment[]): void {
    const { name, variant } = this.stages.recognizer.model;
    const redacted = buildRedactedSegment(segment.raw, segment.ranges, result, { seq: this.count, offsetSec: segment.offsetSec, model: name, variant });
    this.maskSpans.push(...spansToMask(segment.raw, redacted, result.dropped, segment.offsetSec));
    if (redacted) {
      out.push(redacted);
      this.count++;
    }
  }
}

/** A redacted partial hypothesis of the segment being spoken: never stored. */
export interface PartialResult {
  text: string;
}

/**
 * Re-decodes the open segment and redacts it recall-first (SessionRedactor.preview); the session's context is
 * untouched. Decoded without left context: partials come every 250 ms, and 4 s more audio in each doubled the live
 * worker's CPU (`npm run bench -- live`); the final is decoded with it.
 */
export async function decodePartial(redactor: SegmentTranscriber, speech: SpeechSegment): Promise<PartialResult> {
  const transcript = await redactor.decode(speech, false);
  const texts: string[] = [];
  for (const raw of transcript.segments) {
    const { text } = alignedText(raw);
    if (text !== '') texts.push((await redactor.preview(text)).text);
  }
  return { text: texts.join(' ') };
}

/** Seconds of `speech` after the last recognised word of its decode (the recogniser's trailing blank frames). */
export function trailingBlankSec(transcript: Transcript, speech: SpeechSegment): number {
  const lastWordEnd = Math.max(0, ...transcript.segments.map((s) => s.words.at(-1)?.end ?? 0));
  return Math.max(0, speech.samples.length / ASR_SAMPLE_RATE - lastWordEnd);
}

/** Where a recording's redacted audio goes, when redaction.audio is enabled. */
export interface RedactedAudioTarget {
  writer: RedactedAudioWriter;
  /** File name without extension (the recording id). */
  name: string;
}

/**
 * A whole recording already in RAM (`hushscribe transcribe`) cut by the daemon's segmenter, fed in the daemon's
 * chunk size, each speech segment recognised: the same segments, so the same redaction, as the daemon gives the
 * same file under the same config. Word times are the recording's; timings are summed over the segments.
 */
export async function recognizeSegmented(
  stages: Pick<StageSet, 'recognizer' | 'vad' | 'leftContext'>,
  vadConfig: HushscribeConfig['vad'],
  samples: Float32Array,
): Promise<{ transcript: Transcript; timings: StageTimings }> {
  const segmenter = newSegmenter(stages.vad, vadConfig);
  const context = new LeftContext(stages.leftContext);
  const segments: RecognizedSegment[] = [];
  const timings: StageTimings = { features: 0, model: 0, search: 0 };
  const recognise = async (speech: SpeechSegment) => {
    const before = context.before(speech.start, speech.samples.length / ASR_SAMPLE_RATE);
    const part = await stages.recognizer.transcribe(speech.samples, before ? { context: before } : {});
    context.add(speech);
    const spent = stages.recognizer.lastTimings;
    if (spent) for (const k of ['features', 'model', 'search'] as const) timings[k] += spent[k];
    const at = (x: number) => x + speech.start;
    for (const seg of part.segments)
      segments.push({ ...seg, start: at(seg.start), end: at(seg.end), words: seg.words.map((w) => ({ ...w, start: at(w.start), end: at(w.end) })) });
  };
  const chunk = VAD_FRAME * 16;
  for (let at = 0; at < samples.length; at += chunk) for (const speech of await segmenter.push(samples.slice(at, at + chunk))) await recognise(speech);
  for (const speech of segmenter.flush()) await recognise(speech);
  return { transcript: { text: segments.map((seg) => seg.text).join(' '), durationSec: samples.length / ASR_SAMPLE_RATE, segments }, timings };
}

export async function transcribeRecording(
  path: string,
  stages: StageSet,
  vadConfig: HushscribeConfig['vad'],
  on: TranscribeEvents,
  audio: RedactedAudioTarget | null = null,
  /** The file's name for messages, when `path` is not its name (a file held open). */
  name = basename(path),
): Promise<{ durationSec: number; segmentCount: number; redactedAudio: { path: string; bytes: number } | null }> {
  // The declared duration drives progress and catches truncated files; decoding reports unreadable ones.
  const probe = await probeRecording(path).catch(() => null);
  if (probe && (probe.sampleRate < MIN_SOURCE_RATE || probe.sampleRate > MAX_SOURCE_RATE)) {
    throw new PipelineError(
      'BAD_SAMPLE_RATE',
      `${name}: declares a sample rate of ${probe.sampleRate} Hz; expected ${MIN_SOURCE_RATE}..${MAX_SOURCE_RATE} Hz (broken header?)`,
    );
  }
  const declared = probe?.durationSec ?? null;
  const shortfall = await wavShortfall(path).catch((err: unknown) => {
    if (isAudioInputError(err, 'UNSUPPORTED_ENCODING')) throw err;
    return null;
  });
  const segmenter = newSegmenter(stages.vad, vadConfig);
  const transcriber = new SegmentTranscriber(stages, on.hotwords, { lookAhead: true });
  // Redacted audio is streamed as live sessions' is: raw samples wait in this worker's RAM only until no later
  // entity can reach them (behind the segmenter, less padMs and the VAD's speech padding), then are masked and
  // appended to the temp file, so memory stays flat whatever the length. Only masked samples are written.
  const stream = audio ? audioStep(() => audio.writer.stream(audio.name)) : null;
  const marginSec = audio ? (audio.writer.options.padMs + vadConfig.speechPadMs) / 1000 : 0;
  let decoded = 0;
  let reported = 0;
  const transcribe = async (speech: SpeechSegment) => {
    on.signal?.throwIfAborted();
    for (const segment of await transcriber.add(speech)) on.segment(segment);
  };

  try {
    for await (const chunk of streamRecording(path, { frameSamples: VAD_FRAME * 16 })) {
      on.signal?.throwIfAborted();
      decoded += chunk.length;
      stream?.push(chunk);
      for (const speech of await segmenter.push(chunk)) await transcribe(speech);
      if (stream) await audioStep(() => stream.commit(Math.min(segmenter.heldFromSec, transcriber.pendingFromSec) - marginSec, transcriber.maskSpans));
      if (decoded / ASR_SAMPLE_RATE - reported >= PROGRESS_EVERY_SEC) {
        reported = decoded / ASR_SAMPLE_RATE;
        on.progress(reported, declared);
      }
    }
    const durationSec = decoded / ASR_SAMPLE_RATE;
    if (durationSec < MIN_DURATION_SEC) {
      throw new PipelineError('TOO_SHORT', `${name}: is ${durationSec.toFixed(2)} s long; recordings shorter than ${MIN_DURATION_SEC} s cannot hold speech`);
    }
    for (const speech of segmenter.flush()) await transcribe(speech);
    for (const segment of await transcriber.finish()) on.segment(segment);
    if (shortfall) {
      throw new PipelineError(
        'TRUNCATED',
        `${name}: holds ${shortfall.presentSec.toFixed(2)} s of the ${shortfall.declaredSec.toFixed(2)} s its WAV header declares (file cut short?)`,
      );
    }
    // Encoder delay and padding make decoded lengths differ a little from the declared one.
    if (declared !== null && durationSec < declared - Math.max(0.25, declared * 0.02)) {
      throw new PipelineError(
        'TRUNCATED',
        `${name}: ends after ${durationSec.toFixed(2)} s of the ${declared.toFixed(2)} s its header declares (file cut short?)`,
      );
    }
    const redactedAudio = stream ? await audioStep(() => stream.close(transcriber.maskSpans)) : null;
    on.progress(durationSec, durationSec);
    return { durationSec, segmentCount: transcriber.count, redactedAudio };
  } finally {
    stream?.abort(); // only after a failure: a closed stream's file is already renamed
  }
}

/** A redacted-audio step; its failure fails the recording as AUDIO_WRITE_FAILED (the temp file is removed). */
function audioStep<T>(step: () => T): T {
  const fail = (err: unknown): never => {
    if (err instanceof RedactedAudioError) throw new PipelineError('AUDIO_WRITE_FAILED', err.message);
    throw err;
  };
  try {
    const result = step();
    return (result instanceof Promise ? result.catch(fail) : result) as T;
  } catch (err) {
    return fail(err);
  }
}
