/**
 * Worker thread of the Wyoming server: each request's audio is converted to 16 kHz mono, cut by the VAD and
 * transcribed and redacted segment by segment as it arrives, so only the last segment is left for audio-stop.
 * Audio and raw text never leave this thread; redacted segments are posted per request id. Requests are handled
 * one message at a time, in order; each open request has its own VAD state (a small pool of Silero sessions).
 */
import type { StageSet } from '../pipeline/stages.js';
import { SegmentTranscriber } from '../pipeline/transcribe.js';
import { loadSileroVad, newSegmenter, type FrameClassifier } from '../vad/index.js';
import { describeUnexpectedError } from '../util/safe-error.js';
import { startWorker, workerChannel } from '../pipeline/worker-startup.js';
import type { FromWyomingWorker, ToWyomingWorker, WyomingWorkerData } from './messages.js';
import { PcmConverter } from './pcm.js';

const { settings, post, onMessage, onShutdown } = workerChannel<WyomingWorkerData, FromWyomingWorker, ToWyomingWorker>();
const stages: StageSet = await (await startWorker(settings, post)).load('dense');

/** Idle VAD sessions: a request takes one (or loads one) and gives it back when it ends. */
const idleVads: FrameClassifier[] = stages.vad ? [stages.vad] : [];

interface Request {
  converter: PcmConverter;
  segmenter: ReturnType<typeof newSegmenter>;
  transcriber: SegmentTranscriber;
  vad: FrameClassifier | null;
}

const requests = new Map<number, Request>();

async function open({ id, format, hotwords }: Extract<ToWyomingWorker, { type: 'open' }>): Promise<void> {
  const vad = stages.vad ? (idleVads.pop() ?? (await loadSileroVad())) : null;
  const transcriber = new SegmentTranscriber(stages, hotwords);
  requests.set(id, { converter: new PcmConverter(format), segmenter: newSegmenter(vad, settings.vad), transcriber, vad });
}

async function transcribe(id: number, req: Request, samples: Float32Array, last: boolean): Promise<void> {
  const speech = [...(await req.segmenter.push(samples)), ...(last ? req.segmenter.flush() : [])];
  for (const s of speech) for (const segment of await req.transcriber.add(s)) post({ type: 'segment', id, segment });
}

function release(id: number): Request | undefined {
  const req = requests.get(id);
  requests.delete(id);
  if (req?.vad) idleVads.push(req.vad);
  return req;
}

async function handle(msg: ToWyomingWorker): Promise<void> {
  if (msg.type === 'open') return open(msg);
  const req = requests.get(msg.id);
  if (!req) return; // aborted or failed earlier: later chunks are dropped
  try {
    if (msg.type === 'audio') {
      await transcribe(msg.id, req, req.converter.push(msg.pcm), false);
    } else if (msg.type === 'finish') {
      await transcribe(msg.id, req, req.converter.flush(), true);
      release(msg.id);
      post({ type: 'done', id: msg.id, durationSec: req.converter.produced / 16000, segmentCount: req.transcriber.count });
    } else {
      release(msg.id);
    }
  } catch (err) {
    release(msg.id);
    post({ type: 'failed', id: msg.id, message: describeUnexpectedError(err) });
  }
}

let queue = Promise.resolve();
onMessage((msg) => {
  queue = queue.then(() => handle(msg)).catch((err: unknown) => post({ type: 'failed', id: msg.id, message: describeUnexpectedError(err) }));
});
// Requests still open are dropped; the one being transcribed finishes its native call first.
onShutdown(() => {
  requests.clear();
  return queue;
});
