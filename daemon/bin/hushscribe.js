#!/usr/bin/env node
// Entry point for `npx hushscribe`: runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The daemon answers SIGTERM/SIGINT with a clean stop. Until its handlers are in place (loading the CLI takes a
// moment) a signal is only noted here, and the daemon stops cleanly as soon as it can (exit 0, as systemd expects);
// exiting from inside module loading instead would reset the handlers and let a second signal kill the process.
// SIGHUP (reload) is ignored until then.
if (process.argv[2] === 'daemon') {
  const EARLY_SIGNAL = Symbol.for('hushscribe.daemon.earlySignal');
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => (globalThis[EARLY_SIGNAL] ??= signal));
  process.on('SIGHUP', () => undefined);
}

// The daemon's main thread handles small messages and requests: by default V8 doubles its young generation up to
// 16 MB semi-spaces (32 MB resident) under load and keeps them. Growing by 1x keeps them at 1 MB. Set at run time,
// so it applies however node is started (systemd's ExecStart, npx, a benchmark); process-wide, workers too.
if (process.argv[2] === 'daemon') setFlagsFromString('--semi-space-growth-factor=1');

// `hushscribe ... | head`: the reader is gone, so stop quietly as other Unix tools do, without an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'dist', 'daemon', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`hushscribe: not built yet (${main} is missing). Run: npm run build\n`);
  process.exit(4);
}
const { runCli } = await import(pathToFileURL(main).href);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
