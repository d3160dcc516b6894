import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PIECES, splitIntoPieces } from '../daemon/asr/pieces.js';
import { readAudio } from '../daemon/audio/index.js';

const RATE = 16000;

function windowEnergy(samples: Float32Array, center: number, half = 800): number {
  let e = 0;
  for (let i = Math.max(0, center - half); i < Math.min(samples.length, center + half); i++) e += samples[i]! * samples[i]!;
  return e;
}

t.test('long espeak-ng speech is cut into pieces of at most 20 s, at quiet moments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-pieces-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text =
    'Speech recognition on a small computer has to cut long recordings into pieces. ' +
    'Each piece should end in a pause, so that no word is split in two. ' +
    'The quietest tenth of a second near the limit is a good place for the cut. ' +
    'This paragraph is long enough to need more than one cut when it is read aloud slowly. ' +
    'It goes on for a while, with commas, pauses, and full stops, like real dictation does.';
  const wav = join(dir, 'long.wav');
  execFileSync('espeak-ng', ['-s', '130', '-w', wav, `${text} ${text}`]);
  const { samples } = await readAudio(wav);
  t.ok(samples.length > 45 * RATE, `espeak-ng read it in ${(samples.length / RATE).toFixed(1)} s`);

  const pieces = splitIntoPieces(samples);
  t.ok(pieces.length >= 3);
  t.equal(pieces[0]![0], 0);
  t.equal(pieces[pieces.length - 1]![1], samples.length);
  // median energy of 100 ms windows over the speech, for scale
  const energies: number[] = [];
  for (let c = 800; c < samples.length - 800; c += 1600) energies.push(windowEnergy(samples, c));
  energies.sort((a, b) => a - b);
  const median = energies[energies.length >> 1]!;
  for (let k = 0; k < pieces.length; k++) {
    const [start, end] = pieces[k]!;
    t.ok(end - start <= 20 * RATE, `piece ${k} lasts ${((end - start) / RATE).toFixed(2)} s`);
    if (k > 0) t.equal(start, pieces[k - 1]![1], 'pieces are contiguous');
    if (k < pieces.length - 1) {
      t.ok(end - start >= 15 * RATE, 'cut within the last 5 s before the limit');
      t.ok(windowEnergy(samples, end) < median / 100, `cut at ${(end / RATE).toFixed(2)} s is in a pause`);
    }
  }
});

t.test('short audio is one piece; the cut prefers the quietest window', async (t) => {
  t.same(splitIntoPieces(new Float32Array(0)), [[0, 0]]);
  t.same(splitIntoPieces(new Float32Array(20 * RATE)), [[0, 20 * RATE]]);
  // 30 s of a loud tone with one 200 ms dip at 17.3 s: the cut lands in the dip
  const samples = new Float32Array(30 * RATE).map((_, i) => 0.5 * Math.sin(i * 0.1));
  samples.fill(0.001, Math.round(17.3 * RATE), Math.round(17.5 * RATE));
  const [[, cut]] = splitIntoPieces(samples, DEFAULT_PIECES) as [[number, number]];
  t.ok(cut >= 17.3 * RATE && cut <= 17.5 * RATE, `cut at ${cut / RATE} s`);
  // no dip at all: the cut is still at most maxSec in
  const flat = new Float32Array(45 * RATE).fill(0.2);
  const pieces = splitIntoPieces(flat);
  t.ok(pieces.every(([s, e]) => e - s <= 20 * RATE));
  t.equal(pieces[pieces.length - 1]![1], flat.length);
});
