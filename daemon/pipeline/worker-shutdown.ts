/**
 * How the daemon ends its worker threads. Worker.terminate() while onnxruntime-node has an inference (or a
 * session load) in flight aborts the whole process ("terminate called after throwing an instance of
 * 'Napi::Error'"): the native completion runs into a torn-down thread. So a worker is asked to finish the native
 * call in hand, drop the rest of its work, and exit by itself (workerChannel's onShutdown on its side).
 */
import type { Worker } from 'node:worker_threads';

/** The main thread's request to a worker: end once the native work in hand is done. */
export const SHUTDOWN = { type: 'shutdown' } as const;
export type Shutdown = typeof SHUTDOWN;

export function isShutdown(msg: unknown): msg is Shutdown {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'shutdown';
}

/**
 * Asks the worker to end and waits for it. Only a worker still running after graceMs (hung in native code) is
 * terminated: the abort is then the lesser harm than a daemon that never stops.
 */
export async function endWorker(worker: Worker, graceMs: number): Promise<void> {
  if (worker.threadId < 0) return; // already exited
  const exited = new Promise<'exited'>((resolve) => worker.once('exit', () => resolve('exited')));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  worker.postMessage(SHUTDOWN);
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') await worker.terminate();
}
