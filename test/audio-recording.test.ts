import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';
import { loadRecognizer } from '../daemon/asr/index.js';
import { decodeAudioStream, probeAudio, probeRecording, streamRecording } from '../daemon/audio/index.js';
import { validateConfig } from '../daemon/config/index.js';
import { recognizeSegmented } from '../daemon/pipeline/transcribe.js';
import { loadSileroVad } from '../daemon/vad/index.js';
import { ffmpegEncode, maxAbsDiff, wavBytes } from './fixtures/audio/make.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-recording-'));
const SAMPLES = join(packageRoot(), 'models', 'samples');
const SPEECH = ['human-librivox-0880.wav', 'synthetic-card-number.wav'].map((name) => join(SAMPLES, name));
/** Other 16 kHz WAV layouts the daemon reads in-process: stereo, 8- and 24-bit PCM. */
const VARIANTS: Array<[string, string[]]> = [
  ['stereo', ['-ac', '2', '-c:a', 'pcm_s16le']],
  ['24bit', ['-c:a', 'pcm_s24le']],
  ['u8', ['-c:a', 'pcm_u8']],
];

async function collect(frames: AsyncIterable<Float32Array>): Promise<{ samples: Float32Array; sizes: number[] }> {
  const parts: Float32Array[] = [];
  for await (const frame of frames) parts.push(frame.slice());
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    samples.set(part, at);
    at += part.length;
  }
  return { samples, sizes: parts.map((p) => p.length) };
}

/** Runs `fn` with no ffmpeg or ffprobe to be found, so any spawn of them fails. */
async function withoutFfmpeg<T>(fn: () => Promise<T>): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = dir;
  try {
    return await fn();
  } finally {
    process.env.PATH = path;
  }
}

t.test('a 16 kHz WAV streams in-process with the very samples ffmpeg gives, in the frames asked for', async (t) => {
  for (const file of SPEECH) {
    const ours = await withoutFfmpeg(() => collect(streamRecording(file, { frameSamples: 512 })));
    const ffmpeg = await collect(decodeAudioStream(file, { frameSamples: 512 }));
    t.same(ours.sizes, ffmpeg.sizes, 'same frames');
    t.same(ours.samples, ffmpeg.samples, 'same samples');
    const probe = await withoutFfmpeg(() => probeRecording(file));
    const reference = await probeAudio(file);
    t.same(probe, reference, 'the header says what ffprobe says');
  }
});

t.test('16 kHz WAV files of other layouts give the daemon the same transcripts without ffmpeg as through it', async (t) => {
  const recognizer = await loadRecognizer({ modelDir: join(packageRoot(), 'models', 'hushscribe-en-v1') });
  const vad = await loadSileroVad();
  const { vad: vadConfig, asr } = validateConfig({});
  const transcribe = async (samples: Float32Array) =>
    (await recognizeSegmented({ recognizer, vad, leftContext: asr.leftContext }, vadConfig, samples)).transcript.text;
  for (const source of SPEECH) {
    const expected = await transcribe((await collect(decodeAudioStream(source))).samples);
    t.ok(expected.split(' ').length >= 5, `the sample is heard: "${expected}"`);
    for (const [name, args] of VARIANTS) {
      const file = ffmpegEncode(source, join(dir, `${name}-${source.split('/').at(-1)}`), args);
      const ours = await withoutFfmpeg(() => collect(streamRecording(file, { frameSamples: 512 })));
      const ffmpeg = await collect(decodeAudioStream(file, { frameSamples: 512 }));
      t.same(ours.sizes, ffmpeg.sizes, `${name}: same frames`);
      t.ok(maxAbsDiff(ours.samples, ffmpeg.samples) < 1e-6, `${name}: ffmpeg's samples to float rounding (channels averaged)`);
      t.equal(await transcribe(ours.samples), await transcribe(ffmpeg.samples), `${name}: the same transcript`);
      const probe = await withoutFfmpeg(() => probeRecording(file));
      const reference = await probeAudio(file);
      t.same(probe, reference, `${name}: probed as ffprobe does`);
    }
  }
  await recognizer.close();
});

t.test('other formats and WAV layouts not read in-process still go through ffmpeg', async (t) => {
  const source = SPEECH[0]!;
  for (const [name, args] of [
    ['flac', ['-c:a', 'flac']],
    ['float', ['-c:a', 'pcm_f32le']],
    // Other rates: the native Resampler's samples differ from ffmpeg's (8 kHz speech was heard a word differently).
    ['8k', ['-ar', '8000', '-c:a', 'pcm_s16le']],
    ['44k1', ['-ar', '44100', '-c:a', 'pcm_s16le']],
  ] as const) {
    const file = ffmpegEncode(source, join(dir, `other-${name}.${name === 'flac' ? 'flac' : 'wav'}`), [...args]);
    const ours = await collect(streamRecording(file));
    t.same(ours.samples, (await collect(decodeAudioStream(file))).samples, `${name}: ffmpeg's samples`);
    await t.rejects(
      withoutFfmpeg(() => collect(streamRecording(file))),
      { code: 'FFMPEG_MISSING' },
      `${name}: needs ffmpeg`,
    );
  }
});

t.test('odd WAV headers: a cut-short file streams what it holds, an unfinished or odd header is left to ffmpeg', async (t) => {
  const tone = Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  const write = (name: string, bytes: Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  // Declares a second more than it holds: in-process, the samples present (the pipeline reports TRUNCATED from the header).
  const cut = write('cut.wav', wavBytes({ samples: tone, dataSize: (tone.length + 16000) * 2 }));
  const ours = await withoutFfmpeg(() => collect(streamRecording(cut)));
  t.same(ours.samples, (await collect(decodeAudioStream(cut))).samples, 'the samples present, as ffmpeg reads them');
  t.equal((await withoutFfmpeg(() => probeRecording(cut))).durationSec, 0.5, 'the duration present');
  // A JUNK chunk before fmt is skipped; an odd-sized one has its pad byte.
  const junk = write('junk.wav', wavBytes({ samples: tone, before: [{ id: 'JUNK', body: Buffer.alloc(7) }] }));
  t.same((await withoutFfmpeg(() => collect(streamRecording(junk)))).samples, (await collect(decodeAudioStream(junk))).samples, 'chunks before fmt skipped');
  for (const [name, bytes] of [
    ['unfinished', wavBytes({ samples: tone, dataSize: 0xffffffff })],
    ['odd-depth', wavBytes({ samples: tone, bitsPerSample: 16 }).fill(12, 34, 35)],
    ['data-first', wavBytes({ samples: tone, dataFirst: true })],
  ] as const) {
    const file = write(`${name}.wav`, bytes);
    await t.rejects(
      withoutFfmpeg(() => collect(streamRecording(file))),
      { code: 'FFMPEG_MISSING' },
      `${name}: left to ffmpeg`,
    );
  }
});
