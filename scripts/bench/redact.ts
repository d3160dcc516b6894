// How fast `hushscribe redact` redacts: sentences per CPU-second, i.e. per core (Node's main thread, onnxruntime
// with one thread; CPU time of the process, so other load on a shared machine does not count) for the shipped detectors (rules + neural tagger), against the rules alone measured in the same run on
// the same sentences. The sentences: the three held-out evaluation sets (every type, several entities a line)
// and real transcripts (../shared/data/speech.tsv, when present), each redacted as its own line, as
// `hushscribe redact` does without --session. Target: >= 1,000 sentences/s/core (issue 14).
//   npm run bench -- redact [--seconds N]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SessionRedactor, type SessionOptions } from '../../redaction/session.js';
import { PiiTagger } from '../../redaction/tagger.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { heldOutSet } from '../eval/redaction.js';
import type { Benchmark } from './run.js';

function sentences(): string[] {
  const lines = (['heldout', 'fresh', 'blind'] as const).flatMap((set) => heldOutSet(11, 10, 60, 0, set).map((s) => s.text));
  const tsv = join(sharedSpeechDir(), 'speech.tsv');
  if (existsSync(tsv))
    lines.push(
      ...readFileSync(tsv, 'utf8')
        .split('\n')
        .slice(1, 1001)
        .map((row) => row.split('\t')[3] ?? '')
        .filter(Boolean),
    );
  return lines;
}

/** Sentences per CPU-second over at least `seconds` of CPU time, whole passes over `lines`. */
async function rate(lines: string[], detectors: SessionOptions, seconds: number): Promise<{ sentences: number; perSec: number }> {
  const session = new SessionRedactor({}, detectors);
  let done = 0;
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  const started = process.cpuUsage();
  while (cpuSeconds(started) < seconds || done === 0) {
    for (const line of lines) {
      await session.redact(line);
      session.end();
    }
    done += lines.length;
  }
  return { sentences: done, perSec: Math.round(done / cpuSeconds(started)) };
}

export const benchmark: Benchmark = {
  description: 'sentences/s/core of the redactor (rules + tagger) vs the rules alone, held-out sets + real transcripts',
  async run(args: string[]): Promise<void> {
    const { values } = parseArgs({ args, options: { seconds: { type: 'string', default: '5' } } });
    const seconds = Number(values.seconds);
    if (!(seconds > 0)) throw new RangeError(`Expected a positive number for --seconds but received ${values.seconds}`);
    const lines = sentences();
    const tagger = await PiiTagger.load();
    await rate(lines.slice(0, 50), { tagger }, 0.01); // warm-up: gazetteers, onnxruntime session
    const rules = await rate(lines, {}, seconds);
    const shipped = await rate(lines, { tagger }, seconds);
    await tagger.close();
    const words = lines.reduce((n, l) => n + l.split(/\s+/).length, 0) / lines.length;
    console.log(`${lines.length} sentences (${words.toFixed(1)} words on average), one core:`);
    console.log(`  rules alone (baseline): ${rules.perSec} sentences/s`);
    console.log(`  rules + tagger (shipped): ${shipped.perSec} sentences/s (${(shipped.perSec / rules.perSec).toFixed(3)} of the baseline)`);
    console.log(
      JSON.stringify({
        bench: 'redact',
        sentences: lines.length,
        meanWords: Number(words.toFixed(1)),
        baseline: { detectors: 'rules', sentencesPerSecPerCore: rules.perSec },
        shipped: { detectors: 'rules+tagger', sentencesPerSecPerCore: shipped.perSec },
        ratioVsBaseline: Number((shipped.perSec / rules.perSec).toFixed(3)),
        targetPerSecPerCore: 1000,
        meetsTarget: shipped.perSec >= 1000,
      }),
    );
  },
};
