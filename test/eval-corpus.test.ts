import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';
import { parseSphinxTranscription } from '../scripts/eval/asr-sets.js';

const dataDir = join(packageRoot(), 'scripts', 'data');
const work = mkdtempSync(join(tmpdir(), 'eval-corpus-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

function python(code: string): string {
  return execFileSync('python3', ['-c', `import sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, ${JSON.stringify(dataDir)})\n${code}`], {
    encoding: 'utf8',
  });
}

function makeText(split: string, count: number, seed: number): string[] {
  const out = join(work, `${split}-${count}-${seed}.txt`);
  execFileSync('python3', [join(dataDir, 'make_text.py'), '--split', split, '--count', String(count), '--seed', String(seed), '--out', out], { stdio: 'pipe' });
  return readFileSync(out, 'utf8').trimEnd().split('\n');
}

t.test('make_text writes spoken-form sentences, deterministically per seed', async (t) => {
  const a = makeText('train', 300, 7);
  t.equal(a.length, 300);
  for (const line of a) t.match(line, /^[a-z']+( [a-z']+)*$/);
  t.same(makeText('train', 300, 7), a);
  t.not(makeText('train', 300, 8).join('\n'), a.join('\n'));
  t.same(readFileSync(join(work, 'train-300-7.txt.words'), 'utf8').split('\n')[0]!.split('\t').length, 2);
});

t.test('held-out templates and names never reach the training text', async (t) => {
  const split = JSON.parse(
    python(`
import json, make_text, names
print(json.dumps({"train": make_text.templates_for("train"), "heldout": make_text.templates_for("heldout"),
  "names": names.HELD_OUT_FIRST_NAMES + names.HELD_OUT_LAST_NAMES, "templates": len(make_text.TEMPLATES)}))`),
  ) as { train: string[]; heldout: string[]; names: string[]; templates: number };
  t.ok(split.templates >= 150, `${split.templates} templates`);
  t.equal(split.heldout.length, Math.floor(split.templates / 5));
  t.same(
    split.train.filter((x) => split.heldout.includes(x)),
    [],
  );
  const trainWords = new Set(makeText('train', 3000, 1).join(' ').split(' '));
  t.same(
    split.names.filter((name) => trainWords.has(name)),
    [],
  );
  const heldOutWords = new Set(makeText('heldout', 500, 1).join(' ').split(' '));
  t.ok(split.names.filter((name) => heldOutWords.has(name)).length > 50, 'held-out text uses the held-out names');
});

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Spoken digits back to a digit string: "oh", "double five", "forty five thirty two". */
function spokenDigits(spoken: string): string {
  const words = spoken.split(' ');
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const digit = (x: string) => (x === 'oh' ? '0' : String(ONES.indexOf(x)));
    if (w === 'double' || w === 'triple') out += digit(words[++i]!).repeat(w === 'double' ? 2 : 3);
    else if (TEENS.includes(w)) out += String(10 + TEENS.indexOf(w));
    else if (TENS.includes(w)) {
      const next = words[i + 1];
      const unit = next === undefined ? -1 : ONES.indexOf(next);
      out += String(TENS.indexOf(w)) + (unit > 0 ? String(unit) : '0');
      if (unit > 0) i++;
    } else out += digit(w);
  }
  return out;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}

