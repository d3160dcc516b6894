/**
 * The transcription worker thread: loads the model, VAD and redactor once, then transcribes one recording per
 * job message. Everything raw (audio, transcript) stays in this thread; only redacted segments are posted.
 */
import { basename } from 'node:path';
import { isAudioInputError } from '../audio/index.js';
import { openRedactedAudioWriter, type RedactedAudioWriter } from '../redacted-audio/index.js';
import type { FromWorker, ToWorker, WorkerSettings } from './messages.js';
import { PipelineError } from './messages.js';
import { transcribeRecording } from './transcribe.js';
import { describeUnexpectedError } from '../util/safe-error.js';
import { startWorker, workerChannel } from './worker-startup.js';
import { stagesFor } from './stages.js';

const { settings, post, onMessage } = workerChannel<WorkerSettings, FromWorker, ToWorker>();

function withoutPath(message: string, file: string): string {
  return [file, basename(file)].reduce((text, name) => text.split(name).join('the recording'), message);
}

function describeFailure(err: unknown): { code: string; message: string } {
  // The path (also in ffmpeg's own words) is left out: the message is stored and announced, and a file name may be a person's.
  if (isAudioInputError(err)) return { code: err.code, message: withoutPath(err.message, err.file) };
  if (err instanceof PipelineError) return { code: err.code, message: err.message };
  // Anything else is ours or the model's: report its kind, never its data.
  return { code: 'MODEL_FAILED', message: `transcription failed: ${describeUnexpectedError(err)}` };
}

let audioWriter: RedactedAudioWriter | null = null;
const stages = await startWorker(settings, post, () => {
  // Only file recordings' temp files ('f' ids): live sessions may be writing theirs (the daemon cleans all at start).
  audioWriter = openRedactedAudioWriter(settings.redaction.audio, 'f');
});

// One job at a time: the main thread sends the next only after 'done' or 'failed'. The variant is fixed per
// recording, so a switch never splits one between variants.
onMessage(async (msg) => {
  const { recordingId, path } = msg;
  const stageSet = await stagesFor(stages, msg.variant, (message) => post({ type: 'variant-failed', variant: msg.variant, message }));
  transcribeRecording(
    path,
    stageSet,
    settings.vad,
    {
      ...(msg.hotwords ? { hotwords: msg.hotwords } : {}),
      progress: (sec, durationSec) => post({ type: 'progress', recordingId, sec, durationSec }),
      segment: (segment) => post({ type: 'segment', recordingId, segment }),
    },
    audioWriter && { writer: audioWriter, name: recordingId },
  ).then(
    (result) => post({ type: 'done', recordingId, ...result }),
    (err: unknown) => post({ type: 'failed', recordingId, ...describeFailure(err) }),
  );
});
