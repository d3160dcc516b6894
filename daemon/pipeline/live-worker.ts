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
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import { ASR_SAMPLE_RATE } from '../audio/index.js';
import { isModelLoadError } from '../asr/errors.js';
import type { FromLiveWorker, LiveWorkerData, ToLiveWorker } from './messages.js';
import { loadPowerStages } from './stages.js';
import { newSegmenter, SegmentTranscriber, type StageSet } from './transcribe.js';
import { describeUnexpectedError } from '../util/safe-error.js';
import { recordingIdForStream } from '../store/ids.js';
import { openRedactedAudioWriter, RedactedAudioError, type RedactedAudioWriter, type StreamingRedactedAudio } from './redacted-audio.js';

const port = parentPort!;
const settings = workerData as LiveWorkerData;
const post = (msg: FromLiveWorker) => port.postMessage(msg);
const STDERR_TAIL = 1024;

let variants: { dense: StageSet; sparse?: StageSet };
let stages: StageSet;
try {
  variants = await loadPowerStages(settings);
  // One mutable set: SegmentTranscriber reads its recognizer per segment, so a switch applies from the next segment.
  stages = { ...variants.dense };
  post({ type: 'ready', model: variants.dense.recognizer.model, sparseModel: variants.sparse?.recognizer.model ?? null });
} catch (err) {
  post({ type: 'fatal', code: isModelLoadError(err) ? err.code : 'LOAD_FAILED', message: (err as Error).message });
  process.exit(1);
}

let capture: ChildProcess | null = null;

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

/** Reassembles float32 samples from pipe chunks that may split a sample. */
function floats(): (chunk: Buffer) => Float32Array {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    const bytes = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 4);
    pending = Buffer.from(bytes.subarray(whole));
    const out = new Float32Array(whole / 4);
    new Uint8Array(out.buffer).set(bytes.subarray(0, whole));
    return out;
  };
}

async function run(): Promise<void> {
  const [cmd, ...args] = settings.argv;
  let stderr = '';
  const keepTail = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL));
  const source = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  capture = source;
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', 'pipe:0', '-f', 'f32le', '-ac', '1', '-ar', String(ASR_SAMPLE_RATE), 'pipe:1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  source.stderr!.on('data', keepTail);
  ffmpeg.stderr!.on('data', keepTail);
  source.stdout!.pipe(ffmpeg.stdin!);
  ffmpeg.stdin!.on('error', () => undefined); // ffmpeg gone first: its exit status tells why
  const started = new Promise<{ code: number | null; signal: string | null; error?: string }>((done) => {
    source.once('error', (err) => done({ code: null, signal: null, error: `cannot start ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    source.once('exit', (code, signal) => done({ code, signal }));
  });

  const decode = floats();
  // One segmenter and transcriber per session, so times and seq numbers are the session recording's own.
  let segmenter = newSegmenter(stages, settings.vad);
  let transcriber = new SegmentTranscriber(stages);
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
    const redactedAudio = await audio.close(transcriber.maskSpans);
    post({ type: 'session-end', durationSec: segmenter.processedSec, segmentCount: transcriber.count, redactedAudio });
  };
  let audio = startSession();
  const transcribeAll = async (speech: { start: number; end: number; samples: Float32Array }[]) => {
    for (const s of speech) for (const segment of await transcriber.add(s)) post({ type: 'segment', segment });
  };

  try {
    for await (const chunk of ffmpeg.stdout!) {
      const samples = decode(chunk as Buffer);
      audio.push(samples);
      await transcribeAll(await segmenter.push(samples));
      // Everything before what the segmenter still holds is transcribed: its spans are in maskSpans.
      await audio.commit(segmenter.heldFromSec - AUDIO_MARGIN_SEC, transcriber.maskSpans);
      const heard = earlierSessionsSec + segmenter.processedSec;
      if (heard - lastHeard >= 1) {
        lastHeard = heard;
        post({ type: 'heard', sec: segmenter.processedSec });
      }
      if (segmenter.processedSec >= settings.sessionMaxSec) {
        // Roll over to a new stored recording; the segment in progress goes to the old one.
        await endSession();
        earlierSessionsSec += segmenter.processedSec;
        segmenter = newSegmenter(stages, settings.vad);
        transcriber = new SegmentTranscriber(stages);
        audio = startSession();
      }
    }
    await endSession();
  } finally {
    audio.abort(); // only after a failure: a closed session's file is already renamed
  }
  const exit = await started;
  capture = null;
  post({ type: 'capture-ended', code: exit.code, signal: exit.signal, message: exit.error ?? stderr.trim().split('\n').slice(-3).join(' | ') });
}

port.on('message', (msg: ToLiveWorker) => {
  if (msg.type === 'start' && !capture) {
    run().catch((err: unknown) => post({ type: 'capture-ended', code: null, signal: null, message: `live transcription failed: ${describeUnexpectedError(err)}` }));
  } else if (msg.type === 'stop') {
    capture?.kill('SIGTERM');
  } else if (msg.type === 'variant') {
    stages.recognizer = (variants[msg.variant] ?? variants.dense).recognizer;
  }
});
