/**
 * How both worker threads (file transcription, live source) start: read their settings, load the stages (dense,
 * or sparse when the governor starts on it; the other on first use: see stages.ts), then tell the main thread 'ready' with the models, or 'fatal' with
 * why and exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isModelLoadError } from '../asr/errors.js';
import type { ModelInfo } from '../asr/types.js';
import type { WorkerSettings } from './messages.js';
import { loadPowerStages, type PowerStages } from './stages.js';
import { isShutdown } from './worker-shutdown.js';
import { mapLargeAllocations } from '../../native/index.js';
import { collectGarbage } from '../util/collect-garbage.js';

/**
 * Blocks of this size and more get their own mapping, returned to the system when freed (see mapLargeAllocations):
 * an utterance's tensors and the model files' copies, which glibc would otherwise keep in the heap.
 */
const MAP_LARGE_ALLOCATIONS_BYTES = 1 << 20;

type StartupMessage =
  | { type: 'ready'; model: ModelInfo; sparseModel: ModelInfo | null; lmError: string | null }
  | { type: 'fatal'; code: string; message: string };

/**
 * This worker's settings and its messages to and from the main thread, typed by the worker's protocol
 * (messages.ts). The main thread's shutdown request (worker-shutdown.ts) is not passed to `onMessage`: the worker
 * runs its `onShutdown` drain (stop taking work, let the native call in hand finish) and then exits.
 */
export function workerChannel<Settings extends WorkerSettings, FromWorker, ToWorker>(): {
  settings: Settings;
  post(msg: FromWorker): void;
  onMessage(handle: (msg: ToWorker) => void): void;
  onShutdown(drain: () => Promise<unknown>): void;
} {
  const port = parentPort!;
  let drain: () => Promise<unknown> = () => Promise.resolve();
  return {
    settings: workerData as Settings,
    post: (msg) => port.postMessage(msg),
    onMessage: (handle) =>
      void port.on('message', (msg: ToWorker) => {
        if (!isShutdown(msg)) return handle(msg);
        // Whatever the drain's outcome, the thread ends: a failure in it must not keep the daemon from stopping.
        void drain()
          .catch(() => undefined)
          .finally(() => process.exit(0));
      }),
    onShutdown: (next) => {
      drain = next;
    },
  };
}

/**
 * Loads the stages and posts 'ready'; `prepare` runs before that (a failure there is fatal too). On failure
 * posts 'fatal' (code: the model's load error code, or LOAD_FAILED) and exits the worker.
 */
export async function startWorker(settings: WorkerSettings, post: (msg: StartupMessage) => void, prepare: () => void = () => undefined): Promise<PowerStages> {
  try {
    mapLargeAllocations(MAP_LARGE_ALLOCATIONS_BYTES);
    const stages = await loadPowerStages(settings);
    prepare();
    collectGarbage(); // what loading the models allocated and freed (the model files read into Buffers, graph rewrites)
    post({ type: 'ready', model: stages.denseModel, sparseModel: stages.sparseModel, lmError: stages.started.recognizer.decoding?.lmError ?? null });
    return stages;
  } catch (err) {
    post({ type: 'fatal', code: isModelLoadError(err) ? err.code : 'LOAD_FAILED', message: (err as Error).message });
    process.exit(1);
  }
}
