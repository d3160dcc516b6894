/**
 * ARPA -> hushscribe's binary n-gram format (native/src/ngram_lm.h has the layout), which the recognizer maps
 * instead of parsing text at start. Probabilities and back-offs are quantised to 256 levels per order and kind
 * (1-D k-means levels), words to 24-bit ids.
 */
import { createReadStream, writeFileSync, renameSync } from 'node:fs';
import { createInterface } from 'node:readline';

const MAGIC = 'HSNGRAM1';
const VERSION = 1;
const HEADER_BYTES = 80;
const MAX_ORDER = 6;
const LEVELS = 256;
const LN10 = Math.LN10;

export class ArpaFormatError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: not a valid ARPA file: ${reason}`);
    this.name = 'ArpaFormatError';
  }
}

interface Order {
  count: number;
  /** Word ids, `n` per entry (order 1: in file order before sorting). */
  ids: Int32Array;
  logProb: Float32Array;
  backoff: Float32Array;
  filled: number;
}

/** FNV-1a 32, the format's checksum. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * A 256-level codebook for `values` and each value's level: Lloyd's 1-D k-means from equal-population bins (KenLM's
 * starting point), so sparse tails get levels of their own instead of sharing one wide bin.
 */
export function quantise(values: Float32Array): { codebook: Float32Array; codes: Uint8Array } {
  const codebook = new Float32Array(LEVELS);
  const codes = new Uint8Array(values.length);
  if (values.length === 0) return { codebook, codes };
  const sorted = Float64Array.from(values).sort();
  const prefix = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) prefix[i + 1] = prefix[i]! + sorted[i]!;
  /** Index of the first sorted value >= x. */
  const lowerBound = (x: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const cuts = Float64Array.from({ length: LEVELS + 1 }, (_, b) => Math.floor((b * sorted.length) / LEVELS));
  for (let iteration = 0; iteration < 20; iteration++) {
    for (let b = 0; b < LEVELS; b++) {
      const from = cuts[b]!;
      const to = cuts[b + 1]!;
      codebook[b] = to > from ? (prefix[to]! - prefix[from]!) / (to - from) : b > 0 ? codebook[b - 1]! : sorted[0]!;
    }
    for (let b = 1; b < LEVELS; b++) cuts[b] = lowerBound((codebook[b - 1]! + codebook[b]!) / 2);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = LEVELS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (codebook[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    codes[i] = lo > 0 && v - codebook[lo - 1]! < codebook[lo]! - v ? lo - 1 : lo;
  }
  return { codebook, codes };
}

/** Reads an ARPA file: the vocabulary (byte-sorted; ids are ranks) and each order's entries in id space. */
async function readArpa(path: string): Promise<{ vocab: string[]; orders: Order[] }> {
  const bad = (reason: string): ArpaFormatError => new ArpaFormatError(path, reason);
  const declared: number[] = [];
  const orders: Order[] = [];
  let section = -1; // -1 before \data\, 0 in \data\, n in \n-grams:
  let words: string[] = [];
  let ids = new Map<string, number>();
  let lineNo = 0;
  let ended = false;
  const sortVocabulary = (): void => {
    // Byte order, so C++ and JavaScript agree on ranks whatever the characters.
    const unigrams = orders[0]!;
    const bytes = words.map((w) => Buffer.from(w, 'utf8'));
    const order = [...words.keys()].sort((a, b) => Buffer.compare(bytes[a]!, bytes[b]!));
    const rank = new Int32Array(words.length);
    order.forEach((from, to) => {
      rank[from] = to;
    });
    const logProb = new Float32Array(words.length);
    const backoff = new Float32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      logProb[rank[i]!] = unigrams.logProb[i]!;
      backoff[rank[i]!] = unigrams.backoff[i]!;
    }
    words = order.map((i) => words[i]!);
    ids = new Map(words.map((w, i) => [w, i]));
    orders[0] = { count: words.length, ids: Int32Array.from(words.keys()), logProb, backoff, filled: words.length };
  };
  for await (const raw of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || ended) continue;
    if (section === -1) {
      if (line === '\\data\\') section = 0;
      continue;
    }
    const header = /^\\(\d+)-grams:$/.exec(line);
    if (header) {
      const n = Number(header[1]);
      if (n !== section + 1 || n > declared.length) throw bad(`line ${lineNo}: unexpected section ${line}`);
      if (n > 1 && orders[n - 2]!.filled !== declared[n - 2])
        throw bad(`the header declares ${declared[n - 2]} ${n - 1}-grams, found ${orders[n - 2]!.filled}`);
      if (n === 2) sortVocabulary();
      const count = declared[n - 1]!;
      orders.push({ count, ids: new Int32Array(count * n), logProb: new Float32Array(count), backoff: new Float32Array(count), filled: 0 });
      section = n;
      continue;
    }
    if (line === '\\end\\') {
      ended = true;
      continue;
    }
    if (section === 0) {
      const m = /^ngram (\d+)=(\d+)$/.exec(line);
      if (!m) throw bad(`line ${lineNo}: expected "ngram N=count" in \\data\\`);
      if (Number(m[1]) !== declared.length + 1) throw bad(`line ${lineNo}: ngram counts out of order`);
      declared.push(Number(m[2]));
      if (declared.length > MAX_ORDER) throw bad(`order above ${MAX_ORDER}`);
      continue;
    }
    const n = section;
    const o = orders[n - 1]!;
    const fields = line.split(/\s+/);
    if (fields.length < n + 1 || fields.length > n + 2) throw bad(`line ${lineNo} does not hold a ${n}-gram`);
    if (o.filled === o.count) throw bad(`more ${n}-grams than the header's ${o.count}`);
    const logProb = Number(fields[0]);
    const backoff = fields.length === n + 2 ? Number(fields[n + 1]) : 0;
    if (!Number.isFinite(logProb) || !Number.isFinite(backoff)) throw bad(`line ${lineNo} has a non-numeric weight`);
    if (n === 1) {
      if (ids.has(fields[1]!)) throw bad(`line ${lineNo}: '${fields[1]}' appears twice`);
      ids.set(fields[1]!, words.length);
      words.push(fields[1]!);
    } else {
      for (let k = 0; k < n; k++) {
        const id = ids.get(fields[k + 1]!);
        if (id === undefined) throw bad(`line ${lineNo}: '${fields[k + 1]}' is not a unigram`);
        o.ids[o.filled * n + k] = id;
      }
    }
    o.logProb[o.filled] = logProb * LN10;
    o.backoff[o.filled] = backoff * LN10;
    o.filled++;
  }
  if (declared.length === 0) throw bad('no \\data\\ header with ngram counts');
  if (!ended) throw bad('no \\end\\ (truncated?)');
  if (orders.length !== declared.length) throw bad(`the header declares order ${declared.length}, found ${orders.length} sections`);
  const last = orders[orders.length - 1]!;
  if (last.filled !== last.count) throw bad(`the header declares ${last.count} ${orders.length}-grams, found ${last.filled}`);
  if (orders.length === 1) sortVocabulary();
  return { vocab: words, orders };
}

