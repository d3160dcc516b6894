/**
 * The transcription worker thread: loads the model, VAD and redactor once, then transcribes one recording per
 * job message. Everything raw (audio, transcript) stays in this thread; only redacted segments are posted.
 */
import { isAudioInputError } from '../audio/index.js';
import { openRedactedAudioWriter, type RedactedAudioWriter } from '../redacted-audio/index.js';
import type { FromWorker, ToWorker, WorkerSettings } from './messages.js';
import { PipelineError } from './messages.js';
import { transcribeRecording } from './transcribe.js';
import { describeUnexpectedError } from '../util/safe-error.js';
import { startWorker, workerChannel } from './worker-startup.js';
import { stagesFor } from './stages.js';
import { collectGarbage } from '../util/collect-garbage.js';

const { settings, post, onMessage, onShutdown } = workerChannel<WorkerSettings, FromWorker, ToWorker>();

function withoutPath(message: string, names: readonly string[]): string {
  return names.reduce((text, name) => text.split(name).join('the recording'), message);
}

function describeFailure(err: unknown, fileName: string): { code: string; message: string } {
  // The path (also in ffmpeg's own words) is left out: the message is stored and announced, and a file name may be a person's.
  if (isAudioInputError(err)) return { code: err.code, message: withoutPath(err.message, [err.file, fileName]) };
  if (err instanceof PipelineError) return { code: err.code, message: err.message };
  // Anything else is ours or the model's: report its kind, never its data.
  return { code: 'MODEL_FAILED', message: `transcription failed: ${describeUnexpectedError(err)}` };
}

let audioWriter: RedactedAudioWriter | null = null;
const stages = await startWorker(settings, post, () => {
  // Only file recordings' temp files ('f' ids): live sessions may be writing theirs (the daemon cleans all at start).
  audioWriter = openRedactedAudioWriter(settings.redaction.audio, 'f');
});

/**
 * A long recording's garbage (the ArrayBuffers of its audio chunks and tensors, outside the JS heap) is collected
 * every this many seconds of audio: V8 waits for 64 MB of such memory before it collects on its own.
 */
const COLLECT_EVERY_SEC = 120;

/** The recording in hand and how to drop it; null between jobs. */
let current: { recordingId: string; cancel: AbortController } | null = null;
/** Jobs run one after another: a job sent after a cancel waits until the cancelled one has let go. */
let work: Promise<void> = Promise.resolve();

async function runJob(msg: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  const { recordingId, path, fileName } = msg;
  const cancel = new AbortController();
  current = { recordingId, cancel };
  let collectedAtSec = 0;
  try {
    const stageSet = await stagesFor(stages, msg.variant, (message) => post({ type: 'variant-failed', variant: msg.variant, message }));
    // Jobs run one at a time, so the other variant is idle: after a switch it goes (reloaded if the governor switches back).
    await stages.releaseOthers(stageSet);
    const result = await transcribeRecording(
      path,
      stageSet,
      settings.vad,
      {
        ...(msg.hotwords ? { hotwords: msg.hotwords } : {}),
        signal: cancel.signal,
        progress: (sec, durationSec) => {
          post({ type: 'progress', recordingId, sec, durationSec });
          if (sec - collectedAtSec >= COLLECT_EVERY_SEC) {
            collectedAtSec = sec;
            collectGarbage();
          }
        },
        segment: (segment) => post({ type: 'segment', recordingId, segment }),
      },
      audioWriter && { writer: audioWriter, name: recordingId },
      fileName,
    );
    post({ type: 'done', recordingId, ...result });
  } catch (err) {
    post(cancel.signal.aborted ? { type: 'cancelled', recordingId } : { type: 'failed', recordingId, ...describeFailure(err, fileName) });
  } finally {
    current = null;
    // Between recordings the daemon idles: what the last one's utterances needed goes back to the system.
    collectGarbage();
  }
}

// The main thread sends the next job only after 'done', 'failed' or 'cancelled'. The variant is fixed per
// recording, so a switch never splits one between variants.
onMessage((msg) => {
  if (msg.type === 'cancel') {
    if (current?.recordingId === msg.recordingId) current.cancel.abort();
    return;
  }
  work = work.then(() => runJob(msg));
});
// On shutdown the recording in hand is dropped (the main thread puts it back in the queue) once its native call ends.
onShutdown(async () => {
  current?.cancel.abort();
  await work;
});
