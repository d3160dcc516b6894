import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { cli, cliAsync, daemonSetup, ensureBuilt, listTranscripts, speechFile, TINY_MODEL, waitFor } from './fixtures/daemon/harness.js';

ensureBuilt();

const { dir, daemon, watch } = daemonSetup('control', { config: { control: { idleTimeoutSec: 1 } } });
const socketPath = join(daemon.dataDir, 'control.sock');
const common = ['--data-dir', daemon.dataDir, '--config', daemon.configFile];

/** Sends raw lines on one connection and collects one response line per request line. */
function exchange(lines: string[], expect = lines.length): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    const out: Record<string, unknown>[] = [];
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(lines.map((l) => `${l}\n`).join('')));
    socket.on('data', (text: string) => {
      buffer += text;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        out.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
      if (out.length >= expect) {
        socket.end();
        resolve(out);
      }
    });
    socket.on('error', reject);
  });
}

t.test('without a daemon: status says so, config errors are named', async (t) => {
  const status = cli(['status', ...common]);
  t.equal(status.code, 4);
  t.match(status.stdout, 'daemon: not running');
  const statusJson = cli(['status', '--json', ...common]);
  t.same(JSON.parse(statusJson.stdout), { running: false, database: join(daemon.dataDir, 'hushscribe.db'), recordings: null });
  const list = cli(['transcripts', 'list', ...common]);
  t.equal(list.code, 4, 'no database yet');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'vad:\n  threshold: 3\npower:\n  mode: turbo\n');
  const validate = cli(['config', 'validate', '--config', bad]);
  t.equal(validate.code, 3);
  t.match(validate.stderr, 'vad.threshold: must be <= 1 (got 3)');
  t.match(validate.stderr, 'power.mode: must be one of dense, sparse, auto (got "turbo")');
  const validateJson = cli(['config', 'validate', '--json', '--config', bad]);
  t.equal(JSON.parse(validateJson.stdout).issues.length, 2);
  const fromEnv = cli(['daemon', ...common], { HUSHSCRIBE_VAD_THRESHOLD: '3' });
  t.equal(fromEnv.code, 3, 'the daemon refuses a bad config');
  t.match(fromEnv.stderr, 'vad.threshold (from HUSHSCRIBE_VAD_THRESHOLD): must be <= 1 (got 3)');
  t.equal(cli(['config', 'validate', ...common]).code, 0);
  t.equal(cli(['transcripts', 'frobnicate', ...common]).code, 2);
  const env = cli(['config', 'env']);
  t.match(env.stdout, /HUSHSCRIBE_SOURCES_WATCH_SETTLE_MS\s+sources\.watch\.settleMs/);
});

