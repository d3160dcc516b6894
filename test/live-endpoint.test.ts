// Live endpointing keeps words whole: real speech (the LibriVox reading in models/samples) with a 250 ms pause put
// between two of its words, played in real time through a command source under the shipped defaults, and again
// with the opt-in fast rule (live.endpoint.fast: 140 ms when the LM's end-of-sentence evidence holds). The 160 ms
// endpoint may end a segment in that pause (with dense run 7 it never did; with sparse run 8, the default since
// session 12, it does), and then the second segment is decoded after the first (asr.leftContext): either way the
// finals, decoded ahead in the silence, have the words `hushscribe transcribe` gives for the same file.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, ROOT, tempDir, waitFor, wavBytes } from './fixtures/daemon/harness.js';
import { runInMemory } from './fixtures/cli/run.js';

ensureBuilt();

const RATE = 16000;
const PAUSE_SEC = 0.25;
const sample = join(ROOT, 'models', 'samples', 'human-librivox-0880.wav');
const MODEL = join(ROOT, 'models', 'hushscribe-en-v1');

/**
 * A file's words with their times, from the offline transcriber (the shipped model and VAD settings, as the
 * daemon's): raw, or redacted by the rules alone as the daemon below is configured (the model may hear a name-like
 * word in this sample, so the stored final is compared with the redacted text).
 */
async function words(file: string, redaction: 'raw' | 'rules' = 'raw'): Promise<{ text: string; words: { word: string; start: number; end: number }[] }> {
  const redact = redaction === 'raw' ? ['--no-redact'] : ['--detectors', 'rules'];
  const result = await runInMemory(['transcribe', '--json', ...redact, '--model', MODEL, file]);
  if (result.code !== 0) throw new Error(result.err);
  const segments = (JSON.parse(result.out) as { segments: { text: string; words: { word: string; start: number; end: number }[] }[] }).segments;
  return { text: segments.map((s) => s.text).join(' '), words: segments.flatMap((s) => s.words) };
}

/** The 'live final' debug lines (numbers, no text) the daemon has logged so far. */
interface LoggedFinal {
  endedBy: string;
  heardSec: number;
  vadEndSec: number;
  lastWordEndSec: number | null;
  decodeAheadMs: number | null;
  finishMs: number;
}

/** A started daemon whose command source plays `argv`'s WAV in real time; `config` adds vad/live settings. */
async function liveDaemon(t: Tap.Test, name: string, argv: string[], config: Record<string, unknown>) {
  const { daemon } = daemonSetup(name, {
    config: {
      asr: { modelDir: MODEL },
      sources: { watch: { dir: null }, command: { argv } },
      redaction: { tagger: { enabled: false } },
      log: { level: 'debug' },
      ...config,
    },
  });
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready(120_000);
  const finals = () =>
    daemon.output
      .split('\n')
      .filter((l) => l.includes('"live final"'))
      .map((l) => JSON.parse(l) as LoggedFinal);
  return { daemon, finals };
}

for (const [name, live] of [
  ['the shipped defaults', {}],
  ['the fast endpoint', { endpoint: { fast: { enabled: true } } }],
] as const)
  t.test(`a pause inside a sentence changes no word: ${name}`, async (t) => {
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-ac', '1', '-ar', String(RATE), '-f', 'f32le', 'pipe:1']);
    const speech = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    // The pause goes into the widest gap between two recognised words (not the first or last word's edge).
    const heard = (await words(sample)).words;
    t.ok(heard.length >= 5, `the sample is a sentence (${heard.length} words)`);
    let cut = 0;
    let widest = -1;
    for (let i = 1; i < heard.length - 1; i++) {
      const gap = heard[i]!.start - heard[i - 1]!.end;
      if (gap > widest) [widest, cut] = [gap, Math.round(((heard[i - 1]!.end + heard[i]!.start) / 2) * RATE)];
    }
    // Lead-in of whole VAD frames (512 samples), so the live stream and the file are cut into the same frames.
    const lead = 512 * 16;
    const audio = new Float32Array(lead + speech.length + PAUSE_SEC * RATE + 1.5 * RATE);
    audio.set(speech.subarray(0, cut), lead);
    audio.set(speech.subarray(cut), lead + cut + PAUSE_SEC * RATE);
    const file = join(tempDir('live-endpoint-audio'), 'paused.wav');
    writeFileSync(file, wavBytes(audio));
    const offline = await words(file, 'rules');

    // -re plays at real speed, as a microphone delivers; -flush_packets writes each packet as it is due.
    const argv = ['ffmpeg', '-v', 'error', '-re', '-i', file, '-flush_packets', '1', '-f', 'wav', 'pipe:1'];
    const { daemon, finals: loggedFinals } = await liveDaemon(t, 'live-endpoint', argv, { live });
    const rec = await waitFor(
      () => daemon.query<{ id: string; status: string }>("SELECT id, status FROM recordings WHERE source = 'command' AND status = 'done'")[0],
      120_000,
      'the first live session is stored',
    );
    const stored = daemon.query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ? ORDER BY seq', rec.id).map((s) => s.text);
    t.ok(stored.length === 1 || stored.length === 2, `one segment, or two cut at the ${PAUSE_SEC * 1000} ms pause (${stored.length})`);
    const finals = loggedFinals();
    // With live.endpoint.fast on, the fast rule could fire on the first word alone ("I", shorter than vad.minSpeechMs)
    // in the short pause after it and drop it, so the segment started at the next word: endNow() now leaves it open.
    t.equal(stored.join(' '), offline.text, 'the words hushscribe transcribe hears in the same file');
    t.ok(finals.length >= 1, "the final's stage times are logged (debug)");
    t.match(finals[0], { endedBy: /^(endpoint|fast|vad)$/, finishMs: Number });
  });

t.test('where the VAD hears the silence late, the segment ends sinceLastWordMs after the last word', async (t) => {
  // Plain speech, then silence; the VAD's rules are made long, so only sinceLastWordMs (256) can end it soon.
  const argv = ['ffmpeg', '-v', 'error', '-re', '-i', sample, '-af', 'apad=pad_dur=3', '-flush_packets', '1', '-f', 'wav', 'pipe:1'];
  const { finals } = await liveDaemon(t, 'live-endpoint-word', argv, { vad: { minSilenceMs: 2000 }, live: { endpoint: { minSilenceMs: 1500 } } });
  const final = await waitFor(() => finals()[0], 120_000, 'the first live final');
  t.equal(final.endedBy, 'endpoint');
  const sinceWordMs = (final.heardSec - final.lastWordEndSec!) * 1000;
  t.ok(sinceWordMs >= 256 && sinceWordMs < 256 + 150, `ended ${Math.round(sinceWordMs)} ms after the last word`);
  t.ok((final.heardSec - final.vadEndSec) * 1000 < 1500, 'before the VAD rules');
});
