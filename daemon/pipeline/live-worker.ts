/**
 * Worker thread for a live source: runs the capture command, decodes its stdout with ffmpeg to 16 kHz mono,
 * and transcribes speech as it comes (VAD -> ASR -> redaction). Audio and raw text never leave this thread;
 * redacted segments are posted per session (one stored recording per sessionMaxSec).
 *
 * With redaction.audio enabled, each session's audio is saved masked, as files are: decoded samples wait in RAM
 * only until no later entity can reach them (the audio the segmenter no longer holds, less padMs and the VAD's
 * speechPad), are then masked and appended to `.<recording id>.<format>.partial`, and the file is renamed when
 * the session ends. RAM holds seconds, not the session. A failure to write is logged and the session goes on
 * without audio; a killed daemon leaves only the temp file, removed at the next start.
 */
import { startCapture, type Capture } from '../audio/index.js';
import { openRedactedAudioWriter, RedactedAudioError, type RedactedAudioWriter, type StreamingRedactedAudio } from '../redacted-audio/index.js';
import { recordingIdForStream } from '../store/ids.js';
import { describeUnexpectedError } from '../util/safe-error.js';
import { newSegmenter, type SpeechSegment } from '../vad/index.js';
import { droppedPartials, LivePartials, type ClosingDecode } from './live-partials.js';
import type { FinalLatency, FromLiveWorker, LiveWorkerData, ToLiveWorker } from './messages.js';
import { stagesFor, type StageSet } from './stages.js';
import { SegmentTranscriber } from './transcribe.js';
import { startWorker, workerChannel } from './worker-startup.js';

const { settings, post, onMessage, onShutdown } = workerChannel<LiveWorkerData, FromLiveWorker, ToLiveWorker>();

const variants = await startWorker(settings, post);
// One mutable set: SegmentTranscriber reads its recognizer per segment, so a switch applies from the next segment.
// Once switched both recognizers stay: the old one may be decoding a segment when the new one is put in place.
const stages: StageSet = { ...variants.started };

let capture: Capture | null = null;
let wantedVariant: string = 'dense';
/** The capture's transcription and a variant load, while in progress: shutdown waits for both (native work). */
let running: Promise<void> = Promise.resolve();
let loadingVariant: Promise<unknown> = Promise.resolve();

/** null: redaction.audio disabled, or its folder unusable (reported once per session instead). */
let audioWriter: RedactedAudioWriter | null = null;
let audioSetupError: unknown = null;
try {
  // No stale-file cleaning here: the daemon does it at start, before any session writes.
  audioWriter = openRedactedAudioWriter(settings.redaction.audio, null);
} catch (err) {
  audioSetupError = err;
}
/** Seconds kept in RAM behind the segmenter: a later entity's span, widened by padMs, never reaches written audio. */
const AUDIO_MARGIN_SEC = (settings.redaction.audio.padMs + settings.vad.speechPadMs) / 1000;

function audioFailed(err: unknown): void {
  const known = err instanceof RedactedAudioError;
  post({ type: 'audio-failed', code: known ? err.code : 'REDACTED_AUDIO_FAILED', message: known ? err.message : describeUnexpectedError(err) });
}

/** One session's redacted audio; every failure is reported once and ends the audio, never the transcription. */
class SessionAudio {
  private stream: StreamingRedactedAudio | null = null;

  constructor(name: string) {
    if (!settings.redaction.audio.enabled) return;
    try {
      if (!audioWriter) throw audioSetupError;
      this.stream = audioWriter.stream(name);
    } catch (err) {
      audioFailed(err);
    }
  }

  push(samples: Float32Array): void {
    this.stream?.push(samples);
  }

  async commit(upToSec: number, spans: readonly { start: number; end: number }[]): Promise<void> {
    if (!this.stream) return;
    try {
      await this.stream.commit(upToSec, spans);
    } catch (err) {
      this.stream = null;
      audioFailed(err);
    }
  }

  async close(spans: readonly { start: number; end: number }[]): Promise<{ path: string; bytes: number } | null> {
    const stream = this.stream;
    this.stream = null;
    if (!stream) return null;
    try {
      return await stream.close(spans);
    } catch (err) {
      audioFailed(err);
      return null;
    }
  }

  abort(): void {
    this.stream?.abort();
    this.stream = null;
  }
}

