import t from 'tap';
import { join } from 'node:path';
import { Outbox } from '../daemon/mqtt/outbox.js';
import { Store } from '../daemon/store/store.js';
import { tempDir } from './fixtures/daemon/harness.js';

t.test('the outbox is trimmed to maxEvents, oldest first, with one report that adds up', async (t) => {
  const store = new Store(join(tempDir('outbox'), 'hushscribe.db'));
  t.teardown(() => store.close());
  const outbox = new Outbox(store, 10);
  for (let i = 0; i < 10; i++) outbox.add('error', { message: `e${i}` });
  t.equal(outbox.trim(), 0, 'exactly full: nothing dropped');
  t.equal(outbox.trim(), 0, 'and stays so');

  for (let i = 10; i < 15; i++) outbox.add('error', { message: `e${i}` });
  t.equal(outbox.trim(), 6, 'five over, plus room for the report');
  t.equal(outbox.pending(), 10);
  const events = store.events(0, 100);
  t.same(
    events.slice(0, 9).map((e) => (e.payload as { message: string }).message),
    ['e6', 'e7', 'e8', 'e9', 'e10', 'e11', 'e12', 'e13', 'e14'],
    'the newest kept, in order',
  );
  t.match(events[9], { kind: 'outbox.dropped', payload: { dropped: 6, droppedSinceStart: 6, maxEvents: 10 } });

  // Overflow again while the first report is among the oldest: it is folded into the next.
  for (let i = 15; i < 30; i++) outbox.add('error', { message: `e${i}` });
  outbox.trim();
  const reports = store.events(0, 100).filter((e) => e.kind === 'outbox.dropped');
  t.equal(reports.length, 1, 'one report');
  t.equal((reports[0]!.payload as { dropped: number }).dropped, outbox.dropped, 'that counts every lost event');
  t.equal(outbox.dropped, 30 - 9, 'all but the newest nine are gone');
  t.equal(outbox.pending(), 10);
});
