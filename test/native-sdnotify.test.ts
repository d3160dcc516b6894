// sdNotify against real unix datagram sockets opened by a python3 receiver (filesystem path and abstract
// name), as systemd's $NOTIFY_SOCKET would be.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NativeOptionError, sdNotify } from '../native/index.js';

const RECEIVER = `
import socket, sys
name, count = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + name[1:] if name.startswith("@") else name)
print("bound", flush=True)
for _ in range(count):
    print(repr(s.recv(4096).decode()), flush=True)
`;

const MESSAGES = ['READY=1', 'WATCHDOG=1', 'STATUS=transcribing 3 files, queue 0', 'STOPPING=1'];

/** Starts a receiver on socketName; resolves once bound, with a promise of every message it received. */
async function receiver(socketName: string, count: number): Promise<{ received: Promise<string[]> }> {
  const child = spawn('python3', ['-c', RECEIVER, socketName, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  setTimeout(() => child.kill(), 30_000).unref(); // a lost datagram must fail the test, not hang it
  const lines = createInterface({ input: child.stdout });
  const received: string[] = [];
  let bound!: () => void;
  const ready = new Promise<void>((resolve) => (bound = resolve));
  const done = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(received) : reject(new Error(`receiver exited with ${code}`))));
  });
  lines.on('line', (line) => {
    if (line === 'bound') bound();
    else received.push(line);
  });
  await Promise.race([ready, done]);
  return { received: done }; // wrapped: an async function returning the promise itself would wait for it
}

function withSocket<T>(socketName: string | undefined, fn: () => T): T {
  const saved = process.env.NOTIFY_SOCKET;
  if (socketName === undefined) delete process.env.NOTIFY_SOCKET;
  else process.env.NOTIFY_SOCKET = socketName;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.NOTIFY_SOCKET;
    else process.env.NOTIFY_SOCKET = saved;
  }
}

const socketPath = join(mkdtempSync(join(tmpdir(), 'hushscribe-notify-')), 'notify.sock');
const abstractName = `@hushscribe-test-${process.pid}-${Date.now()}`;

for (const [kind, socketName] of [
  ['filesystem path', socketPath],
  ['abstract name', abstractName],
] as const) {
  t.test(`sdNotify delivers READY, WATCHDOG, STATUS and STOPPING to a ${kind}`, async (t) => {
    const { received } = await receiver(socketName, MESSAGES.length);
    for (const message of MESSAGES)
      t.equal(
        withSocket(socketName, () => sdNotify(message)),
        true,
        `${message} sent`,
      );
    t.same(
      await received,
      MESSAGES.map((m) => `'${m}'`),
      'the receiver got every datagram, in order, unchanged',
    );
  });
}

t.test('without NOTIFY_SOCKET, sdNotify reports false and sends nothing', async (t) => {
  t.equal(
    withSocket(undefined, () => sdNotify('READY=1')),
    false,
  );
  t.equal(
    withSocket('', () => sdNotify('READY=1')),
    false,
  );
});

t.test('unusable sockets and messages get clear errors', async (t) => {
  t.throws(
    () => withSocket(join(tmpdir(), 'hushscribe-no-such-socket'), () => sdNotify('READY=1')),
    /sd_notify: sending to .*hushscribe-no-such-socket failed: No such file or directory/,
  );
  t.throws(() => withSocket('relative/notify.sock', () => sdNotify('READY=1')), /socket name must be an absolute path or start with '@'/);
  t.throws(() => withSocket(`/${'x'.repeat(200)}`, () => sdNotify('READY=1')), /socket name must be 1 to 107 characters/);
  t.throws(() => withSocket(socketPath, () => sdNotify('')), NativeOptionError);
  t.throws(() => withSocket(socketPath, () => sdNotify(42 as unknown as string)), /message = 42 is invalid; allowed: a non-empty string/);
});
