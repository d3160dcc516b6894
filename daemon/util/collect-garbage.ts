/**
 * A full garbage collection, then the allocator's free pages back to the system. For the moments a thread goes idle
 * after a burst (the models loaded, a recording done): the model files read into Buffers, and a recording's audio
 * and tensors, are outside the JS heap, so V8 sees little pressure to collect them and they stay resident, often
 * for as long as the daemon idles.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseFreeMemory } from '../../native/index.js';

let gc: (() => void) | null = null;

/** V8's gc(), which node exposes only with --expose-gc: the flag set now applies to contexts created after it. */
function fullCollection(): () => void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gc = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  return gc;
}

/** Collects this thread's JS garbage and trims the process's malloc heap (see releaseFreeMemory). */
export function collectGarbage(): void {
  fullCollection()();
  releaseFreeMemory();
}
