/**
 * The power governor in the real daemon, on the tiny test model with two variants. The `sparse` variant here is a
 * copy of the dense ONNX under another name: what is tested is the switching (which recognizer each recording
 * runs on, and that no segment is lost or stored twice), not what a sparse model does.
 */
import t from 'tap';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '../daemon/control/client.js';
import { ControlError } from '../daemon/control/protocol.js';
import { twoVariantModel } from './fixtures/models/two-variant-model.js';
import { AWAY_BROKER, cli, daemonSetup, ensureBuilt, listTranscripts, speechFile, tempDir, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';

ensureBuilt();

interface PowerJson {
  mode: string;
  variant: string;
  reason: string;
  sparseAvailable: boolean;
  switches: number;
  signals: { thermal: { celsius: number | null; problems: string[] } };
}

const thermalDir = tempDir('power-thermal');
const thermal = join(thermalDir, 'temp');
writeFileSync(thermal, '40000\n');
const { dir, daemon, watch } = daemonSetup('power', {
  config: {
    ...AWAY_BROKER,
    asr: { modelDir: twoVariantModel(tempDir('power-model')) },
    // The backlog signal is out of reach here, so only the thermal file moves auto mode in this test.
    power: {
      mode: 'dense',
      intervalSec: 0.2,
      minDwellSec: 0,
      backlog: { enterQueued: 1000, leaveQueued: 999 },
      thermal: { paths: [thermal] },
      battery: { paths: [join(thermalDir, 'no-supply', 'online')] },
    },
  },
});
const args = ['--data-dir', daemon.dataDir, '--config', daemon.configFile];
const list = () => listTranscripts(daemon);
const power = (): PowerJson => JSON.parse(cli(['power', '--json', ...args]).stdout) as PowerJson;
let made = 0;
/** Drops a distinct spoken recording into the watch folder. */
const drop = (name: string) => {
  const src = speechFile(join(dir, `${name}.wav`), `Recording number ${++made}, called ${name}, for the power test.`);
  copyFileSync(src, join(watch, `${name}.wav`));
};
const doneNames = () =>
  new Set(
    list()
      .filter((r) => r.status === 'done')
      .map((r) => r.fileName),
  );
const waitDone = (names: string[]) => waitFor(() => names.every((n) => doneNames().has(`${n}.wav`)), 120_000, `${names.join(', ')} done`);

t.before(async () => {
  daemon.start();
  await daemon.ready();
});
t.teardown(() => daemon.kill());

t.test('segments carry the variant of the mode in force; a switch mid-queue loses and repeats nothing', async (t) => {
  t.match(power(), { mode: 'dense', variant: 'dense', sparseAvailable: true, switches: 0 });
  t.match(
    daemon.logs().find((l) => l.msg === 'model loaded'),
    { variant: 'dense', sparseVariant: 'sparse' },
    'both variants loaded',
  );

  const first = ['d1', 'd2', 'd3', 'd4', 'd5'];
  for (const n of first) drop(n);
  await waitDone(['d1']);
  // Switch while the rest of the queue may still be waiting or in progress.
  const set = cli(['power', 'set', 'sparse', ...args]);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /^power mode dense -> sparse\npower: sparse, running sparse \(power mode sparse; 1 switch\)\n$/);
  const after = ['s1', 's2'];
  for (const n of after) drop(n);
  await waitDone([...first, ...after]);

  const rows = list();
  t.equal(rows.length, first.length + after.length, 'one recording per file');
  const stored = daemon.query<{ recording_id: string; seq: number; variant: string }>(
    'SELECT recording_id, seq, variant FROM segments ORDER BY recording_id, seq',
  );
  const variantsBy = new Map<string, Set<string>>();
  for (const s of stored) variantsBy.set(s.recording_id, (variantsBy.get(s.recording_id) ?? new Set()).add(s.variant));
  // What each recording was handed to the worker with, from the structured log (the last attempt counts).
  // The log pipe is read while this test waits without blocking, so wait for every recording's line to arrive.
  await waitFor(() => daemon.logs().filter((l) => l.msg === 'recording transcribed').length >= rows.length, 30_000, 'log lines of all recordings');
  const handed = new Map(
    daemon
      .logs()
      .filter((l) => l.msg === 'transcribing')
      .map((l) => [l.recordingId as string, l.variant as string]),
  );
  for (const row of rows) {
    const seqs = stored.filter((s) => s.recording_id === row.id).map((s) => s.seq);
    t.ok(row.segments >= 1, `${row.fileName} has segments`);
    t.same(seqs, [...Array(row.segments).keys()], `${row.fileName}: seq 0..${row.segments - 1}, none missing or repeated`);
    t.same([...variantsBy.get(row.id)!], [handed.get(row.id)], `${row.fileName}: every segment from the one variant it was given`);
  }
  const variantOf = (name: string) => [...variantsBy.get(rows.find((r) => r.fileName === `${name}.wav`)!.id)!][0];
  t.equal(variantOf('d1'), 'dense', 'before the switch: dense');
  for (const n of after) t.equal(variantOf(n), 'sparse', `${n} (queued after the switch): sparse`);
  const events = daemon.query<{ n: number }>("SELECT count(*) AS n FROM events WHERE kind = 'segment'")[0]!.n;
  t.equal(events, stored.length, 'one MQTT outbox event per stored segment');

  const changed = daemon
    .query<{ payload: string }>("SELECT payload FROM events WHERE kind = 'power_mode.changed' ORDER BY id")
    .map((e) => JSON.parse(e.payload) as Record<string, unknown>);
  t.same(changed, [{ previous: 'dense', powerMode: 'sparse', previousVariant: 'dense', variant: 'sparse', reason: 'power mode sparse', switches: 1 }]);
  t.match(
    daemon.logs().filter((l) => l.msg === 'power variant switched'),
    [{ level: 'info', previousVariant: 'dense', variant: 'sparse', switches: 1 }],
  );
});

