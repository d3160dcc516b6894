import t from 'tap';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isAudioInputError } from '../daemon/audio/errors.js';
import { decodeWav, readWavFile } from '../daemon/audio/wav.js';
import { ffmpegReference, maxAbsDiff, peak, soxSine, wavBytes } from './fixtures/audio/make.js';

const rejectsCode = (t: Tap.Test, p: Promise<unknown>, code: string, message: RegExp = /./) =>
  t.rejects(p, { name: 'AudioInputError', code, message }, `${code} ${message}`);

t.test('real WAV files written by sox decode like ffmpeg decodes them', async (t) => {
  const dir = t.testdir();
  const variants: [string, string[], number][] = [
    ['u8', ['-r', '16000', '-b', '8', '-e', 'unsigned-integer'], 1 / 64],
    ['s16', ['-r', '16000', '-b', '16', '-e', 'signed-integer'], 1e-4],
    ['s24', ['-r', '16000', '-b', '24', '-e', 'signed-integer'], 1e-5],
    ['s32', ['-r', '16000', '-b', '32', '-e', 'signed-integer'], 1e-5],
    ['f32', ['-r', '16000', '-b', '32', '-e', 'floating-point'], 1e-6],
    ['f64', ['-r', '16000', '-b', '64', '-e', 'floating-point'], 1e-6],
    ['s16-44k1', ['-r', '44100', '-b', '16', '-e', 'signed-integer'], 1e-4],
    ['s16-48k-stereo', ['-r', '48000', '-c', '2', '-b', '16', '-e', 'signed-integer'], 1e-4],
    ['s24-8k-6ch', ['-r', '8000', '-c', '6', '-b', '24', '-e', 'signed-integer'], 1e-5],
  ];
  for (const [name, args, tolerance] of variants) {
    const file = soxSine(join(dir, `${name}.wav`), args);
    const rate = Number(args[1]);
    const clip = await readWavFile(file);
    t.equal(clip.sampleRate, rate, `${name}: rate`);
    t.equal(clip.channels, args.includes('-c') ? Number(args[args.indexOf('-c') + 1]) : 1, `${name}: channels`);
    t.equal(clip.samples.length, rate / 2, `${name}: half a second of samples`);
    t.equal(clip.durationSec, 0.5, `${name}: duration`);
    t.equal(clip.truncated, false, `${name}: complete`);
    t.ok(Math.abs(peak(clip.samples) - 0.5) < 0.02, `${name}: the sine keeps its 0.5 amplitude (${peak(clip.samples)})`);
    const reference = ffmpegReference(file, rate);
    t.equal(reference.length, clip.samples.length, `${name}: same length as ffmpeg`);
    t.ok(maxAbsDiff(clip.samples, reference) <= tolerance, `${name}: matches ffmpeg within ${tolerance} (${maxAbsDiff(clip.samples, reference)})`);
  }
});

t.test('exact values: every encoding, plain and WAVE_FORMAT_EXTENSIBLE, downmixed by averaging', async (t) => {
  // Left 0.5, right -0.25: the mono downmix is 0.125.
  const stereo = [0.5, -0.25, 0.5, -0.25];
  const cases: [string, { formatTag: number; subFormat?: number; bitsPerSample: number }, number][] = [
    ['8-bit', { formatTag: 1, bitsPerSample: 8 }, 1 / 64],
    ['16-bit', { formatTag: 1, bitsPerSample: 16 }, 1e-4],
    ['24-bit extensible', { formatTag: 0xfffe, subFormat: 1, bitsPerSample: 24 }, 1e-6],
    ['32-bit', { formatTag: 1, bitsPerSample: 32 }, 1e-6],
    ['float32 extensible', { formatTag: 0xfffe, subFormat: 3, bitsPerSample: 32 }, 0],
    ['float64', { formatTag: 3, bitsPerSample: 64 }, 0],
  ];
  for (const [name, format, tolerance] of cases) {
    const clip = decodeWav(wavBytes({ ...format, channels: 2, samples: stereo }), `${name}.wav`);
    t.equal(clip.channels, 2);
    t.equal(clip.samples.length, 2, name);
    t.ok(Math.abs(clip.samples[0]! - 0.125) <= tolerance && Math.abs(clip.samples[1]! - 0.125) <= tolerance, `${name}: ${clip.samples[0]}`);
  }
});

t.test('float samples are clamped to [-1, 1] and NaN becomes silence', async (t) => {
  const clip = decodeWav(wavBytes({ formatTag: 3, bitsPerSample: 32, samples: [2, -3, Number.NaN, 0.25] }), 'loud.wav');
  t.same(Array.from(clip.samples), [1, -1, 0, 0.25]);
});

