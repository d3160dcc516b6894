/**
 * The binary n-gram LM (native/src/ngram_lm.h), mapped by the native addon: opening it costs a checksum pass and
 * the vocabulary, not a parse, and its pages are shared by every recognizer that maps the same file.
 */
import { openNgramLm, type NativeNgramLm } from '../../native/index.js';
import { ModelLoadError } from '../asr/errors.js';
import { CachedWordLm } from './word-lm.js';

export class BinaryLm extends CachedWordLm {
  readonly order: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly fileBytes: number;
  private readonly vocabulary: string[];
  private readonly ids: Map<string, number>;

  /** Opens the file; a missing, truncated or corrupt file gives a ModelLoadError (BAD_LM / MODEL_NOT_FOUND). */
  static load(path: string): BinaryLm {
    let lm: NativeNgramLm;
    try {
      lm = openNgramLm(path);
    } catch (err) {
      const message = (err as Error).message;
      const code = /cannot open/.test(message) ? 'MODEL_NOT_FOUND' : 'BAD_LM';
      throw new ModelLoadError(code, path, message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message, err);
    }
    return new BinaryLm(lm);
  }

  private constructor(private readonly lm: NativeNgramLm) {
    super();
    const info = lm.info();
    this.order = info.order;
    this.bosId = info.bos;
    this.eosId = info.eos;
    this.unkId = info.unk;
    this.fileBytes = info.fileBytes;
    this.vocabulary = lm.vocabulary().split('\0');
    this.vocabulary.pop(); // the text ends with '\0'
    this.ids = new Map(this.vocabulary.map((w, i) => [w, i]));
  }

  wordId(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  protected words(): Iterable<string> {
    return this.vocabulary;
  }

  protected get vocabSize(): number {
    return this.vocabulary.length;
  }

  logProb(history: readonly number[], word: number): number {
    const n = Math.min(history.length, this.order - 1);
    const w = word < 0 ? this.unkId : word;
    if (n === 0) return this.lm.logProb(w);
    if (n === 1) return this.lm.logProb(w, history[history.length - 1]!);
    return this.lm.logProb(w, ...history.slice(history.length - n));
  }

  /** Unmaps the file; the LM cannot be used afterwards. */
  close(): void {
    this.lm.close();
  }
}
