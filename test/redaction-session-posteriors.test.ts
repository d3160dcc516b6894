// SessionRedactor.redact(text, { posteriors }): the tagger gets the segment's CTC posteriors only when they cover
// exactly the words it tags, i.e. while no words of earlier segments are carried.
import t from 'tap';
import { SessionRedactor } from '../redaction/session.js';
import type { PiiTagger, Posteriors } from '../redaction/tagger.js';

t.test('posteriors reach the tagger for the first segment, not once words are carried', async (t) => {
  const calls: Array<{ words: readonly string[]; posteriors: Posteriors | undefined }> = [];
  const tagger = {
    tag: async (words: readonly string[], posteriors?: Posteriors) => {
      calls.push({ words, posteriors });
      return [];
    },
  } as unknown as PiiTagger;
  const posteriors: Posteriors = { data: new Float32Array(29 * 3), frames: 3, vocab: 29 };
  const session = new SessionRedactor({}, { tagger });
  await session.redact('hello there', { posteriors });
  await session.redact('and again', { posteriors });
  t.equal(calls[0]!.posteriors, posteriors);
  t.same(calls[1]!.words, ['hello', 'there', 'and', 'again']);
  t.equal(calls[1]!.posteriors, undefined, 'carried words are not in the audio');
  await new SessionRedactor({}, { tagger, contextWords: 0 }).redact('just this');
  t.equal(calls[2]!.posteriors, undefined, 'none given, none passed');
});
