import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Controller } from '../daemon/controller.js';
import { SystemdNotifier } from '../daemon/systemd-notifier.js';
import { validateConfig } from '../daemon/config/load.js';
import { request } from '../daemon/control/client.js';
import { Logger } from '../daemon/log/logger.js';
import { speechFile, tempDir, TINY_MODEL, waitFor } from './fixtures/daemon/harness.js';

function setup(name: string, config: Record<string, unknown>) {
  const dir = tempDir(name);
  const lines: Record<string, unknown>[] = [];
  const log = new Logger({ level: 'debug', sink: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } });
  const cfg = validateConfig({ dataDir: join(dir, 'data'), ...config });
  const controller = new Controller({ config: cfg, configFile: null, log });
  return { dir, controller, lines, socket: join(dir, 'data', 'control.sock') };
}

t.test('a feature that fails to start is reported, and the rest of the daemon keeps working', async (t) => {
  const { dir, controller, lines, socket } = setup('ctl-degraded', { asr: { modelDir: '/nonexistent/model' }, sources: { watch: { dir: 'placeholder' } } });
  controller.currentConfig.sources.watch.dir = join(dir, 'in');
  await controller.start();
  t.teardown(() => controller.stop());
  const features = controller.featureStates();
  t.equal(features.pipeline!.state, 'failed');
  t.match(features.pipeline!.error, /nonexistent/);
  t.equal(features.control!.state, 'running');
  t.equal(features.watch!.state, 'running');
  t.ok(lines.some((l) => l.msg === 'feature failed to start; the daemon carries on without it' && l.feature === 'pipeline'));
  const status = await request<{ pipeline: { state: string; healthy: boolean }; features: Record<string, { state: string }> }>(socket, 'status');
  t.equal(status.pipeline.state, 'down');
  t.equal(status.pipeline.healthy, true, 'a pipeline that is down is not stalled: no restart loop over a missing model');
  t.match(controller.statusLine(), 'degraded: pipeline failed');
  // Files still queue (and wait for a model) rather than being lost.
  speechFile(join(dir, 'in', 'queued.wav'), 'Waiting for a model.');
  await waitFor(() => controller.store.countByStatus().queued === 1, 60_000, 'queued');
});

t.test('a missing PII tagger stops the pipeline (never a rules-only fallback), not the daemon', async (t) => {
  const { dir, controller } = setup('ctl-no-tagger', {
    asr: { modelDir: TINY_MODEL },
    redaction: { tagger: { modelDir: '/nonexistent/tagger' } },
    sources: { watch: { dir: 'placeholder', pollMs: 100, settleMs: 0 } },
  });
  controller.currentConfig.sources.watch.dir = join(dir, 'in');
  await controller.start();
  t.teardown(() => controller.stop());
  const features = controller.featureStates();
  t.equal(features.pipeline!.state, 'failed');
  t.match(features.pipeline!.error, /PII tagger \/nonexistent\/tagger\/manifest\.json: cannot read the manifest/);
  t.equal(features.control!.state, 'running');
  speechFile(join(dir, 'in', 'waits.wav'), 'Waiting for the tagger.');
  await waitFor(() => controller.store.countByStatus().queued === 1, 60_000, 'queued, not transcribed without its redactor');
  t.equal(controller.store.countByStatus().done ?? 0, 0);
});

