// The earlier speech a segment is decoded after (asr.leftContext): which segments' audio, how much, and when none.
// Segments are 1 s long unless said.
import t from 'tap';
import { LeftContext } from '../daemon/pipeline/left-context.js';
import type { SpeechSegment } from '../daemon/vad/index.js';

const RATE = 16000;

/** A segment from `start` to `end` seconds whose every sample holds `value`. */
const segment = (start: number, end: number, value: number): SpeechSegment => ({
  start,
  end,
  samples: new Float32Array(Math.round((end - start) * RATE)).fill(value),
});

t.test('the segments just before, in order, overlapping padding taken once, at most maxSec', async (t) => {
  const context = new LeftContext({ maxSec: 2, maxGapSec: 1, maxTotalSec: 100 });
  t.equal(context.before(0, 1), undefined, 'nothing heard yet');
  context.add(segment(0, 1, 1));
  context.add(segment(0.9, 2, 2)); // overlaps the first one's padding by 0.1 s
  const audio = context.before(2.5, 1)!;
  t.equal(audio.length, 2 * RATE, 'maxSec of audio');
  t.equal(audio[0], 1, 'the oldest audio kept is the first segment');
  t.equal(audio.filter((v) => v === 1).length, 0.9 * RATE, 'the first segment up to where the second starts');
  t.equal(audio.at(-1), 2, 'ends with the latest segment');
  const overlapping = context.before(1.8, 1)!;
  t.equal(overlapping.at(-1), 2);
  t.equal(overlapping.filter((v) => v === 2).length, Math.round(0.9 * RATE), 'a segment starting inside the last one gets it up to its own start');
});

t.test('a longer silence, or maxSec 0, gives none', async (t) => {
  const context = new LeftContext({ maxSec: 4, maxGapSec: 1, maxTotalSec: 100 });
  context.add(segment(0, 1, 1));
  t.equal(context.before(2.5, 1), undefined, 'more than maxGapSec after the last segment');
  context.add(segment(3, 4, 3));
  t.same([...new Set(context.before(4.5, 1)!)], [3], 'after a long silence, the older segments are forgotten');
  const off = new LeftContext({ maxSec: 0, maxGapSec: 1, maxTotalSec: 100 });
  off.add(segment(0, 1, 1));
  t.equal(off.before(1.2, 1), undefined);
});

t.test('context and segment together at most maxTotalSec: a long segment gets less, or none', async (t) => {
  const context = new LeftContext({ maxSec: 4, maxGapSec: 1, maxTotalSec: 6 });
  context.add(segment(0, 4, 1));
  t.equal(context.before(4.5, 1)!.length, 4 * RATE, 'a 1 s segment: all of maxSec');
  t.equal(context.before(4.5, 3)!.length, 3 * RATE, 'a 3 s segment: 3 s');
  t.equal(context.before(4.5, 6), undefined, 'a segment of maxTotalSec: none');
  t.equal(context.before(4.5, 8), undefined, 'a longer one: none');
});