t.test('card numbers are 16 Luhn-valid digits, however they are said', async (t) => {
  const cards = JSON.parse(
    python(`
import json, random, make_text
f = make_text.Filler(random.Random(3), held_out=False)
print(json.dumps([f.card() for _ in range(300)]))`),
  ) as string[];
  t.ok(cards.some((c) => c.includes('double')) && cards.some((c) => / (twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b/.test(c)));
  for (const card of cards) {
    const digits = spokenDigits(card);
    t.equal(digits.length, 16, card);
    t.ok(luhnValid(digits), `${card} -> ${digits}`);
  }
});

t.test('synthesize writes 16 kHz mono WAVs and a manifest, held-out split only in held-out voices', async (t) => {
  const text = join(work, 'synth.txt');
  execFileSync('python3', [join(dataDir, 'make_text.py'), '--split', 'heldout', '--count', '6', '--seed', '2', '--out', text], { stdio: 'pipe' });
  const out = join(work, 'synth');
  execFileSync('python3', [join(dataDir, 'synthesize.py'), '--text', text, '--out', out, '--split', 'heldout', '--prefix', '/', '--jobs', '2'], {
    stdio: 'pipe',
  });
  const rows = readFileSync(join(out, 'manifest.tsv'), 'utf8').trimEnd().split('\n');
  t.equal(rows[0], 'path\ttext\tvoice');
  const heldOut = JSON.parse(python('import json, voices\nprint(json.dumps(voices.HELD_OUT))')) as Array<[string, string, string]>;
  const heldOutNames = heldOut.map(([engine, voice, variant]) => `${engine}:${voice}${variant ? `+${variant}` : ''}`);
  t.same(
    rows.slice(1).map((r) => r.split('\t')[1]),
    readFileSync(text, 'utf8').trimEnd().split('\n'),
  );
  for (const row of rows.slice(1)) {
    const [path, , voice] = row.split('\t') as [string, string, string];
    t.ok(heldOutNames.includes(voice.split(' ')[0]!), voice);
    const wav = readFileSync(join(out, path));
    t.equal(wav.toString('latin1', 8, 16), 'WAVEfmt ');
    t.same([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)], [1, 1, 16000, 16], 'PCM mono 16 kHz 16-bit');
    t.equal(wav.toString('latin1', 36, 40), 'data');
    const seconds = wav.readUInt32LE(40) / 32000;
    t.ok(seconds > 0.5 && wav.length === 44 + wav.readUInt32LE(40), `${path} lasts ${seconds}s`);
  }
});

t.test('synthesize refuses text outside the alphabet', async (t) => {
  const text = join(work, 'bad.txt');
  execFileSync('sh', ['-c', `printf 'fine line\\nNot Normalised 42\\n' > ${text}`]);
  t.throws(
    () =>
      execFileSync('python3', [join(dataDir, 'synthesize.py'), '--text', text, '--out', join(work, 'bad'), '--split', 'train', '--prefix', '/'], {
        stdio: 'pipe',
      }),
    /not normalised spoken text/,
  );
});

t.test('sphinx transcription lines parse into id and reference', async (t) => {
  t.same(parseSphinxTranscription('<s> ten of clubs  </s> (001)\n\n<s> five five </s> (004)\n'), [
    { id: '001', reference: 'ten of clubs' },
    { id: '004', reference: 'five five' },
  ]);
  t.throws(() => parseSphinxTranscription('no id here'), /unreadable transcription line/);
});

t.test('split.py holds out whole speechocean762 speakers and never mixes a speaker across the split', async (t) => {
  const decided = JSON.parse(
    python(`import json
from split import is_held_out, speechocean_speaker
rows = [(f"{s:04d}", f"0{s:04d}{u:04d}") for s in range(1, 400) for u in (11, 35, 53)]
held = {}
for speaker, utt in rows:
    assert speechocean_speaker(utt) == speaker, (utt, speaker)
    held.setdefault(speaker, set()).add(is_held_out("speechocean762", utt, "we call it bear"))
print(json.dumps({k: sorted(v) for k, v in held.items()}))`),
  ) as Record<string, boolean[]>;
  const speakers = Object.values(decided);
  t.ok(
    speakers.every((v) => v.length === 1),
    'each speaker entirely on one side',
  );
  const heldOut = speakers.filter((v) => v[0]).length;
  t.ok(heldOut > 399 * 0.05 && heldOut < 399 * 0.2, `about a tenth of the speakers held out (${heldOut} of 399)`);
});
