import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readWavFile } from '../daemon/audio/wav.js';
import { packageRoot } from '../common/package-root.js';

const dir = join(packageRoot(), 'models', 'samples');
const rows = readFileSync(join(dir, 'samples.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split('\t'));

t.test('samples.tsv lists every bundled recording with a reference transcript', async (t) => {
  t.same(rows[0], ['file', 'transcript']);
  const listed = rows
    .slice(1)
    .map(([file]) => file)
    .sort();
  t.same(
    listed,
    readdirSync(dir)
      .filter((f) => f.endsWith('.wav'))
      .sort(),
  );
  for (const [file, transcript] of rows.slice(1)) t.match(transcript, /^[a-z' ]+$/, `${file}: spoken form, lower case`);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  for (const [file] of rows.slice(1)) t.match(readme, file!, `${file} has provenance in README.md`);
});

t.test('the recordings are short 16 kHz mono WAV files, small enough to ship', async (t) => {
  let total = 0;
  for (const [file] of rows.slice(1)) {
    const path = join(dir, file!);
    const clip = await readWavFile(path);
    t.equal(clip.sampleRate, 16000, file);
    t.equal(clip.channels, 1, file);
    t.equal(clip.truncated, false, file);
    t.ok(clip.durationSec > 1 && clip.durationSec < 10, `${file}: ${clip.durationSec} s`);
    total += statSync(path).size;
  }
  t.ok(total < 300 * 1024, `${total} bytes in all`);
});