/** Sorts order n's entries by their id tuples (in place); returns nothing. */
function sortEntries(o: Order, n: number): void {
  const index = Int32Array.from({ length: o.count }, (_, i) => i);
  const ids = o.ids;
  index.sort((a, b) => {
    for (let k = 0; k < n; k++) {
      const d = ids[a * n + k]! - ids[b * n + k]!;
      if (d !== 0) return d;
    }
    return 0;
  });
  const sortedIds = new Int32Array(ids.length);
  const logProb = new Float32Array(o.count);
  const backoff = new Float32Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const from = index[i]!;
    sortedIds.set(ids.subarray(from * n, from * n + n), i * n);
    logProb[i] = o.logProb[from]!;
    backoff[i] = o.backoff[from]!;
  }
  o.ids = sortedIds;
  o.logProb = logProb;
  o.backoff = backoff;
}

/** child[i]..child[i+1]: the entries of order n+1 (sorted) whose context is entry i of order n (sorted). */
function childIndex(parent: Order, n: number, child: Order, source: string, vocab: string[]): Uint32Array {
  const out = new Uint32Array(parent.count + 1);
  let c = 0;
  for (let p = 0; p < parent.count; p++) {
    out[p] = c;
    for (; c < child.count; c++) {
      let cmp = 0;
      for (let k = 0; k < n && cmp === 0; k++) cmp = child.ids[c * (n + 1) + k]! - parent.ids[p * n + k]!;
      if (cmp > 0) break;
      if (cmp < 0) {
        const gram = Array.from(child.ids.subarray(c * (n + 1), c * (n + 1) + n + 1), (id) => vocab[id]).join(' ');
        throw new ArpaFormatError(source, `the ${n + 1}-gram '${gram}' has no entry for its context`);
      }
    }
  }
  if (c !== child.count) {
    const gram = Array.from(child.ids.subarray(c * (n + 1), c * (n + 1) + n + 1), (id) => vocab[id]).join(' ');
    throw new ArpaFormatError(source, `the ${n + 1}-gram '${gram}' has no entry for its context`);
  }
  out[parent.count] = c;
  return out;
}

