// Redacted audio end to end, with the real model on espeak-ng speech that holds personal data (a card number said
// digit by digit, a name, a phone number, an e-mail address): the daemon writes each recording with the entities'
// spans (± padMs) replaced by the tone and everything else as decoded; `transcribe --redacted-audio` does the same
// for one file. No file holds any form of the planted values, and with redaction.audio off no audio is written.
import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile, readAudio, readWavFile } from '../daemon/audio/index.js';
import { runInMemory, type CliResult } from './fixtures/cli/run.js';
import { maskRanges, TEMP_SUFFIX, TONE_AMPLITUDE, TONE_HZ } from '../daemon/redacted-audio/index.js';
import { cli, daemonSetup, ensureBuilt, ROOT, tempDir, waitFor } from './fixtures/daemon/harness.js';
import { filesUnder, leakForms, leaksOnDisk, PII, synthesize } from './fixtures/daemon/privacy.js';

ensureBuilt();

const RATE = 16000;
const MODEL = join(ROOT, 'models', 'hushscribe-en-v1');
/** 16-bit rounding: one step either way, plus float slack. */
const STEP = 2 / 32768;

const src = tempDir('redacted-audio-src');
const paths = synthesize(src);
const card = paths[PII.findIndex((p) => p.file === 'card.wav')]!;

/**
 * Compares a redacted recording with the decoded input: inside the ranges the tone (or zeros), outside the
 * original. Returns the first mismatch, or null.
 */
function compare(redacted: Float32Array, original: Float32Array, ranges: [number, number][], mode: 'tone' | 'silence'): string | null {
  if (redacted.length !== original.length) return `length ${redacted.length} != ${original.length}`;
  let r = 0;
  for (let i = 0; i < original.length; i++) {
    while (r < ranges.length && i >= ranges[r]![1]) r++;
    const inside = r < ranges.length && i >= ranges[r]![0];
    const expected = !inside ? original[i]! : mode === 'silence' ? 0 : TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE);
    if (Math.abs(redacted[i]! - expected) > STEP) return `sample ${i} (${inside ? 'inside' : 'outside'} a span): ${redacted[i]} != ${expected}`;
  }
  return null;
}

