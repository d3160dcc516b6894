#!/usr/bin/env node
// Entry point for `npx hushscribe`: runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = join(root, 'dist', 'daemon', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`hushscribe: not built yet (${main} is missing). Run: npm run build\n`);
  process.exit(4);
}
const { runCli } = await import(pathToFileURL(main).href);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