t.test('the daemon starts and listens on a 0660 socket', async (t) => {
  daemon.start();
  await daemon.ready();
  t.equal(statSync(socketPath).mode & 0o777, 0o660);
  const status = cli(['status', ...common]);
  t.equal(status.code, 0);
  t.match(status.stdout, /daemon: running \(pid \d+/);
  t.match(status.stdout, 'model hushscribe-tiny/dense');
  const again = cli(['daemon', ...common]);
  t.equal(again.code, 1, 'a second daemon on the same data folder refuses to start');
  t.match(again.stdout, /another hushscribe daemon \(pid \d+\) is running/);
  t.equal(cli(['status', ...common]).code, 0, 'and leaves the first one alone');
});

t.test('pause and resume from the CLI; status shows paused', async (t) => {
  const paused = cli(['pause', ...common]);
  t.equal(paused.code, 0, paused.stderr);
  t.match(paused.stdout, /^paused/);
  t.match(cli(['status', ...common]).stdout, /pipeline: \w+, paused \(hushscribe resume\)/);
  t.match(JSON.parse(cli(['status', '--json', ...common]).stdout), { pipeline: { paused: true } });
  t.same(JSON.parse(cli(['resume', '--json', ...common]).stdout), { paused: false });
  t.notMatch(cli(['status', ...common]).stdout, /paused/);
});

t.test('an idle control connection is closed (control.idleTimeoutSec)', async (t) => {
  const socket = createConnection(socketPath);
  const closed = await new Promise<boolean>((resolve) => {
    socket.on('close', () => resolve(true));
    socket.on('error', () => resolve(true));
  });
  t.ok(closed, 'the daemon closed a connection that sent nothing');
  t.match((await exchange(['{"id": 1, "method": "ping"}']))[0], { ok: true }, 'and still serves new ones');
});

t.test('malformed control requests get error responses, never a crash', async (t) => {
  const responses = await exchange([
    'not json',
    '[1, 2]',
    '{"method": "ping"}',
    '{"id": 2, "method": "nope"}',
    '{"id": 3, "method": "recordings.get", "params": {"id": 5}}',
    '{"id": 4, "method": "recordings.list", "params": {"limit": -1}}',
    '{"id": 5, "method": "search", "params": {"query": "   "}}',
    '{"id": 6, "method": "recordings.get", "params": {"id": "nope"}}',
    '{"id": 7, "method": "ingest", "params": {"path": "relative.wav"}}',
    '{"id": 8, "method": "ping", "params": []}',
    '{"id": "__proto__", "method": "toString"}',
    '{"id": 9, "method": "ping"}',
  ]);
  const codes = responses.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code));
  t.same(codes, [
    'BAD_REQUEST',
    'BAD_REQUEST',
    'BAD_REQUEST',
    'UNKNOWN_METHOD',
    'BAD_PARAMS',
    'BAD_PARAMS',
    'BAD_PARAMS',
    'NOT_FOUND',
    'BAD_PARAMS',
    'BAD_REQUEST',
    'UNKNOWN_METHOD',
    'ok',
  ]);
  t.equal(responses[0]!.id, null);
  t.equal(responses[3]!.id, 2);
  t.match((responses[0]!.error as { message: string }).message, 'not valid JSON');
  const huge = await exchange([`{"id": 1, "method": "ping", "params": {"x": "${'a'.repeat(1_100_000)}"}}`], 1);
  t.match(huge[0], { ok: false, error: { code: 'BAD_REQUEST' } });
  t.match((await exchange(['{"id": 10, "method": "ping"}']))[0], { id: 10, ok: true, result: { pong: true } }, 'still serving');
  const wav = join(dir, 'hotwords-request.wav');
  writeFileSync(wav, readFileSync(speechFile(join(dir, 'hotwords-src.wav'), 'Hello there.')));
  const hot = await exchange([
    JSON.stringify({ id: 11, method: 'ingest', params: { path: wav, hotwords: 'anna' } }),
    JSON.stringify({ id: 12, method: 'ingest', params: { path: wav, hotwords: [{ phrase: 'anna', boost: -1 }] } }),
    JSON.stringify({ id: 13, method: 'ingest', params: { path: wav, hotwords: [{ phrase: '東京' }] } }),
  ]);
  t.same(
    hot.map((r) => (r.error as { code: string }).code),
    ['BAD_PARAMS', 'BAD_PARAMS', 'BAD_PARAMS'],
    'per-request hotwords are checked',
  );
  t.match((hot[1]!.error as { message: string }).message, 'hotwords[0].boost must be a number in (0, 20]');
});