export interface BinaryLmStats {
  order: number;
  counts: number[];
  bytes: number;
}

/** Converts an ARPA file to the binary format, written to a temp file and renamed (never a half-written LM). */
export async function arpaToBinary(arpaPath: string, outPath: string): Promise<BinaryLmStats> {
  const { vocab, orders } = await readArpa(arpaPath);
  const order = orders.length;
  const find = (w: string): number => vocab.indexOf(w);
  const bos = find('<s>');
  const eos = find('</s>');
  const unk = find('<unk>');
  if (bos < 0 || eos < 0 || unk < 0) throw new ArpaFormatError(arpaPath, 'the vocabulary needs <s>, </s> and <unk>');
  if (vocab.length >= 1 << 24) throw new ArpaFormatError(arpaPath, `${vocab.length} words; at most ${(1 << 24) - 1}`);
  // <s> is never predicted (ARPA gives it -99): give it the lowest real value so it does not waste a level.
  const u = orders[0]!.logProb;
  let floor = 0;
  for (let i = 0; i < u.length; i++) if (i !== bos && u[i]! < floor) floor = u[i]!;
  u[bos] = floor;
  for (let n = 2; n <= order; n++) sortEntries(orders[n - 1]!, n);
  const children: Uint32Array[] = [];
  for (let n = 1; n < order; n++) children.push(childIndex(orders[n - 1]!, n, orders[n]!, arpaPath, vocab));

  const vocabBytes = Buffer.from(vocab.map((w) => `${w}\0`).join(''), 'utf8');
  const parts: Uint8Array[] = [];
  const pad = (length: number): void => {
    if (length % 4 !== 0) parts.push(new Uint8Array(4 - (length % 4)));
  };
  parts.push(vocabBytes);
  pad(vocabBytes.length);
  for (let n = 1; n <= order; n++) {
    const o = orders[n - 1]!;
    const top = n === order;
    const prob = quantise(o.logProb);
    parts.push(new Uint8Array(prob.codebook.buffer));
    const backoff = top ? undefined : quantise(o.backoff);
    if (backoff) parts.push(new Uint8Array(backoff.codebook.buffer));
    let length = 0;
    if (n > 1) {
      const words = new Uint8Array(3 * o.count);
      for (let i = 0; i < o.count; i++) {
        const w = o.ids[i * n + n - 1]!;
        words[3 * i] = w & 0xff;
        words[3 * i + 1] = (w >> 8) & 0xff;
        words[3 * i + 2] = (w >> 16) & 0xff;
      }
      parts.push(words);
      length += words.length;
    }
    parts.push(prob.codes);
    length += o.count;
    if (backoff) {
      parts.push(backoff.codes);
      length += o.count;
    }
    pad(length);
    if (!top) parts.push(new Uint8Array(children[n - 1]!.buffer));
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(order, 12);
  header.writeUInt32LE(vocab.length, 16);
  header.writeUInt32LE(bos, 20);
  header.writeUInt32LE(eos, 24);
  header.writeUInt32LE(unk, 28);
  orders.forEach((o, i) => {
    header.writeUInt32LE(o.count, 32 + 4 * i);
  });
  header.writeBigUInt64LE(BigInt(vocabBytes.length), 56);
  header.writeBigUInt64LE(BigInt(HEADER_BYTES + body.length), 64);
  header.writeBigUInt64LE(BigInt(fnv1a32(body)), 72);
  const temp = `${outPath}.partial`;
  writeFileSync(temp, Buffer.concat([header, body]));
  renameSync(temp, outPath);
  return { order, counts: orders.map((o) => o.count), bytes: HEADER_BYTES + body.length };
}