t.test('auto follows the CPU temperature; an unreadable sensor is ignored and reported', async (t) => {
  t.equal(cli(['power', 'set', 'auto', ...args]).code, 0);
  await waitFor(() => power().variant === 'dense', 30_000, 'auto at 40 C: dense');
  writeFileSync(thermal, '91000\n');
  const hot = await waitFor(() => (power().variant === 'sparse' ? power() : null), 30_000, 'auto at 91 C: sparse');
  t.match(hot, { mode: 'auto', reason: 'cpu 91.0 C (sparse from 75, dense at 65)', signals: { thermal: { celsius: 91 } } });
  drop('hot');
  await waitDone(['hot']);
  const hotId = list().find((r) => r.fileName === 'hot.wav')!.id;
  t.same(daemon.query<{ variant: string }>('SELECT DISTINCT variant FROM segments WHERE recording_id = ?', hotId), [{ variant: 'sparse' }]);

  writeFileSync(thermal, 'not a number\n');
  const cool = await waitFor(() => (power().variant === 'dense' ? power() : null), 30_000, 'unreadable sensor: no pressure, dense');
  t.match(cool.signals.thermal, { celsius: null, problems: [/temp: not a temperature in millidegrees \("not a number"\)/] });
  const status = cli(['status', ...args]);
  t.match(status.stdout, /\npower: auto, running dense \(no pressure \(backlog \d+ queued, no cpu temperature, power source unknown\); \d+ switches\)\n/);
  const json = JSON.parse(cli(['status', '--json', ...args]).stdout) as { power: PowerJson };
  t.match(json.power, { mode: 'auto', variant: 'dense', switches: Number });
  const shown = cli(['power', ...args]).stdout;
  t.match(shown, /\n {2}cpu: no reading\n/);
  t.match(shown, /\n {2}ignored: .*temp: not a temperature/);
  t.match(shown, /\n {2}ignored: .*no-supply\/online: not readable \(ENOENT\)/);
  await waitFor(
    () => daemon.logs().some((l) => l.msg === 'power signal ignored: cannot read it' && /not a temperature/.test(String(l.problem))),
    30_000,
    'problem logged',
  );
  t.equal(
    daemon.logs().filter((l) => l.msg === 'power signal ignored: cannot read it' && /not a temperature/.test(String(l.problem))).length,
    1,
    'logged once, not every tick',
  );
  t.equal(daemon.exitCode, null, 'the daemon runs on');
});

t.test('power CLI: bad usage and a daemon that is not running', async (t) => {
  t.match(cli(['power', 'set', 'turbo', ...args]), { code: 2, stderr: /MODE must be one of dense, sparse, auto/ });
  t.match(cli(['power', 'set', ...args]), { code: 2, stderr: /power set takes one MODE/ });
  t.match(cli(['power', 'toggle', ...args]), { code: 2, stderr: /unknown action "toggle"/ });
  const socket = join(daemon.dataDir, 'control.sock');
  await t.rejects(
    request(socket, 'power.set', { mode: 'turbo' }),
    new ControlError('BAD_PARAMS', 'mode must be one of dense, sparse, auto'),
    'the control socket checks the mode too',
  );
  await t.rejects(request(socket, 'power.set', {}), { code: 'BAD_PARAMS' });
  const nowhere = tempDir('power-none');
  t.match(cli(['power', '--data-dir', nowhere, '--config', daemon.configFile]), { code: 4 });
  t.match(cli(['power', '--json', '--data-dir', nowhere, '--config', daemon.configFile]), { code: 4, stdout: /"DAEMON_NOT_RUNNING"/ });
});

