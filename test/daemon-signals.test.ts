/**
 * Every SIGTERM/SIGINT, at any moment of the daemon's life (loading the CLI, opening the store, loading the real
 * model, transcribing, a second signal while stopping), ends in a clean exit 0: no abort (134) from a worker torn
 * down inside onnxruntime, no unsettled start (13), no default signal death (143). The moments are random; each
 * assertion names its delay, so a failure can be replayed.
 */
import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, DaemonProcess, ensureBuilt, ROOT, tempDir, waitFor } from './fixtures/daemon/harness.js';

const RUNS = 6;
/** Stops while the worker is decoding a long recording (each restart re-decodes it from the start). */
const CUTS_MID_INFERENCE = 6;
/**
 * Moments are a random offset after a random point of the start-up: the lock file written (the store opens next),
 * the store being open (the model loading) or the file being transcribed. Earlier, while Node boots, the kernel's
 * default applies (death by SIGTERM, which systemd counts as a clean stop); while the CLI loads, the bin notes the
 * signal and the daemon stops as soon as it runs (the last test).
 */
const ANCHORS = ['the lock taken', 'store open', 'transcribing'] as const;
const MAX_OFFSET_MS = 400;
const SAMPLE = join(ROOT, 'models', 'samples', 'human-librivox-0880.wav');

t.test('a signal at a random moment always ends in a clean exit 0', async (t) => {
  ensureBuilt();
  for (let run = 0; run < RUNS; run++) {
    const dir = tempDir('signals');
    const inbox = join(dir, 'in');
    mkdirSync(inbox);
    copyFileSync(SAMPLE, join(inbox, 'call.wav'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, JSON.stringify({ sources: { watch: { dir: inbox, pollMs: 100, settleMs: 0 } } }));
    // Without tap's NODE_OPTIONS hooks, which catch signals themselves: the daemon as systemd runs it.
    const daemon = new DaemonProcess(join(dir, 'data'), config).start([], { NODE_OPTIONS: '' });
    const anchor = ANCHORS[Math.floor(Math.random() * ANCHORS.length)]!;
    const delay = Math.round(Math.random() * MAX_OFFSET_MS);
    const signal = run % 2 === 0 ? 'SIGTERM' : 'SIGINT';
    const twice = run % 3 === 0;
    if (anchor === 'the lock taken') await waitFor(() => existsSync(join(dir, 'data', 'daemon.pid')), 60_000, anchor);
    else await waitFor(() => daemon.logs().some((l) => l.msg === anchor), 120_000, anchor);
    await new Promise((r) => setTimeout(r, delay));
    daemon.child.kill(signal);
    if (twice) setTimeout(() => daemon.exitCode === null && daemon.child.kill(signal), 50);
    const code = await Promise.race([daemon.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    if (code === 'hung') await daemon.kill();
    const moment = `${signal}${twice ? ' twice' : ''} ${delay} ms after ${anchor}`;
    t.equal(code, 0, `${moment}: exit 0 (got ${code}, signal ${daemon.child.signalCode})\n${daemon.output.slice(-2000)}`);
    t.notMatch(daemon.output, /terminate called|Napi::Error|core dumped/, `${moment}: no abort`);
  }
});

t.test('a long recording cut off mid-inference, again and again, is transcribed after the restarts', async (t) => {
  ensureBuilt();
  const dir = tempDir('signals-resume');
  const inbox = join(dir, 'in');
  mkdirSync(inbox);
  // A minute of speech, so each signal lands while onnxruntime is decoding: terminating the worker there aborted the process.
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '19', '-i', SAMPLE, '-c', 'copy', join(inbox, 'call.wav')]);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify({ sources: { watch: { dir: inbox, pollMs: 100, settleMs: 0 } } }));
  const daemon = new DaemonProcess(join(dir, 'data'), config);
  t.teardown(() => daemon.kill());
  for (let cut = 0; cut < CUTS_MID_INFERENCE; cut++) {
    daemon.start([], { NODE_OPTIONS: '' });
    await waitFor(() => daemon.logs().some((l) => l.msg === 'transcribing'), 120_000, 'transcription to begin');
    const delay = 300 + Math.round(Math.random() * 1200);
    await new Promise((r) => setTimeout(r, delay));
    daemon.child.kill('SIGTERM');
    t.equal(await daemon.exited, 0, `SIGTERM ${delay} ms into the recording: exit 0 (signal ${daemon.child.signalCode})`);
    t.notMatch(daemon.output, /terminate called|Napi::Error|core dumped/, `SIGTERM ${delay} ms into the recording: no abort`);
  }
  daemon.start();
  await waitFor(() => daemon.query<{ status: string }>('SELECT status FROM recordings')[0]?.status === 'done', 300_000, 'the recording to be done');
  t.equal(daemon.query<{ attempts: number }>('SELECT attempts FROM recordings')[0]!.attempts, 1, 'attempts a clean stop cut short are not counted');
  daemon.child.kill('SIGTERM');
  t.equal(await daemon.exited, 0);
});

t.test('a signal noted while the CLI loaded stops the daemon before it starts anything', async (t) => {
  ensureBuilt();
  const dir = tempDir('signals-early');
  // As daemon/bin/hushscribe.js notes a signal that arrives before the daemon's own handlers exist.
  const script = `globalThis[Symbol.for('hushscribe.daemon.earlySignal')] = 'SIGTERM'; process.argv.splice(1, 0, ${JSON.stringify(CLI)}); await import(${JSON.stringify(CLI)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, 'daemon', '--data-dir', join(dir, 'data')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /"msg":"stopping","reason":"SIGTERM"/);
  t.notMatch(r.stdout, /store open|daemon started/, 'nothing was started');
});
