// A recording's segments are redacted one behind, with the next segment as look-ahead context: an address or number
// cut in two by a pause is redacted in both halves (examples written for this test). `hushscribe transcribe`'s
// redactTranscript is the same stage as the daemon's SegmentTranscriber (test/redaction-parity.test.ts checks the
// two agree on a real recording); here its segments come from a transcript written for the test.
import t from 'tap';
import type { RecognizedSegment, Transcript } from '../daemon/asr/types.js';
import { redactTranscript } from '../daemon/cli/commands/transcribe.js';
import { SessionRedactor } from '../redaction/session.js';

/** A recognised segment of `text`, one word per 0.3 s from `start`. */
function segment(text: string, start: number): RecognizedSegment {
  const words = text.split(' ').map((word, i) => ({ word, start: start + i * 0.3, end: start + i * 0.3 + 0.25, confidence: 0.9 }));
  return { text, start, end: words.at(-1)!.end, words };
}

const halves = ['the spare key goes to skovbrynet seven', 'tolne nine eight seven zero thank you'];
const transcript: Transcript = {
  text: halves.join(' '),
  durationSec: 8,
  segments: [segment(halves[0]!, 0), segment(halves[1]!, 4)],
};

t.test('an address split across two segments is redacted in both halves', async (t) => {
  const redacted = await redactTranscript(transcript);
  t.same(
    redacted.segments.map((s) => s.text),
    ['the spare key goes to [STREET_ADDRESS]', '[STREET_ADDRESS] thank you'],
  );
  t.notMatch(redacted.text, /skovbrynet|tolne|seven|nine/, 'no word of the address is left');
  t.equal(redacted.segments[1]!.start, 4, 'segment times are kept');
});

t.test('without look-ahead the first half leaks (why recordings wait one segment)', async (t) => {
  const session = new SessionRedactor();
  const first = await session.redact(halves[0]!);
  t.match(first.text, /seven$/, 'the house number is left: alone it is not an address');
});

t.test('one segment, and none, are flushed at the end', async (t) => {
  const one = await redactTranscript({
    text: 'the key goes to skovbrynet seven tolne nine eight seven zero',
    durationSec: 3,
    segments: [segment('the key goes to skovbrynet seven tolne nine eight seven zero', 0)],
  });
  t.same(
    one.segments.map((s) => s.text),
    ['the key goes to [STREET_ADDRESS]'],
  );
  const none = await redactTranscript({ text: '', durationSec: 1, segments: [] });
  t.same(none.segments, []);
});
