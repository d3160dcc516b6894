import t from 'tap';
import { createLogger, Logger, type LogSink } from '../daemon/log/logger.js';

function capture(): LogSink & { lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  return {
    write: (line: string) => written.push(line),
    lines: () =>
      written.map((l) => {
        if (!l.endsWith('\n') || l.slice(0, -1).includes('\n')) throw new Error(`not one JSON line: ${l}`);
        return JSON.parse(l) as Record<string, unknown>;
      }),
  };
}

const now = () => new Date('2026-01-02T03:04:05.678Z');
// Plain lines unless a test asks for journald's priority prefix.
delete process.env.JOURNAL_STREAM;

t.test('writes one JSON object per line with level, time, module, msg and fields', async (t) => {
  const sink = capture();
  const log = createLogger({ sink, now, module: 'audio' });
  log.info('decoded file', { file: 'a.wav', durationSec: 2.5 });
  t.same(sink.lines(), [{ level: 'info', time: '2026-01-02T03:04:05.678Z', module: 'audio', msg: 'decoded file', file: 'a.wav', durationSec: 2.5 }]);
});

t.test('levels below the threshold are dropped', async (t) => {
  const sink = capture();
  const log = new Logger({ sink, now, level: 'warn' });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  t.same(
    sink.lines().map((l) => l.level),
    ['warn', 'error'],
  );
  t.equal(log.isLevelEnabled('info'), false);
  t.equal(log.isLevelEnabled('error'), true);
  const verbose = new Logger({ sink, level: 'debug' });
  verbose.debug('now visible');
  t.equal(sink.lines().at(-1)!.msg, 'now visible');
});

t.test('the level comes from HUSHSCRIBE_LOG_LEVEL unless given, and is validated', async (t) => {
  const saved = process.env.HUSHSCRIBE_LOG_LEVEL;
  t.teardown(() => {
    if (saved === undefined) delete process.env.HUSHSCRIBE_LOG_LEVEL;
    else process.env.HUSHSCRIBE_LOG_LEVEL = saved;
  });
  process.env.HUSHSCRIBE_LOG_LEVEL = 'error';
  t.equal(new Logger().level, 'error');
  t.equal(new Logger({ level: 'debug' }).level, 'debug');
  delete process.env.HUSHSCRIBE_LOG_LEVEL;
  t.equal(new Logger().level, 'info');
  t.throws(() => new Logger({ level: 'loud' as never }), { name: 'RangeError', message: /one of debug, info, warn, error, got "loud"/ });
});

t.test('child loggers inherit sink, level and fields, and name their module', async (t) => {
  const sink = capture();
  const root = createLogger({ sink, now, level: 'debug', fields: { service: 'hushscribe' } });
  const job = root.child('asr', { job: 7 });
  job.debug('chunk', { frames: 3 });
  job.child(undefined, { chunk: 1 }).info('same module');
  root.info('root');
  t.same(sink.lines(), [
    { level: 'debug', time: '2026-01-02T03:04:05.678Z', module: 'asr', msg: 'chunk', service: 'hushscribe', job: 7, frames: 3 },
    { level: 'info', time: '2026-01-02T03:04:05.678Z', module: 'asr', msg: 'same module', service: 'hushscribe', job: 7, chunk: 1 },
    { level: 'info', time: '2026-01-02T03:04:05.678Z', msg: 'root', service: 'hushscribe' },
  ]);
});

t.test('fields named text or transcript are withheld; envelope keys cannot be overwritten', async (t) => {
  const sink = capture();
  const log = createLogger({ sink, now });
  log.info('segment stored', { text: 'hi this is john smith', Transcript: 'my card number is', msg: 'spoofed', level: 'error', words: 4 });
  const [line] = sink.lines();
  t.same(line, {
    level: 'info',
    time: '2026-01-02T03:04:05.678Z',
    msg: 'segment stored',
    text: '[withheld]',
    Transcript: '[withheld]',
    field_msg: 'spoofed',
    field_level: 'error',
    words: 4,
  });
  t.notMatch(JSON.stringify(line), /john|card/);
});

t.test('a logger can withhold more fields (file names), and its children too', async (t) => {
  const sink = capture();
  const log = createLogger({ sink, now, withheld: ['fileName'] });
  log
    .child('watch', { source: 'watch' })
    .info('recording queued', { recordingId: 'abc', FILENAME: 'john-smith-call.wav', fileName: 'john-smith-call.wav', text: 'x' });
  const [line] = sink.lines();
  t.match(line, { module: 'watch', recordingId: 'abc', fileName: '[withheld]', FILENAME: '[withheld]', text: '[withheld]' });
  t.notMatch(JSON.stringify(line), /john/);
  const open = capture();
  createLogger({ sink: open, now }).info('recording queued', { fileName: 'a.wav' });
  t.match(open.lines()[0], { fileName: 'a.wav' }, 'shown when not withheld');
});

t.test('values JSON cannot express are logged safely', async (t) => {
  const sink = capture();
  const log = createLogger({ sink, now });
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const err = Object.assign(new Error('ffmpeg missing'), { code: 'FFMPEG_MISSING' });
  log.error('failed', { err, plain: new TypeError('bad option'), big: 12n, cyclic });
  t.same(sink.lines()[0], {
    level: 'error',
    time: '2026-01-02T03:04:05.678Z',
    msg: 'failed',
    err: { name: 'Error', message: 'ffmpeg missing', code: 'FFMPEG_MISSING' },
    plain: { name: 'TypeError', message: 'bad option' },
    big: '12',
    cyclic: { name: 'loop', self: '[circular]' },
  });
});

t.test('writes to stdout by default with the real clock', async (t) => {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof process.stdout.write;
  try {
    createLogger({ module: 'cli' }).info('hello');
  } finally {
    process.stdout.write = write;
  }
  const line = JSON.parse(chunks[0]!) as { time: string; msg: string };
  t.equal(line.msg, 'hello');
  t.ok(Math.abs(Date.parse(line.time) - Date.now()) < 60_000);
});

t.test('under systemd, lines carry a syslog priority prefix for journald', async (t) => {
  const written: string[] = [];
  const sink = { write: (line: string) => written.push(line) };
  process.env.JOURNAL_STREAM = '8:12345';
  t.teardown(() => {
    delete process.env.JOURNAL_STREAM;
  });
  const log = createLogger({ sink, now, level: 'debug' });
  log.error('e');
  log.child('vad').warn('w');
  log.info('i');
  log.debug('d');
  t.same(
    written.map((l) => l.slice(0, 3)),
    ['<3>', '<4>', '<6>', '<7>'],
  );
  t.same(JSON.parse(written[1]!.slice(3)), { level: 'warn', time: '2026-01-02T03:04:05.678Z', module: 'vad', msg: 'w' });
  createLogger({ sink, now, priorityPrefix: false }).info('plain');
  t.equal(written.at(-1)![0], '{');
});
