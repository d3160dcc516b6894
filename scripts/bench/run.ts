// `npm run bench -- <name> [args]`: runs one benchmark module from scripts/bench/. Every benchmark prints
// its figures as a last JSON line, as ratios against a baseline measured in the same run.
export interface Benchmark {
  /** One line for the usage text. */
  readonly description: string;
  run(args: string[]): Promise<void>;
}

const benchmarks: Record<string, () => Promise<Benchmark>> = {
  fbank: async () => (await import('./fbank.js')).benchmark,
  asr: async () => (await import('./asr.js')).benchmark,
  pipeline: async () => (await import('./pipeline.js')).benchmark,
  power: async () => (await import('./power.js')).benchmark,
  ops: async () => (await import('./ops.js')).benchmark,
  memory: async () => (await import('./memory.js')).benchmark,
  decode: async () => (await import('./decode.js')).benchmark,
  live: async () => (await import('./live.js')).benchmark,
  wyoming: async () => (await import('./wyoming.js')).benchmark,
  redact: async () => (await import('./redact.js')).benchmark,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const load = name === undefined ? undefined : benchmarks[name];
  if (load === undefined) {
    const lines = await Promise.all(Object.entries(benchmarks).map(async ([key, get]) => `  ${key.padEnd(10)} ${(await get()).description}`));
    process.stderr.write(`${name === undefined ? 'no benchmark named' : `unknown benchmark '${name}'`}\nusage: npm run bench -- <name>\n${lines.join('\n')}\n`);
    return 2;
  }
  await (await load()).run(args);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
