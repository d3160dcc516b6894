/**
 * The layering the code relies on (CONTRIBUTING.md, "Layout"), read from the source's import statements: no import
 * loop anywhere, and the libraries (redaction/, native/, common/) never import the daemon. Type-only imports count,
 * since a loop of types is still two rooms reaching through one wall.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../common/package-root.js';

const ROOT = packageRoot();
const SOURCE_DIRS = ['daemon', 'redaction', 'native', 'common', 'scripts'];
const LIBRARIES = ['redaction', 'native', 'common'];
/** `import ... from './x.js'`, `export ... from './x.js'` and `import('./x.js')`, relative ones only. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?\sfrom\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'build') sourceFiles(path, found);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** file -> the files it imports (relative paths from the package root). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const targets = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'));
      if (existsSync(target)) targets.add(relative(ROOT, target));
    }
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself): the import loops. */
function loops(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graph = importGraph();

t.test('the import graph is read from the source', async (t) => {
  t.ok(graph.size > 100, `${graph.size} files`);
  t.ok(graph.get('daemon/config/schema.ts')?.has('redaction/policy-schema.ts'), 'the config embeds the policy schema');
});

/**
 * The one loop allowed (issue 13): the benchmark registry loads each benchmark lazily, and each benchmark imports the
 * registry's `Benchmark` type back.
 */
const BENCHMARK_REGISTRY = 'scripts/bench/run.ts';
const isBenchmarkRegistry = (loop: string[]): boolean => loop.includes(BENCHMARK_REGISTRY) && loop.every((f) => f.startsWith('scripts/bench/'));

t.test('no import loops but the benchmark registry', async (t) => {
  const found = loops(graph);
  t.same(
    found.filter((loop) => !isBenchmarkRegistry(loop)),
    [],
  );
  t.equal(found.filter(isBenchmarkRegistry).length, 1, 'the registry loop is seen, so loops are found at all');
});

t.test('the libraries never import the daemon', async (t) => {
  const reaching = [...graph].flatMap(([file, targets]) =>
    LIBRARIES.some((l) => file.startsWith(`${l}/`))
      ? [...targets].filter((target) => target.startsWith('daemon/')).map((target) => `${file} -> ${target}`)
      : [],
  );
  t.same(reaching, []);
});
