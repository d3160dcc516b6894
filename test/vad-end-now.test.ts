// SpeechSegmenter.endNow() (the live endpoint's early end) on a scripted VAD: ending a segment early may only end
// it sooner, never cut it differently from the VAD's own rule. A burst shorter than minSpeechMs followed by a short
// pause (a first word: "I ... was not") stays open, so the speech after the pause continues it as in a file.
import t from 'tap';
import { SpeechSegmenter, VAD_FRAME, type FrameClassifier, type SpeechSegment } from '../daemon/vad/index.js';

const options = { threshold: 0.5, minSpeechMs: 250, minSilenceMs: 300, speechPadMs: 100, maxSegmentSec: 30 };

/** Speech where a frame's samples are non-zero. */
const scripted: FrameClassifier = { processChunk: async (frame) => (frame[0]! > 0 ? 0.9 : 0.01), resetStates: () => {} };

/** Frames (32 ms each): silence, a 96 ms burst, a 192 ms pause, 640 ms of speech, 384 ms of silence. */
function script(): Float32Array[] {
  const runs: [boolean, number][] = [
    [false, 10],
    [true, 3],
    [false, 6],
    [true, 20],
    [false, 12],
  ];
  const frames: Float32Array[] = [];
  for (const [speech, n] of runs) for (let i = 0; i < n; i++) frames.push(new Float32Array(VAD_FRAME).fill(speech ? (frames.length + 1) / 1000 : 0));
  return frames;
}

/** The segments, with endNow() called after each frame once the VAD has heard `endAfterMs` of silence (null: never). */
async function segments(endAfterMs: number | null): Promise<{ start: number; end: number; length: number; values: number[] }[]> {
  const segmenter = new SpeechSegmenter(scripted, options);
  const out: SpeechSegment[] = [];
  let endedEarly = 0;
  for (const frame of script()) {
    out.push(...(await segmenter.push(frame)));
    if (endAfterMs === null || segmenter.silenceSec * 1000 < endAfterMs) continue;
    const closing = segmenter.closingSpeech();
    const ended = segmenter.endNow();
    if (!ended) continue;
    t.same({ start: ended.start, end: ended.end }, { start: closing?.start, end: closing?.end }, 'closingSpeech() gave the segment endNow() ended');
    out.push(ended);
    endedEarly++;
  }
  out.push(...segmenter.flush());
  if (endAfterMs !== null) t.equal(endedEarly, 1, 'endNow() ended the segment');
  // Each speech frame's samples hold its own value: the distinct values name the frames a segment holds.
  return out.map((s) => ({ start: s.start, end: s.end, length: s.samples.length, values: [...new Set(s.samples)] }));
}

t.test('endNow() ends a segment at the same point as the VAD, and leaves a burst shorter than minSpeechMs open', async (t) => {
  const vad = await segments(null);
  t.equal(vad.length, 1, 'the VAD alone: one segment across the pause');
  t.equal(vad[0]!.start, (10 * VAD_FRAME - 1600) / 16000, 'from the burst, padded');
  t.same(await segments(140), vad, 'endNow() at 140 ms of silence: the same segment, the burst and its audio kept');
});
