import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAudio, readWavFile } from '../daemon/audio/index.js';
import { ffmpegEncode, maxAbsDiff, rms, run, speechWav } from './fixtures/audio/make.js';

const dir = t.testdir({ 'notes.wav': 'not audio at all, just a text file named .wav\n' });
const speech = speechWav(dir);
const reference = await readWavFile(speech);
const noFfmpeg = { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/nonexistent/ffprobe' };

const rejectsCode = (t: Tap.Test, p: Promise<unknown>, code: string, message: RegExp = /./) =>
  t.rejects(p, { name: 'AudioInputError', code, message }, `${code} ${message}`);

t.test('16 kHz WAV is read directly, without starting ffmpeg', async (t) => {
  const clip = await readAudio(speech, noFfmpeg);
  t.equal(clip.sampleRate, 16000);
  t.same(clip.samples, reference.samples);
});

t.test('WAV at other rates and channel counts comes out as 16 kHz mono', async (t) => {
  const file = join(dir, 'speech-48k-stereo.wav');
  run('sox', [speech, '-r', '48000', '-c', '2', '-b', '24', file]);
  const clip = await readAudio(file);
  t.equal(clip.sampleRate, 16000);
  t.equal(clip.channels, 2);
  t.equal(clip.truncated, false);
  t.ok(Math.abs(clip.samples.length - reference.samples.length) <= 2);
  t.ok(Math.abs(rms(clip.samples) / rms(reference.samples) - 1) < 0.05);
});

t.test('WAV at other rates is resampled in-process (native Resampler), without starting ffmpeg', async (t) => {
  for (const rate of [8000, 22050, 44100, 48000]) {
    const file = join(dir, `speech-${rate}-direct.wav`);
    run('sox', [speech, '-r', String(rate), file]);
    const clip = await readAudio(file, noFfmpeg);
    t.equal(clip.sampleRate, 16000, `${rate} Hz`);
    t.ok(Math.abs(clip.samples.length - reference.samples.length) <= 2, `${rate} Hz: ${clip.samples.length} samples`);
    t.equal(clip.durationSec, clip.samples.length / 16000);
    // 8 kHz keeps only the band below 4 kHz: less energy, still the same speech.
    t.ok(Math.abs(rms(clip.samples) / rms(reference.samples) - 1) < (rate === 8000 ? 0.3 : 0.05), `${rate} Hz: level kept`);
  }
});

t.test('a cut WAV at another rate stays flagged truncated after resampling', async (t) => {
  const whole = join(dir, 'speech-44k1.wav');
  run('sox', [speech, '-r', '44100', whole]);
  const cut = join(dir, 'speech-44k1-cut.wav');
  const bytes = readFileSync(whole);
  writeFileSync(cut, bytes.subarray(0, bytes.length / 2));
  const clip = await readAudio(cut);
  t.equal(clip.truncated, true);
  t.equal(clip.sampleRate, 16000);
});

t.test('WAV variants not read directly (RF64) and other formats go through ffmpeg', async (t) => {
  const rf64 = ffmpegEncode(speech, join(dir, 'speech-rf64.wav'), ['-rf64', 'always']);
  t.equal(readFileSync(rf64).toString('latin1', 0, 4), 'RF64');
  const fromRf64 = await readAudio(rf64);
  t.ok(maxAbsDiff(fromRf64.samples, reference.samples) < 1e-6);
  const flac = await readAudio(ffmpegEncode(speech, join(dir, 'speech.flac'), ['-c:a', 'flac']));
  t.equal(flac.samples.length, reference.samples.length);
});

t.test('errors from either path are typed', async (t) => {
  await rejectsCode(t, readAudio(join(dir, 'notes.wav')), 'NOT_AUDIO');
  await rejectsCode(t, readAudio(join(dir, 'nothing-here.wav')), 'NOT_FOUND');
  const cutHeader = join(dir, 'cut-header.wav');
  writeFileSync(cutHeader, readFileSync(speech).subarray(0, 30));
  await rejectsCode(t, readAudio(cutHeader, noFfmpeg), 'TRUNCATED');
  await rejectsCode(t, readAudio(join(dir, 'speech.flac'), noFfmpeg), 'FFMPEG_MISSING');
});