t.test('a model without a sparse variant runs dense and says so once', async (t) => {
  const other = daemonSetup('power-dense-only', { config: AWAY_BROKER });
  other.daemon.start(['--power-mode', 'sparse']);
  t.teardown(() => other.daemon.kill());
  await other.daemon.ready();
  const otherArgs = ['--data-dir', other.daemon.dataDir, '--config', other.daemon.configFile];
  const state = JSON.parse(cli(['power', '--json', ...otherArgs]).stdout) as PowerJson;
  t.match(state, { mode: 'sparse', variant: 'dense', sparseAvailable: false, reason: 'the model has no sparse variant; running dense', switches: 0 });
  drop('dense-only');
  copyFileSync(join(dir, 'dense-only.wav'), join(other.watch, 'dense-only.wav'));
  await waitFor(() => daemonDone(other.daemon.query<{ status: string }>('SELECT status FROM recordings')), 120_000, 'recording done');
  t.same(other.daemon.query<{ variant: string }>('SELECT DISTINCT variant FROM segments'), [{ variant: 'dense' }]);
  t.equal(other.daemon.logs().filter((l) => l.msg === 'power governor: the model has no sparse variant; running dense').length, 1, 'logged once');
  const events = other.daemon
    .query<{ payload: string }>("SELECT payload FROM events WHERE kind = 'power_mode.changed'")
    .map((e) => JSON.parse(e.payload) as Record<string, unknown>);
  t.match(events, [{ powerMode: 'sparse', variant: 'dense', reason: 'the model has no sparse variant; running dense' }], 'announced once');
  t.match(cli(['status', ...otherArgs]).stdout, /\npower: sparse, running dense \(the model has no sparse variant; running dense; 0 switches\)/);
});

t.test('a live source switches between speech segments', async (t) => {
  const clip = join(tempDir('power-live-clip'), 'long.wav');
  writeFileSync(clip, wavBytes(toneSamples('hello world this is a long test of switching the power mode')));
  // -re: played at real speed, as a capture device would; fixed 2 s windows give a steady run of segments.
  const argv = ['ffmpeg', '-v', 'error', '-re', '-i', clip, '-f', 'wav', 'pipe:1'];
  const live = daemonSetup('power-live', {
    config: {
      asr: { modelDir: twoVariantModel(tempDir('power-model')) },
      sources: { watch: { dir: null }, command: { argv } },
      vad: { enabled: false, maxSegmentSec: 2 },
      power: { mode: 'dense' },
    },
  });
  t.teardown(() => live.daemon.kill());
  live.daemon.start();
  await live.daemon.ready();
  const liveArgs = ['--data-dir', live.daemon.dataDir, '--config', live.daemon.configFile];
  await waitFor(() => live.daemon.query<{ n: number }>('SELECT count(*) AS n FROM segments')[0]!.n >= 1, 60_000, 'a first live segment');
  t.equal(cli(['power', 'set', 'sparse', ...liveArgs]).code, 0);
  const rec = await waitFor(
    () => live.daemon.query<{ id: string }>("SELECT id FROM recordings WHERE source = 'command' AND status = 'done'")[0],
    120_000,
    'the session done',
  );
  const segs = live.daemon.query<{ seq: number; variant: string }>('SELECT seq, variant FROM segments WHERE recording_id = ? ORDER BY seq', rec.id);
  t.same(
    segs.map((s) => s.seq),
    [...segs.keys()],
    'seq 0..n-1: none lost or repeated',
  );
  const variants = segs.map((s) => s.variant).join(' ');
  t.match(variants, /^dense( dense)*( sparse)+$/, `dense segments, then sparse after the switch (${variants})`);
});

t.test('--power-mode is validated like the config', async (t) => {
  const bad = daemonSetup('power-bad');
  bad.daemon.start(['--power-mode', 'turbo']);
  t.equal(await bad.daemon.exited, 3);
  t.match(bad.daemon.output, /power\.mode: must be one of dense, sparse, auto \(got "turbo"\)/);
});

function daemonDone(rows: { status: string }[]): boolean {
  return rows.length === 1 && rows[0]!.status === 'done';
}
