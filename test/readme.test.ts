import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../daemon/cli/command.js';
import { packageRoot } from '../common/package-root.js';

const root = packageRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

t.test('Quick start comes first and holds exactly the two commands', async (t) => {
  t.match(readme, /^# hushscribe\n\n[^#]+?\.\n\n## Quick start\n/, 'title, one sentence, then Quick start');
  const blocks = [...section('Quick start').matchAll(/```sh\n([\s\S]*?)```/g)];
  t.equal(blocks.length, 1);
  t.same(blocks[0]![1]!.trim().split('\n'), ['bash scripts/setup.sh', 'npm test']);
  t.equal(pkg.scripts.test, 'bash scripts/test.sh');
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .trim()
    .split('\n');
  t.same(ci, ['#!/usr/bin/env bash', 'set -euo pipefail', 'cd "$(dirname "$0")/.."', 'npm test'], '.ci/run runs the README test command');
});

t.test('every package.json dependency has a row saying why it was chosen', async (t) => {
  const table = section('Dependencies');
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
    t.match(table, new RegExp(`^\\|[^|\\n]*\`${name.replace(/[/.]/g, '\\$&')}\``, 'm'), name);
  }
});

t.test('the exit code table matches ExitCode', async (t) => {
  const table = section('Exit codes');
  for (const [name, code] of Object.entries(ExitCode)) t.match(table, `| ${code} | \`${name}\` |`, name);
  t.equal([...table.matchAll(/^\| \d+ \|/gm)].length, Object.keys(ExitCode).length, 'no stale rows');
});
