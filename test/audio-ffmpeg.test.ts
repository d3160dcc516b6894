import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeAudioFile, decodeAudioStream, probeAudio, readWavFile } from '../daemon/audio/index.js';
import { bytesWritten, childProcesses, ffmpegEncode, maxAbsDiff, rms, run, speechWav, wavBytes } from './fixtures/audio/make.js';

const dir = t.testdir();
const speech = speechWav(dir);
const reference = await readWavFile(speech);

const rejectsCode = (t: Tap.Test, p: Promise<unknown>, code: string, message: RegExp = /./) =>
  t.rejects(p, { name: 'AudioInputError', code, message }, `${code} ${message}`);

async function drain(frames: AsyncIterable<Float32Array>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

t.test('lossless FLAC decodes to exactly the samples of the WAV it was made from', async (t) => {
  const flac = ffmpegEncode(speech, join(dir, 'speech.flac'), ['-c:a', 'flac']);
  const clip = await decodeAudioFile(flac);
  t.equal(clip.sampleRate, 16000);
  t.equal(clip.channels, 1);
  t.equal(clip.samples.length, reference.samples.length);
  t.ok(maxAbsDiff(clip.samples, reference.samples) < 1e-6);
  t.equal(clip.truncated, false);
  t.ok(Math.abs(clip.declaredDurationSec! - reference.durationSec) < 0.01);
});

t.test('lossy MP3 and Opus decode to 16 kHz mono of the same length and loudness', async (t) => {
  const encodings: [string, string[]][] = [
    ['speech.mp3', ['-c:a', 'libmp3lame', '-b:a', '48k']],
    ['speech.opus', ['-c:a', 'libopus', '-b:a', '24k']],
    ['speech-44k1.m4a', ['-ar', '44100', '-c:a', 'aac']],
  ];
  for (const [name, args] of encodings) {
    const clip = await decodeAudioFile(ffmpegEncode(speech, join(dir, name), args));
    t.equal(clip.sampleRate, 16000, name);
    t.ok(Math.abs(clip.durationSec - reference.durationSec) < 0.1, `${name}: ${clip.durationSec} s vs ${reference.durationSec} s`);
    t.ok(Math.abs(rms(clip.samples) / rms(reference.samples) - 1) < 0.25, `${name}: loudness kept`);
    t.equal(clip.truncated, false, `${name}: complete`);
  }
});

t.test('other rates and channel counts are resampled and downmixed by ffmpeg', async (t) => {
  for (const [rate, channels] of [
    [8000, 1],
    [44100, 1],
    [48000, 2],
  ] as const) {
    const file = join(dir, `tone-${rate}-${channels}.wav`);
    run('sox', ['-n', '-r', String(rate), '-c', String(channels), '-b', '16', file, 'synth', '1', 'sine', '300', 'vol', '0.5']);
    const clip = await decodeAudioFile(file);
    t.equal(clip.samples.length, 16000, `${rate} Hz: one second at 16 kHz`);
    t.equal(clip.channels, channels);
    t.ok(Math.abs(rms(clip.samples) - 0.5 / Math.SQRT2) < 0.02, `${rate} Hz x${channels}: level kept (${rms(clip.samples)})`);
  }
});

t.test('the stream yields fixed-size frames when asked, and the same samples as the whole-file decode', async (t) => {
  const frames = await drain(decodeAudioStream(speech, { frameSamples: 512 }));
  t.ok(frames.slice(0, -1).every((f) => f.length === 512));
  t.ok(frames.at(-1)!.length <= 512 && frames.at(-1)!.length > 0);
  const total = frames.reduce((n, f) => n + f.length, 0);
  t.equal(total, reference.samples.length);
  t.equal(frames[50]![7], reference.samples[50 * 512 + 7]);
  const exact = await drain(decodeAudioStream(speech, { frameSamples: reference.samples.length }));
  t.equal(exact.length, 1, 'no empty tail frame when the length divides evenly');
  const chunks = await drain(decodeAudioStream(speech));
  t.equal(
    chunks.reduce((n, f) => n + f.length, 0),
    reference.samples.length,
  );
});

t.test('back-pressure: ffmpeg waits for the consumer, and is killed when the consumer stops', async (t) => {
  const long = join(dir, 'long.flac');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000:duration=1200', '-c:a', 'flac', long]);
  const stream = decodeAudioStream(long, { frameSamples: 1600 });
  let frames = 0;
  for await (const frame of stream) {
    t.equal(frame.length, 1600);
    if (++frames < 3) continue;
    await sleep(750);
    const [pid] = childProcesses('ffmpeg');
    t.ok(pid, 'ffmpeg is still running: it waits for us');
    // 20 minutes of float samples are 76.8 MB; a waiting ffmpeg has written no more than the pipe buffers hold.
    t.ok(bytesWritten(pid!) < 8 * 1024 * 1024, `ffmpeg wrote ${bytesWritten(pid!)} bytes`);
    break;
  }
  t.same(childProcesses('ffmpeg'), [], 'stopping early killed ffmpeg');
});

t.test('ffmpeg dying mid-stream is a DECODE_FAILED error', async (t) => {
  const stream = decodeAudioStream(join(dir, 'long.flac'));
  const first = await stream.next();
  t.equal(first.done, false);
  const [pid] = childProcesses('ffmpeg');
  process.kill(pid!, 'SIGKILL');
  await rejectsCode(t, drain(stream), 'DECODE_FAILED', /killed by SIGKILL/);
});

t.test('probe reports duration, channels, rate and codec', async (t) => {
  const file = join(dir, 'tone-48000-2.wav');
  t.same(await probeAudio(file), { durationSec: 1, channels: 2, sampleRate: 48000, codec: 'pcm_s16le' });
  const raw = join(dir, 'speech.ogg');
  ffmpegEncode(speech, raw, ['-c:a', 'libopus']);
  const probe = await probeAudio(raw);
  t.equal(probe.codec, 'opus');
  t.ok(probe.durationSec! > 0);
});

t.test("bad inputs get typed errors that name the file and carry ffmpeg's diagnosis, not the content", async (t) => {
  const bad = t.testdir({ 'notes.wav': 'call me on 0151 496 0123 about the invoice\n', 'empty.mp3': '' });
  const png = join(bad, 'picture.png');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', png]);
  const mp3 = readFileSync(ffmpegEncode(speech, join(bad, 'full.mp3'), ['-c:a', 'libmp3lame']));
  writeFileSync(join(bad, 'stub.mp3'), mp3.subarray(0, 300));
  writeFileSync(join(bad, 'half.mp3'), mp3.subarray(0, mp3.length / 2));
  const flac = readFileSync(ffmpegEncode(speech, join(bad, 'full.flac'), ['-c:a', 'flac']));
  writeFileSync(join(bad, 'stub.flac'), flac.subarray(0, 100));
  writeFileSync(join(bad, 'silent-8k.wav'), wavBytes({ sampleRate: 8000, samples: [] }));

  const notAudio = decodeAudioFile(join(bad, 'notes.wav'));
  await rejectsCode(t, notAudio, 'NOT_AUDIO', /notes\.wav: is not in an audio format ffmpeg recognises\nffmpeg said:\n.*Invalid data/);
  t.notMatch(String(await notAudio.catch((e: Error) => e.message)), /0151/);
  await rejectsCode(t, decodeAudioFile(png), 'NOT_AUDIO', /picture\.png: contains no audio stream/);
  await rejectsCode(t, probeAudio(png), 'NOT_AUDIO', /contains no audio stream/);
  await rejectsCode(t, decodeAudioFile(join(bad, 'empty.mp3')), 'EMPTY_FILE', /empty\.mp3: is empty/);
  await rejectsCode(t, decodeAudioFile(join(bad, 'missing.opus')), 'NOT_FOUND', /missing\.opus: no such file/);
  await rejectsCode(t, decodeAudioFile(join(bad, 'stub.mp3')), 'TRUNCATED', /stub\.mp3: has no complete audio frame/);
  await rejectsCode(t, decodeAudioFile(join(bad, 'stub.flac')), 'TRUNCATED');
  await rejectsCode(t, drain(decodeAudioStream(join(bad, 'silent-8k.wav'))), 'EMPTY_FILE', /no samples/);
  await rejectsCode(t, probeAudio(join(bad, 'notes.wav')), 'NOT_AUDIO');

  const half = await decodeAudioFile(join(bad, 'half.mp3'));
  t.equal(half.truncated, true, 'an MP3 cut in half decodes what is there, flagged truncated');
  t.ok(half.durationSec < half.declaredDurationSec! * 0.75);
});

t.test('FFMPEG_MISSING when ffmpeg or ffprobe cannot be started', async (t) => {
  await rejectsCode(
    t,
    decodeAudioFile(speech, { ffmpegPath: '/nonexistent/ffmpeg' }),
    'FFMPEG_MISSING',
    /ffmpeg could not be started as '\/nonexistent\/ffmpeg' \(ENOENT\)/,
  );
  await rejectsCode(t, probeAudio(speech, { ffprobePath: '/nonexistent/ffprobe' }), 'FFMPEG_MISSING', /ffprobe could not be started/);
  const path = process.env.PATH;
  process.env.PATH = t.testdir();
  t.teardown(() => {
    process.env.PATH = path;
  });
  await rejectsCode(t, decodeAudioFile(speech), 'FFMPEG_MISSING', /apt-get install ffmpeg/);
  process.env.PATH = path;
});

t.test('a binary that is not ffmpeg fails as DECODE_FAILED with its exit code', async (t) => {
  await rejectsCode(t, drain(decodeAudioStream(speech, { ffmpegPath: '/bin/false' })), 'DECODE_FAILED', /exited with code 1/);
});

t.test('options are validated before anything runs', async (t) => {
  await t.rejects(drain(decodeAudioStream(speech, { sampleRate: 0 })), RangeError);
  await t.rejects(drain(decodeAudioStream(speech, { sampleRate: 16000.5 })), /sampleRate must be an integer/);
  await t.rejects(drain(decodeAudioStream(speech, { frameSamples: 0 })), /frameSamples must be a positive integer/);
  await t.rejects(decodeAudioFile(speech, { ffmpegPath: '' }), /ffmpegPath must be a non-empty string/);
  const clip = await decodeAudioFile(speech, { frameSamples: 3, sampleRate: 8000 });
  t.equal(clip.sampleRate, 8000, 'frameSamples does not matter to a whole-file decode');
});