t.test('ingest hands files to the daemon and follows them to the end', async (t) => {
  const long = speechFile(
    join(dir, 'long.wav'),
    Array.from({ length: 6 }, () => 'This is a longer recording, so that the progress bar has something to show.').join(' '),
  );
  const first = await cliAsync(['ingest', long, '--progress', ...common]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /long\.wav: done, \d+ segments, \d+\.\d s \(id f[0-9a-f]{24}\)/);
  t.match(first.stderr, /long\.wav \[#+\s*\]\s+100% /);
  const again = await cliAsync(['ingest', long, '--json', ...common]);
  t.equal(again.code, 0);
  const json = JSON.parse(again.stdout) as { created: boolean; recording: { status: string; source: string } };
  t.equal(json.created, false, 'the same file is not transcribed twice');
  t.equal(json.recording.source, 'watch', 'copied into the watch folder, which the daemon can read under ProtectHome');
  t.ok(existsSync(long), 'ingested files stay where they are');
  await waitFor(() => !existsSync(join(watch, 'long.wav')), 30_000, 'the copy deleted once transcribed');
  const missing = await cliAsync(['ingest', join(dir, 'missing.wav'), ...common]);
  t.equal(missing.code, 3);
  t.match(missing.stderr, 'cannot read');
  writeFileSync(join(dir, 'text.wav'), 'not audio at all\n');
  const bad = await cliAsync(['ingest', join(dir, 'text.wav'), ...common]);
  t.equal(bad.code, 3);
  t.match(bad.stdout, /failed \[NOT_AUDIO\]/);
  const badId = (
    JSON.parse(
      cli(['transcripts', 'list', '--json', ...common])
        .stdout.trim()
        .split('\n')
        .find((l) => l.includes('text.wav'))!,
    ) as { id: string }
  ).id;
  const retry = cli(['retry', badId, ...common]);
  t.equal(retry.code, 3, 'its copy was deleted: nothing to retry');
  t.match(retry.stderr, /has no audio file left/);
  t.match(cli(['retry', '--failed', ...common]).stdout, 'no failed recording with its audio still there');
  t.equal(cli(['retry', ...common]).code, 2);
});

t.test('the socket ingests files in the watch folder only, never through a symlink, and does not reveal what exists', async (t) => {
  const ask = async (path: string) => (await exchange([JSON.stringify({ id: 1, method: 'ingest', params: { path } })]))[0]!;
  const secret = join(dir, 'secret.key');
  writeFileSync(secret, 'a private key\n');
  const existing = await ask(secret);
  const missing = await ask(join(dir, 'no-such-file'));
  t.match(existing, { ok: false, error: { code: 'BAD_PARAMS', message: /watch folder only/ } });
  t.same((existing.error as { message: string }).message, (missing.error as { message: string }).message, 'the same answer whether the file exists or not');
  t.notOk(JSON.stringify(existing).includes('secret.key'), 'the path is not echoed');
  symlinkSync(secret, join(watch, '.link.wav'));
  t.match(await ask(join(watch, '.link.wav')), { ok: false, error: { code: 'BAD_PARAMS', message: /cannot read .*ELOOP/ } }, 'O_NOFOLLOW');
  t.equal(daemon.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE file_name IN ('secret.key', '.link.wav')")[0]!.n, 0, 'nothing queued');
});

t.test('transcripts show, search and export', async (t) => {
  const lines = listTranscripts(daemon);
  const long = lines.find((l) => l.fileName === 'long.wav')!;
  t.ok(long.segments >= 2);
  const show = cli(['transcripts', 'show', long.id, ...common]);
  t.equal(show.code, 0);
  t.match(show.stdout, /^\[00:00:\d\d\.\d{3} - 00:00:\d\d\.\d{3}\] /m);
  t.equal(cli(['transcripts', 'show', 'fnope', ...common]).code, 3);
  const jsonl = cli(['transcripts', 'export', long.id, '--format', 'jsonl', ...common])
    .stdout.trim()
    .split('\n');
  t.equal(jsonl.length, long.segments);
  t.same(
    jsonl.map((l) => (JSON.parse(l) as { seq: number }).seq),
    [...Array(long.segments).keys()],
  );
  const csv = cli(['transcripts', 'export', '--format', 'csv', ...common]).stdout.split('\n');
  t.equal(csv[0], 'recording_id,file_name,seq,start,end,text');
  t.equal(csv.filter(Boolean).length, 1 + long.segments, 'every finished recording (only long.wav here)');
  const srt = cli(['transcripts', 'export', long.id, '--format', 'srt', ...common]).stdout;
  t.match(srt, /^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n.+\n\n2\n/);
  const out = join(dir, 'long.vtt');
  t.equal(cli(['transcripts', 'export', long.id, '--format', 'vtt', '--output', out, ...common]).code, 0);
  t.match(readFileSync(out, 'utf8'), /^WEBVTT\n\n00:00:\d\d\.\d{3} --> /);
  t.equal(cli(['transcripts', 'export', '--format', 'srt', ...common]).code, 2, 'srt needs one recording');
  t.equal(cli(['transcripts', 'search', ...common]).code, 2);
  t.equal(cli(['transcripts', 'search', 'AND', '--json', ...common]).code, 0, 'FTS syntax is just words');
});

t.test('config set: atomic, validated, says what needs a restart', async (t) => {
  const set = cli(['config', 'set', 'vad.threshold', '0.6', ...common]);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, 'vad.threshold: 0.5 -> 0.6');
  t.match(set.stdout, 'restart the daemon');
  const hot = cli(['config', 'set', 'store.retention.maxAgeDays', '30', '--json', ...common]);
  t.match(JSON.parse(hot.stdout), { path: 'store.retention.maxAgeDays', restartRequired: false, applied: true });
  const before = readFileSync(daemon.configFile, 'utf8');
  const bad = cli(['config', 'set', 'vad.threshold', '2', ...common]);
  t.equal(bad.code, 3);
  t.match(bad.stderr, 'vad.threshold: must be <= 1 (got 2)');
  t.equal(readFileSync(daemon.configFile, 'utf8'), before, 'file unchanged');
  t.equal(cli(['config', 'get', 'vad.threshold', ...common]).stdout, '0.6\n');
  t.match(JSON.parse(cli(['config', 'get', '--json', ...common]).stdout), { asr: { modelDir: TINY_MODEL }, store: { retention: { maxAgeDays: 30 } } });
  t.equal(cli(['config', 'get', 'vad.nope', ...common]).code, 3);
});

t.test('models and doctor', async (t) => {
  const list = cli(['models', 'list', '--json', ...common]);
  t.equal(list.code, 0);
  const rows = list.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { configured?: boolean; name: string; kind?: string; ok?: boolean });
  t.ok(rows.some((r) => r.configured));
  t.match(
    rows.find((r) => r.kind === 'pii-tagger'),
    { name: 'hushscribe-pii-tagger-v1', ok: true },
    'the PII tagger is listed apart from the speech models',
  );
  t.match(cli(['models', 'list', ...common]).stdout, /pii tagger {2}tagger\.int8\.onnx/);
  const verify = cli(['models', 'verify', '--variant', 'dense', ...common]);
  t.equal(verify.code, 0);
  t.match(verify.stdout, /^ok\s+dense/);
  const corrupt = cli(['models', 'verify', '--variant', 'corrupt', ...common]);
  t.equal(corrupt.code, 1);
  t.match(corrupt.stdout, 'MISMATCH corrupt');
  t.equal(cli(['models', 'verify', '--model', join(dir, 'nowhere'), ...common]).code, 3);
  const doctor = cli(['doctor', '--json', ...common]);
  const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
  const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  t.match(byName, { ffmpeg: 'ok', ffprobe: 'ok', database: 'ok', daemon: 'ok', 'vad model': 'ok', 'pii tagger': 'ok' });
  t.equal(byName['model files'], 'fail', 'the tiny fixture has a deliberately corrupt variant');
  t.equal(doctor.code, 1);
});

t.test('SIGTERM stops the daemon cleanly', async (t) => {
  t.equal(await daemon.kill('SIGTERM'), 0);
  t.ok(daemon.logs().some((l) => l.msg === 'daemon stopped'));
  t.notOk(existsSync(socketPath), 'socket removed');
  const list = cli(['transcripts', 'list', '--json', ...common]);
  t.equal(list.code, 0, 'read-only commands work without the daemon');
  t.equal(cli(['status', ...common]).code, 4);
});

t.test('systemd notifications: READY, watchdog pings, STOPPING', async (t) => {
  const notifySocket = join(dir, 'notify.sock');
  const listener = spawn('python3', [
    '-u',
    '-c',
    [
      'import socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      's.bind(sys.argv[1])',
      "print('BOUND', flush=True)",
      'while True:',
      '    print(repr(s.recv(65536).decode()), flush=True)',
    ].join('\n'),
    notifySocket,
  ]);
  t.teardown(() => listener.kill());
  let received = '';
  listener.stdout.on('data', (d: Buffer) => (received += d.toString()));
  await waitFor(() => received.includes('BOUND'), 30_000, 'notify listener');
  daemon.start([], { NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '1000000' });
  await daemon.ready();
  await waitFor(() => received.includes('READY=1'), 30_000, 'READY=1');
  t.match(received, /STATUS=pipeline idle; \d+ queued, \d+ done, \d+ failed/);
  await waitFor(() => (received.match(/WATCHDOG=1/g) ?? []).length >= 2, 30_000, 'watchdog pings');
  t.equal(await daemon.kill('SIGTERM'), 0);
  await waitFor(() => received.includes('STOPPING=1'), 30_000, 'STOPPING=1');
  t.pass('READY, WATCHDOG and STOPPING received');
});
