/** Handing memory back to the system: mapLargeAllocations (glibc mallopt) and collectGarbage (V8 gc + malloc_trim). */
import t from 'tap';
import { mapLargeAllocations, NativeOptionError } from '../native/index.js';
import { collectGarbage } from '../daemon/util/collect-garbage.js';

const glibc = Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
const rssMb = () => process.memoryUsage().rss / 1048576;

t.test('mapLargeAllocations sets the threshold on glibc, and checks its argument', async (t) => {
  t.equal(mapLargeAllocations(1 << 20), glibc, glibc ? 'glibc takes the threshold' : 'nothing to do without glibc');
  t.throws(() => mapLargeAllocations(-1), NativeOptionError);
  t.throws(() => mapLargeAllocations(1.5), NativeOptionError);
});

t.test('collectGarbage frees what only a full collection would (a dropped Buffer) and works without --expose-gc', async (t) => {
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'run without --expose-gc, as the daemon is');
  let held: Buffer | null = Buffer.alloc(256 * 1048576, 1);
  const before = rssMb();
  t.ok(held.length > 0);
  held = null;
  collectGarbage();
  // V8 frees an ArrayBuffer's memory on a background thread after the collection that found it dead.
  for (let i = 0; i < 100 && rssMb() >= before - 128; i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(rssMb() < before - 128, `RSS ${before.toFixed(0)} -> ${rssMb().toFixed(0)} MB`);
  collectGarbage(); // a second call reuses the gc function found the first time
});