t.test('chunk walking: LIST and odd-sized chunks, with and without their pad byte', async (t) => {
  const list = { id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00sox\x00\x00') };
  const odd = { id: 'junk', body: Buffer.from([1, 2, 3]) };
  for (const omitPadding of [false, true]) {
    const clip = decodeWav(wavBytes({ samples: [0.5, -0.5, 0.25], before: [list, odd], omitPadding }), 'chunks.wav');
    t.equal(clip.samples.length, 3, `omitPadding=${omitPadding}`);
    t.ok(Math.abs(clip.samples[2]! - 0.25) < 1e-4);
  }
});

t.test('a data size of 0xFFFFFFFF, 0 or larger than the file is read to the end of the file, flagged truncated', async (t) => {
  for (const dataSize of [0xffffffff, 1000, 0]) {
    const clip = decodeWav(wavBytes({ samples: [0.1, 0.2, 0.3], dataSize }), 'streamed.wav');
    t.equal(clip.samples.length, 3);
    t.equal(clip.truncated, true);
  }
});

t.test('a WAV cut in the middle of its samples keeps what is there and says so', async (t) => {
  const dir = t.testdir();
  const whole = readFileSync(soxSine(join(dir, 'whole.wav'), ['-r', '16000', '-b', '16', '-e', 'signed-integer'], 1));
  const cut = join(dir, 'cut.wav');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2) + 1)); // +1: also ends mid-sample
  const clip = await readWavFile(cut);
  t.equal(clip.truncated, true);
  t.ok(clip.durationSec > 0.45 && clip.durationSec < 0.55, `kept about half (${clip.durationSec} s)`);
});

t.test('files that are not usable WAV get typed errors naming the file', async (t) => {
  const dir = t.testdir({ 'notes.wav': 'these are meeting notes, not audio\n', 'short.wav': 'hi' });
  mkdirSync(join(dir, 'folder.wav'));
  const header = wavBytes({ samples: [0.5] });
  const cases: [string, Buffer | string, string, RegExp][] = [
    ['empty.wav', Buffer.alloc(0), 'EMPTY_FILE', /empty\.wav: is empty/],
    ['riff-only.wav', Buffer.from('RIF'), 'TRUNCATED', /ends inside the WAV header/],
    ['header-cut.wav', header.subarray(0, 30), 'TRUNCATED', /ends inside its 'fmt' chunk/],
    ['no-data.wav', header.subarray(0, 36), 'TRUNCATED', /has no data chunk/],
    ['half-sample.wav', header.subarray(0, 45), 'TRUNCATED', /no complete audio frame/],
    ['no-samples.wav', wavBytes({ samples: [] }), 'EMPTY_FILE', /holds no audio samples/],
    ['data-first.wav', wavBytes({ samples: [0.5], dataFirst: true }), 'UNSUPPORTED_WAV', /data chunk before the fmt chunk/],
    ['adpcm.wav', wavBytes({ formatTag: 0x11, bitsPerSample: 4, samples: [] }), 'UNSUPPORTED_WAV', /format 0x0011/],
    ['pcm12.wav', wavBytes({ formatTag: 1, bitsPerSample: 12, samples: [] }), 'UNSUPPORTED_ENCODING', /12-bit PCM/],
    ['float16.wav', wavBytes({ formatTag: 3, bitsPerSample: 16, samples: [] }), 'UNSUPPORTED_ENCODING', /16-bit float/],
    ['ext-unknown.wav', wavBytes({ formatTag: 0xfffe, subFormat: 1, samples: [] }), 'UNSUPPORTED_WAV', /unknown sub-format/],
    ['zero-channels.wav', wavBytes({ channels: 0, samples: [] }), 'UNSUPPORTED_WAV', /declares 0 channels/],
    ['rifx.wav', Buffer.concat([Buffer.from('RIFX'), header.subarray(4)]), 'UNSUPPORTED_WAV', /RIFX/],
    ['text.wav', Buffer.from('just some text, definitely longer than twelve bytes'), 'NOT_AUDIO', /no RIFF\/WAVE header/],
  ];
  // A GUID whose tail is not the KSDATAFORMAT one.
  cases[10]![1] = (() => {
    const b = wavBytes({ formatTag: 0xfffe, subFormat: 1, samples: [0.5] });
    b[12 + 8 + 30] = 0x42;
    return b;
  })();
  const shortFmt = wavBytes({ samples: [0.5] });
  shortFmt.writeUInt32LE(14, 16);
  cases.push(['short-fmt.wav', shortFmt, 'UNSUPPORTED_WAV', /14-byte fmt chunk/]);
  for (const [name, bytes, code, message] of cases) {
    await rejectsCode(t, readWavFile(writeBytes(join(dir, name), bytes)), code, message);
  }
  await rejectsCode(t, readWavFile(join(dir, 'notes.wav')), 'NOT_AUDIO', /notes\.wav: is not a WAV file/);
  await rejectsCode(t, readWavFile(join(dir, 'short.wav')), 'NOT_AUDIO');
  await rejectsCode(t, readWavFile(join(dir, 'missing.wav')), 'NOT_FOUND', /missing\.wav: no such file/);
  await rejectsCode(t, readWavFile(join(dir, 'notes.wav', 'x.wav')), 'NOT_FOUND');
  await rejectsCode(t, readWavFile(join(dir, 'folder.wav')), 'NOT_AUDIO', /not a regular file/);
  t.throws(() => decodeWav(Buffer.alloc(0), 'mem.wav'), { code: 'EMPTY_FILE' });
});

t.test('error messages never carry file contents', async (t) => {
  const dir = t.testdir({ 'secret.wav': 'my card number is 4532 0151 1283 0366' });
  const err = await readWavFile(join(dir, 'secret.wav')).catch((e: unknown) => e);
  t.ok(isAudioInputError(err, 'NOT_AUDIO'));
  t.notMatch((err as Error).message, /4532/);
  t.equal(isAudioInputError(err, 'TRUNCATED'), false);
  t.equal(isAudioInputError(new Error('x')), false);
});

function writeBytes(path: string, bytes: Buffer | string): string {
  writeFileSync(path, bytes);
  return path;
}