t.test('daemon: each recording written with its entities toned out, the rest as decoded; no value in any file', async (t) => {
  const forms = leakForms(paths);
  t.match(forms.recognised[1], /four five three two zero one five one/, 'the model hears the card number');

  const { dir, daemon, watch } = daemonSetup('redacted-audio-e2e', {
    config: { asr: { modelDir: MODEL }, redaction: { audio: { enabled: true } } },
  });
  // A temp file left by a daemon killed mid-write is removed when the worker starts.
  const audioDir = join(daemon.dataDir, 'audio');
  mkdirSync(audioDir, { recursive: true });
  writeFileSync(join(audioDir, `.stale.wav${TEMP_SUFFIX}`), Buffer.alloc(1000));
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready(120_000);
  t.notOk(existsSync(join(audioDir, `.stale.wav${TEMP_SUFFIX}`)), 'stale temp file removed at start');
  for (const [i, p] of paths.entries()) copyFileSync(p, join(watch, PII[i]!.file));
  const recs = await waitFor(
    () => {
      const rows = daemon.query<{ id: string; status: string; file_name: string; redacted_audio: string | null }>(
        'SELECT id, status, file_name, redacted_audio FROM recordings',
      );
      return rows.length === PII.length && rows.every((r) => r.status === 'done') ? rows : undefined;
    },
    150_000,
    'all recordings transcribed',
  );

  for (const rec of recs) {
    t.equal(rec.redacted_audio, join(audioDir, `${rec.id}.wav`), `${rec.file_name}: path recorded`);
    const written = await readWavFile(rec.redacted_audio!);
    t.equal(written.sampleRate, RATE);
    const original = (await decodeAudioFile(join(src, rec.file_name))).samples;
    const entities = daemon.query<{ type: string; audio_start: number; audio_end: number }>(
      'SELECT type, audio_start, audio_end FROM entities WHERE recording_id = ?',
      rec.id,
    );
    t.ok(entities.length > 0 && entities.every((e) => e.audio_start !== null), `${rec.file_name}: ${entities.map((e) => e.type).join(', ')} with audio times`);
    const ranges = maskRanges(
      entities.map((e) => ({ start: e.audio_start, end: e.audio_end })),
      80,
      original.length,
    );
    t.equal(compare(written.samples, original, ranges, 'tone'), null, `${rec.file_name}: tone inside the spans ± 80 ms, the input outside`);
    if (rec.file_name === 'card.wav') {
      const cardSpan = entities.find((e) => e.type === 'CREDIT_CARD')!;
      t.ok(
        cardSpan && cardSpan.audio_end - cardSpan.audio_start > 2,
        `the card number's span covers the digits (${cardSpan.audio_start}..${cardSpan.audio_end} s)`,
      );
      // "my card number is" takes espeak-ng about 0.9 s: the mask starts after "number".
      t.ok(ranges[0]![0] >= 0.7 * RATE, `the carrier words are still heard (mask from ${(ranges[0]![0] / RATE).toFixed(2)} s)`);

      const shown = cli(['transcripts', 'show', rec.id, '--json', '--data-dir', daemon.dataDir, '--config', daemon.configFile]);
      t.equal(shown.code, 0, shown.stderr);
      t.equal((JSON.parse(shown.stdout) as { recording: { redactedAudio: string } }).recording.redactedAudio, rec.redacted_audio);
      t.match(
        cli(['transcripts', 'show', rec.id, '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout,
        `redacted audio: ${rec.redacted_audio}`,
      );
    }
  }
  t.same(readdirSync(audioDir).sort(), recs.map((r) => `${r.id}.wav`).sort(), 'one file per recording, no temp files');

  t.equal(await daemon.kill('SIGTERM'), 0);
  const leaks = leaksOnDisk([dir], forms, join(daemon.dataDir, 'hushscribe.db'));
  t.ok(leaks.files >= PII.length + 1, `${leaks.files} files searched, the audio included`);
  t.same(leaks.hits, [], 'no value in any file');
});

t.test('daemon with redaction.audio off writes no audio at all', async (t) => {
  const { dir, daemon, watch } = daemonSetup('redacted-audio-off', { config: { asr: { modelDir: MODEL } } });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready(120_000);
  copyFileSync(card, join(watch, 'card.wav'));
  const rec = await waitFor(
    () => daemon.query<{ status: string; redacted_audio: string | null }>(`SELECT status, redacted_audio FROM recordings WHERE status = 'done'`)[0],
    150_000,
    'card transcribed',
  );
  t.equal(rec.redacted_audio, null);
  t.equal(await daemon.kill('SIGTERM'), 0);
  t.notOk(existsSync(join(daemon.dataDir, 'audio')), 'no audio folder');
  const audio = filesUnder(dir).filter((f) => /\.(wav|opus|partial)$/.test(f));
  t.same(audio, [], 'no audio file anywhere the daemon wrote');
});

const run = (argv: string[]): Promise<CliResult> => runInMemory(argv);

t.test('transcribe FILE --redacted-audio OUT: silence over the placeholders, the input elsewhere', async (t) => {
  const dir = tempDir('redacted-audio-cli');
  const out = join(dir, 'card-redacted.wav');
  const r = await run(['transcribe', card, '--json', '--redacted-audio', out, '--audio-mode', 'silence', '--audio-pad-ms', '40']);
  t.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as { text: string; segments: { words: { word: string; start: number; end: number }[] }[] };
  t.match(json.text, '[CREDIT_CARD]');
  const spans = json.segments.flatMap((s) => s.words.filter((w) => w.word.startsWith('[')));
  t.ok(spans.length > 0);
  // The input as the CLI reads it (espeak writes 22050 Hz: resampled in-process by readAudio).
  const original = (await readAudio(card)).samples;
  const written = await readWavFile(out);
  t.equal(compare(written.samples, original, maskRanges(spans, 40, original.length), 'silence'), null, 'silence inside, input outside');
  t.same(readdirSync(dir), ['card-redacted.wav'], 'no temp file left');

  const opus = join(dir, 'card.opus');
  t.equal((await run(['transcribe', card, '--redacted-audio', opus])).code, 0);
  t.ok((await decodeAudioFile(opus)).samples.length > RATE, 'opus written and decodable');
});

t.test('transcribe --redacted-audio: wrong options are usage errors before the model loads', async (t) => {
  const cases: [string[], RegExp][] = [
    [[card, card, '--redacted-audio', 'x.wav'], /exactly one input FILE \(got 2\)/],
    [[card, '--redacted-audio', 'x.mp3'], /must end in \.wav or \.opus/],
    [[card, '--redacted-audio', 'x.wav', '--no-redact'], /cannot be combined/],
    [[card, '--redacted-audio', 'x.wav', '--audio-mode', 'beep'], /--audio-mode must be tone or silence/],
    [[card, '--redacted-audio', 'x.wav', '--audio-pad-ms', '2001'], /--audio-pad-ms must be an integer from 0 to 2000/],
    [[card, '--audio-mode', 'tone'], /need --redacted-audio/],
  ];
  for (const [args, message] of cases) {
    const r = await run(['transcribe', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, message);
  }
});
