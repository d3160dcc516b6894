import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, daemonSetup, ensureBuilt, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';

ensureBuilt();

interface Rec {
  id: string;
  source: string;
  file_name: string;
  status: string;
  error_code: string | null;
  duration_sec: number | null;
}

t.test('command source: live audio is transcribed and redacted per session', async (t) => {
  const tone = join(daemonSetup('live-src').dir, 'pii.wav');
  writeFileSync(tone, wavBytes(toneSamples('my name is john smith')));
  // -re: ffmpeg plays the file at its real speed, as a capture device would.
  const argv = ['ffmpeg', '-v', 'error', '-re', '-i', tone, '-f', 'wav', 'pipe:1'];
  const { daemon } = daemonSetup('live-cmd', { config: { sources: { watch: { dir: null }, command: { argv } }, vad: { enabled: false } } });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready();
  const rec = await waitFor(
    () => daemon.query<Rec>("SELECT * FROM recordings WHERE source = 'command' AND status = 'done'")[0],
    120_000,
    'a finished command session',
  );
  t.equal(rec.file_name, 'ffmpeg');
  t.match(rec.id, /^s[0-9a-f]{24}$/);
  t.ok(rec.duration_sec! > 7, `session holds the whole clip (${rec.duration_sec} s)`);
  const segs = daemon.query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ? ORDER BY seq', rec.id);
  t.same(
    segs.map((s) => s.text),
    ['my name is [PERSON]'],
  );
  t.notOk(/john|smith/i.test(daemon.output), 'no raw name in the logs');
  // The command ended, so the source restarts it (with back-off) instead of giving up.
  await waitFor(() => daemon.logs().some((l) => l.msg === 'live capture stopped; restarting'), 60_000, 'restart');
  const status = JSON.parse(cli(['status', '--json', '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout) as {
    features: Record<string, { state: string }>;
  };
  t.equal(status.features.command!.state, 'running');
});

t.test('microphone source: sessions, a bad device, and kill -9 in a session', async (t) => {
  // ALSA's null device captures silence: a real arecord process, no sound card needed.
  const { daemon } = daemonSetup('live-mic', { config: { sources: { watch: { dir: null }, mic: { device: 'null' } } } });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready();
  const session = await waitFor(
    () => daemon.query<Rec & { progress_sec: number }>("SELECT * FROM recordings WHERE source = 'mic' AND progress_sec >= 2")[0],
    60_000,
    'mic session progress',
  );
  t.equal(session.status, 'processing');
  t.equal(session.file_name, 'null');
  const status = cli(['status', '--data-dir', daemon.dataDir, '--config', daemon.configFile]);
  t.match(status.stdout, /^mic: capturing \(session s[0-9a-f]{24}, \d+ s heard\)$/m);

  await daemon.kill('SIGKILL');
  daemon.start();
  await daemon.ready();
  const closed = daemon.query<Rec>('SELECT * FROM recordings WHERE id = ?', session.id)[0]!;
  t.equal(closed.status, 'done', 'a session cut off by kill -9 is closed, not re-queued');
  t.equal(closed.error_code, 'INTERRUPTED');

  t.equal(await daemon.kill('SIGTERM'), 0);
  const sessions = daemon.query<Rec>("SELECT * FROM recordings WHERE source = 'mic' ORDER BY created_at");
  t.ok(sessions.length >= 2);
  t.ok(
    sessions.every((s) => s.status === 'done'),
    'SIGTERM stores the running session',
  );
  t.equal(sessions.at(-1)!.error_code, null);
  t.same(daemon.query('SELECT * FROM segments'), [], 'silence has no segments');

  const bad = daemonSetup('live-bad', { config: { sources: { watch: { dir: null }, mic: { device: 'no-such-device' } } } });
  t.teardown(() => bad.daemon.kill());
  bad.daemon.start();
  await bad.daemon.ready();
  await waitFor(() => bad.daemon.logs().some((l) => l.msg === 'live capture stopped; restarting'), 60_000, 'capture failure logged');
  const s = JSON.parse(cli(['status', '--json', '--data-dir', bad.daemon.dataDir, '--config', bad.daemon.configFile]).stdout) as {
    running: boolean;
    live: { mic: { state: string; lastError: string } };
  };
  t.equal(s.running, true, 'the daemon stays up');
  t.match(s.live.mic.lastError, /capture stopped \(exit 1\)/);
});
