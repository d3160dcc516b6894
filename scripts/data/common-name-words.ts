/**
 * Derives redaction/gazetteers/common-name-words.txt: the first names and surnames of the gazetteers that English
 * text mostly writes in lowercase ("young", "brown", "white"), i.e. ordinary words that are also names. Counted in
 * cased public-domain / CC0 text (Project Gutenberg, presidential speeches, Common Voice sentences of
 * /work/shared/lm-text), only where the word is not the first of its sentence, so capitals mean a name.
 * A partial transcript redacts such a word only when something else says it is a name (redaction/unfinished.ts).
 *
 *   node dist/scripts/data/common-name-words.js --text /work/shared/lm-text [--min-count 50] [--min-lower 0.5]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../common/package-root.js';
import { gazetteer } from '../../redaction/gazetteer.js';

const FILES = ['gutenberg.txt.xz', 'speeches-presidential.txt.xz', 'commonvoice-sentences.txt.xz'];

const { values } = parseArgs({
  options: {
    text: { type: 'string', default: '/work/shared/lm-text' },
    'min-count': { type: 'string', default: '50' },
    'min-lower': { type: 'string', default: '0.5' },
  },
});
const minCount = Number(values['min-count']);
const minLower = Number(values['min-lower']);
const names = new Set([...gazetteer('first-names').words, ...gazetteer('surnames').words]);
const lower = new Map<string, number>();
const capital = new Map<string, number>();

for (const file of FILES) {
  const xz = spawn('xz', ['-dc', join(values.text!, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: xz.stdout })) {
    const words = line.match(/[A-Za-z]+/g) ?? [];
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      const folded = word.toLowerCase();
      if (!names.has(folded)) continue;
      if (word === folded) lower.set(folded, (lower.get(folded) ?? 0) + 1);
      else if (word[0] !== word[0]!.toLowerCase() && word.slice(1) === folded.slice(1)) capital.set(folded, (capital.get(folded) ?? 0) + 1);
    }
  }
}

const common = [...names]
  .filter((w) => {
    const l = lower.get(w) ?? 0;
    const total = l + (capital.get(w) ?? 0);
    return l >= minCount && l / total >= minLower;
  })
  .sort();
writeFileSync(join(packageRoot(), 'redaction', 'gazetteers', 'common-name-words.txt'), `${common.join('\n')}\n`);
process.stdout.write(`${JSON.stringify({ names: names.size, common: common.length, minCount, minLower, files: FILES })}\n`);
