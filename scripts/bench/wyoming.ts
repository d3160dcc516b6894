// The Wyoming server end to end: a 3 s utterance sent as Home Assistant sends it (transcribe, audio-start, 1024-
// frame audio-chunks paced at real time, audio-stop) by a client framing events as the Python `wyoming` library
// does (wyoming-client.ts), against the built daemon started with --wyoming.
//   npm run bench -- wyoming [--runs N] [--model DIR]
// Figure: audio-stop written -> final transcript received (p50/p95). Baseline in the same run:
// `hushscribe transcribe --json` on the same audio (a WAV file), model loaded once, the file listed --runs times,
// the first (cold) time dropped: timingsMs.total, the bare transcription time of the whole utterance.
// Last line: JSON.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../common/package-root.js';
import { Daemon, percentile, writeConfig } from './pipeline.js';
import type { Benchmark } from './run.js';
import { WyomingTestClient } from './wyoming-client.js';

const RATE = 16000;
const FORMAT = { rate: RATE, width: 2, channels: 1 };
const CHUNK_FRAMES = 1024;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

/** One request: chunks at real time, then audio-stop; ms from audio-stop to the transcript. */
async function request(port: number, pcm: Buffer): Promise<{ ms: number; text: string }> {
  const client = await WyomingTestClient.connect({ port });
  client.write('transcribe', { language: 'en' });
  client.write('audio-start', { ...FORMAT, timestamp: 0 });
  const step = CHUNK_FRAMES * 2;
  const t0 = performance.now();
  for (let at = 0; at < pcm.length; at += step) {
    const due = (at / 2 / RATE) * 1000;
    const wait = due - (performance.now() - t0);
    if (wait > 0) await sleep(wait);
    client.write('audio-chunk', { ...FORMAT, timestamp: Math.round(due) }, pcm.subarray(at, at + step));
  }
  const stopped = performance.now();
  client.write('audio-stop', { timestamp: Math.round((pcm.length / 2 / RATE) * 1000) });
  const { event } = await client.readUntil('transcript');
  const ms = performance.now() - stopped;
  client.close();
  if (!event) throw new Error('the server closed the connection before the transcript');
  return { ms, text: event.data.text as string };
}

export const benchmark: Benchmark = {
  description: 'Wyoming server: a 3 s utterance, audio-stop -> transcript, beside `hushscribe transcribe` on the same audio',
  async run(args) {
    const { values } = parseArgs({ args, options: { runs: { type: 'string', default: '20' }, model: { type: 'string' } } });
    const runs = Number(values.runs);
    if (!(Number.isInteger(runs) && runs >= 2 && runs <= 1000)) throw new Error(`--runs must be an integer in [2, 1000], got '${values.runs}'`);
    const root = packageRoot();
    const cli = join(root, 'daemon', 'bin', 'hushscribe.js');
    const modelDir = values.model ?? join(root, 'models', 'hushscribe-en-v1');
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-wyoming-'));
    let daemon: Daemon | null = null;
    try {
      // A 3.0 s utterance: espeak-ng speech, padded or cut to exactly 3 s, 16 kHz 16-bit mono.
      const src = join(dir, 'src.wav');
      const wav = join(dir, 'utterance.wav');
      execFileSync('espeak-ng', ['-s', '160', '-w', src, 'turn on the lights in the living room and set them to fifty percent']);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-af', 'apad', '-t', '3', '-ar', String(RATE), '-ac', '1', '-c:a', 'pcm_s16le', wav]);
      const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-f', 's16le', 'pipe:1'], { maxBuffer: 1 << 26 });

      const out = execFileSync(process.execPath, [cli, 'transcribe', '--json', '--model', modelDir, ...Array.from({ length: runs + 1 }, () => wav)], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      const baseline = out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => (JSON.parse(l) as { timingsMs: { total: number } }).timingsMs.total);

      const port = await freePort();
      const configFile = writeConfig(dir, { asr: { modelDir }, sources: { watch: { dir: null } }, wyoming: { zeroconf: false } });
      daemon = new Daemon(cli, configFile, join(dir, 'data'), ['--wyoming', `tcp://127.0.0.1:${port}`]);
      await daemon.started();
      const latencies: number[] = [];
      let text = '';
      await request(port, pcm); // warm-up, not counted
      for (let i = 0; i < runs; i++) {
        const r = await request(port, pcm);
        latencies.push(r.ms);
        text = r.text;
      }
      const result = {
        benchmark: 'wyoming',
        model: modelDir,
        utteranceSec: pcm.length / 2 / RATE,
        runs,
        audioStopToTranscriptMs: { p50: round(percentile(latencies, 50), 1), p95: round(percentile(latencies, 95), 1) },
        baseline: { transcribeMs: { p50: round(percentile(baseline, 50), 1), p95: round(percentile(baseline, 95), 1) } },
        p50VsTranscribe: round(percentile(latencies, 50) / percentile(baseline, 50), 3),
        transcriptWords: text.split(/\s+/).filter(Boolean).length,
      };
      process.stdout.write(
        `audio-stop -> transcript: p50 ${result.audioStopToTranscriptMs.p50} ms, p95 ${result.audioStopToTranscriptMs.p95} ms; ` +
          `hushscribe transcribe on the same ${result.utteranceSec} s: p50 ${result.baseline.transcribeMs.p50} ms, p95 ${result.baseline.transcribeMs.p95} ms (x${result.p50VsTranscribe})\n`,
      );
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      if (daemon && !daemon.dead) await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