async function run(): Promise<void> {
  const source = startCapture(settings.argv);
  capture = source;
  // One segmenter and transcriber per session, so times and seq numbers are the session recording's own.
  let segmenter = newSegmenter(stages.vad, settings.vad);
  let transcriber = new SegmentTranscriber(stages);
  let partials = new LivePartials(settings.live, settings.vad.speechPadMs, segmenter, transcriber, post);
  let earlierSessionsSec = 0;
  let lastHeard = 0;
  const startSession = (): SessionAudio => {
    const startedAt = Date.now();
    const recordingId = recordingIdForStream(settings.source, startedAt);
    post({ type: 'session', startedAt, recordingId });
    return new SessionAudio(recordingId);
  };
  const endSession = async () => {
    await transcribeAll(segmenter.flush());
    await partials.settle();
    const redactedAudio = await audio.close(transcriber.maskSpans);
    post({ type: 'session-end', durationSec: segmenter.processedSec, segmentCount: transcriber.count, redactedAudio });
  };
  let audio = startSession();
  /** Transcribes and posts ended segments; `decoded`: the endpoint's decode of the segment, if it made one. */
  const finish = async (speech: SpeechSegment, endedBy: FinalLatency['endedBy'], readAt: number, decoded?: ClosingDecode) => {
    const t0 = performance.now();
    const segments = await transcriber.add(speech, decoded?.transcript);
    const eos = decoded?.endOfSentenceLogProb;
    const lastWordEnd = Math.max(-1, ...segments.flatMap((s) => s.words.map((w) => w.end)));
    const latency = {
      endedBy,
      heardSec: segmenter.processedSec,
      vadEndSec: speech.end - settings.vad.speechPadMs / 1000,
      lastWordEndSec: lastWordEnd >= 0 ? lastWordEnd : null,
      readAt,
      decodeAheadMs: decoded ? Math.round(decoded.decodeMs) : null,
      endOfSentenceLogProb: eos !== undefined && Number.isFinite(eos) ? Math.round(eos * 100) / 100 : null,
    };
    for (const segment of segments)
      post({ type: 'segment', segment, latency: { ...latency, finishMs: Math.round(performance.now() - t0), postedAt: Date.now() } });
  };
  const transcribeAll = async (speech: SpeechSegment[], readAt = Date.now()) => {
    for (const s of speech) await finish(s, 'vad', readAt, partials.decodedFor(s));
  };

  try {
    for await (const samples of source.samples) {
      const readAt = Date.now();
      audio.push(samples);
      await transcribeAll(await segmenter.push(samples), readAt);
      const ended = await partials.update(segmenter.processedSec);
      if (ended) await finish(ended.speech, ended.fast ? 'fast' : 'endpoint', readAt, ended.decoded);
      // Everything before what the segmenter still holds is transcribed: its spans are in maskSpans.
      await audio.commit(segmenter.heldFromSec - AUDIO_MARGIN_SEC, transcriber.maskSpans);
      const heard = earlierSessionsSec + segmenter.processedSec;
      if (heard - lastHeard >= 1) {
        lastHeard = heard;
        post({ type: 'heard', sec: segmenter.processedSec, partialsDropped: droppedPartials() });
      }
      if (segmenter.processedSec >= settings.sessionMaxSec) {
        // Roll over to a new stored recording; the segment in progress goes to the old one.
        await endSession();
        earlierSessionsSec += segmenter.processedSec;
        segmenter = newSegmenter(stages.vad, settings.vad);
        transcriber = new SegmentTranscriber(stages);
        partials = new LivePartials(settings.live, settings.vad.speechPadMs, segmenter, transcriber, post);
        audio = startSession();
      }
    }
    await endSession();
  } finally {
    await partials.settle(); // its decode uses the recognizer that shutdown closes
    audio.abort(); // only after a failure: a closed session's file is already renamed
  }
  const exit = await source.exited;
  capture = null;
  post({ type: 'capture-ended', code: exit.code, signal: exit.signal, message: exit.error ?? source.stderrTail() });
}

onMessage((msg) => {
  if (msg.type === 'start' && !capture) {
    running = run().catch((err: unknown) =>
      post({ type: 'capture-ended', code: null, signal: null, message: `live transcription failed: ${describeUnexpectedError(err)}` }),
    );
  } else if (msg.type === 'stop') {
    capture?.stop();
  } else if (msg.type === 'variant') {
    // The sparse variant loads on first use; segments go on with the current recognizer meanwhile.
    wantedVariant = msg.variant;
    loadingVariant = stagesFor(variants, msg.variant, (message) => post({ type: 'variant-failed', variant: msg.variant, message })).then((set) => {
      if (wantedVariant === msg.variant) stages.recognizer = set.recognizer; // not overtaken by a later switch
    });
  }
});
// Stop capturing; the session in hand is flushed (its last segments and session-end posted) before the thread ends.
onShutdown(async () => {
  capture?.stop();
  await Promise.all([running, loadingVariant]);
});