t.test('in-process pipeline: transcribes, stops mid-recording and re-queues it', async (t) => {
  const { dir, controller, lines } = setup('ctl-pipeline', {
    asr: { modelDir: TINY_MODEL },
    sources: { watch: { dir: 'placeholder', pollMs: 100, settleMs: 0 } },
  });
  const watch = join(dir, 'in');
  controller.currentConfig.sources.watch.dir = watch;
  mkdirSync(watch, { recursive: true });
  await controller.start();
  const src = speechFile(join(dir, 'one.wav'), 'A recording transcribed inside the test process, then deleted from the watch folder.');
  copyFileSync(src, join(watch, 'one.wav'));
  await waitFor(() => controller.store.countByStatus().done === 1 && !existsSync(join(watch, 'one.wav')), 120_000, 'done and deleted');
  t.equal(controller.pipeline.health().state, 'idle');
  t.ok(controller.pipeline.health().healthy);
  const long = speechFile(
    join(dir, 'long.wav'),
    Array.from({ length: 12 }, () => 'A long recording that is still being transcribed when the daemon stops.').join(' '),
  );
  copyFileSync(long, join(watch, 'long.wav'));
  await waitFor(() => controller.pipeline.health().state === 'busy', 60_000, 'busy');
  await controller.stop();
  t.ok(lines.some((l) => l.msg === 'daemon stopped'));
  const { Store } = await import('../daemon/store/store.js');
  const store = new Store(join(dir, 'data', 'hushscribe.db'), { readonly: true });
  const rec = store.list().find((r) => r.fileName === 'long.wav')!;
  t.equal(rec.status, 'queued', 'the interrupted recording is back in the queue');
  store.close();
  t.ok(existsSync(join(watch, 'long.wav')), 'and its file is still there');
});

t.test('config reload applies retention and names what needs a restart', async (t) => {
  const { dir, controller } = setup('ctl-reload', { asr: { modelDir: '/nonexistent' } });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `dataDir: ${join(dir, 'data')}\nasr:\n  modelDir: /nonexistent\nstore:\n  retention:\n    maxAgeDays: 7\nvad:\n  threshold: 0.7\n`);
  const reloading = new Controller({ config: controller.currentConfig, configFile: file, log: new Logger({ sink: { write: () => true } }) });
  await reloading.start();
  t.teardown(() => reloading.stop());
  const result = reloading.reloadConfig();
  t.same(result.applied, ['store.retention.maxAgeDays']);
  t.same(result.restartRequired, ['vad.threshold']);
  t.equal(reloading.currentConfig.store.retention.maxAgeDays, 7);
  t.equal(reloading.currentConfig.vad.threshold, 0.5, 'restart-only options are not half-applied');
});

t.test('watchdog pings follow health, not a timer', async (t) => {
  const dir = tempDir('notifier');
  const socket = join(dir, 'notify.sock');
  const listener = spawn('python3', [
    '-u',
    '-c',
    'import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("BOUND", flush=True)\nwhile True:\n    print(repr(s.recv(65536).decode()), flush=True)',
    socket,
  ]);
  t.teardown(() => listener.kill());
  let received = '';
  listener.stdout.on('data', (d: Buffer) => (received += d.toString()));
  await waitFor(() => received.includes('BOUND'), 30_000, 'listener');
  const saved = { NOTIFY_SOCKET: process.env.NOTIFY_SOCKET, WATCHDOG_USEC: process.env.WATCHDOG_USEC };
  process.env.NOTIFY_SOCKET = socket;
  process.env.WATCHDOG_USEC = '200000';
  t.teardown(() => Object.assign(process.env, saved));
  let healthy = false;
  let statusText = 'testing';
  const lines: Record<string, unknown>[] = [];
  const notifier = new SystemdNotifier(
    () => statusText,
    () => healthy,
    new Logger({ sink: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } }),
  );
  notifier.start();
  notifier.ready();
  await waitFor(() => lines.some((l) => l.msg === 'pipeline stalled; withholding watchdog pings so systemd restarts the service'), 30_000, 'stall noticed');
  t.notOk(received.includes('WATCHDOG=1'), 'no pings while stalled');
  t.match(received, 'READY=1\\nSTATUS=testing');
  statusText = 'pipeline blocked';
  await waitFor(() => received.includes("'STATUS=pipeline blocked'"), 30_000, 'STATUS= still sent while unhealthy');
  t.notOk(received.includes('WATCHDOG=1'));
  healthy = true;
  await waitFor(() => received.includes('WATCHDOG=1'), 30_000, 'pings resume');
  notifier.stopping();
  notifier.stop();
  await waitFor(() => received.includes('STOPPING=1'), 30_000, 'STOPPING');
});
