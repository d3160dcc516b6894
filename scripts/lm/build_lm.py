#!/usr/bin/env python3
"""Word n-gram LM with interpolated modified Kneser-Ney smoothing, pruned, for tens of millions of words.

  python3 scripts/lm/build_lm.py --text sentences.txt[:REPEAT] ... --out lm.arpa \\
      [--order 3] [--min-word-count 3] [--prune 0,2,3]

Input: spoken-form sentences, one a line (scripts/lm/spoken-text.ts writes them); REPEAT counts a file's lines that
many times (to weight our own small training text against the general text). Output: ARPA, which
`scripts/lm/arpa-to-binary.ts` turns into the binary file the recognizer maps.

Why numpy and a sort instead of hash maps: every n-gram of the text becomes one uint64 key (21 bits a word), and
np.unique sorts and counts 50M keys in seconds in ~1 GB, where a Node Map of strings needs many GB. The maths is
the same as scripts/lm/kneser-ney.ts (Chen & Goodman; continuation counts below the top order except for n-grams
that start with <s>; unigrams interpolate with the uniform distribution over the vocabulary), which
test/lm-build.test.ts checks this script against on a small corpus.

<unk> stands for all words seen fewer than --min-word-count times; its probabilities are divided by the number
of such words, so the LM gives the decoder the probability of one rare word rather than of the whole class (which
would let any made-up spelling pass as a likely word).

Pruning (--prune t1,t2,t3: minimum raw count per order; t1 is ignored, the vocabulary is set by --min-word-count):
the probabilities of the n-grams kept are those of the full model, and every back-off weight is recomputed so each
context's distribution still sums to one (as SRILM's pruning does). Thresholds must not fall with the order, so a
kept n-gram's prefix and suffix are kept too. Words seen fewer than --min-word-count times become <unk>.
"""
import argparse
import sys
from collections import Counter

import numpy as np

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
BITS = 21
MASK = (1 << BITS) - 1
LOG10E = np.log10(np.e)


def read_lines(specs):
    for spec in specs:
        path, _, repeat = spec.rpartition(":") if spec.rpartition(":")[2].isdigit() else (spec, "", "1")
        for _ in range(int(repeat)):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    words = line.split()
                    if words:
                        yield words


def build_vocab(specs, min_count):
    counts = Counter()
    for words in read_lines(specs):
        counts.update(words)
    words = sorted(w for w, c in counts.items() if c >= min_count and w not in (BOS, EOS, UNK))
    vocab = [BOS, EOS, UNK] + words
    if len(vocab) > MASK:
        raise SystemExit(f"vocabulary of {len(vocab)} words exceeds {MASK}; raise --min-word-count")
    return vocab, len(counts) - len(words)


def token_stream(specs, ids):
    """All sentences as one int32 array <s> w.. </s> <s> w.. </s>, and each position's sentence number."""
    chunks, sentence = [], []
    unk = ids[UNK]
    for words in read_lines(specs):
        chunks.append(0)
        chunks.extend(ids.get(w, unk) for w in words)
        chunks.append(1)
    tokens = np.array(chunks, dtype=np.int64)
    del chunks
    starts = tokens == 0
    sentence = np.cumsum(starts)
    return tokens, sentence


def ngram_keys(tokens, sentence, n):
    """Keys of every n-gram inside one sentence (unigrams leave out <s>)."""
    length = len(tokens) - n + 1
    valid = sentence[:length] == sentence[n - 1:n - 1 + length]
    if n == 1:
        valid &= tokens != 0
    key = np.zeros(length, dtype=np.uint64)
    for k in range(n):
        key = (key << np.uint64(BITS)) | tokens[k:k + length].astype(np.uint64)
    return key[valid]


def discounts(adjusted):
    coc = [int(np.count_nonzero(adjusted == c)) for c in (1, 2, 3, 4)]
    n1, n2, n3, n4 = coc
    fallback = np.array([0.5, 1.0, 1.5])
    if min(coc) == 0:
        return fallback
    y = n1 / (n1 + 2 * n2)
    d = np.array([1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3])
    return d if all(0 < d[i] < i + 1 for i in range(3)) else fallback


def lookup(sorted_keys, keys):
    at = np.searchsorted(sorted_keys, keys)
    assert np.all(sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == keys), "a lower-order n-gram is missing"
    return at


def estimate(tokens, sentence, order, vocab_size):
    shift = np.uint64(BITS)
    raw_keys, raw_counts = [], []
    for n in range(1, order + 1):
        keys, counts = np.unique(ngram_keys(tokens, sentence, n), return_counts=True)
        raw_keys.append(keys)
        raw_counts.append(counts)
        print(f"{n}-grams: {len(keys)}", file=sys.stderr, flush=True)

    # Adjusted counts: raw at the top order and for n-grams starting with <s>, continuation counts below.
    adj_keys, adj_counts = [None] * order, [None] * order
    adj_keys[order - 1], adj_counts[order - 1] = raw_keys[order - 1], raw_counts[order - 1]
    for n in range(order - 1, 0, -1):
        suffix_mask = np.uint64((1 << (BITS * n)) - 1)
        cont_keys, cont = np.unique(raw_keys[n] & suffix_mask, return_counts=True)
        first = raw_keys[n - 1] >> np.uint64(BITS * (n - 1))
        bos = first == 0 if n > 1 else np.zeros(len(raw_keys[0]), dtype=bool)
        keys = np.concatenate([cont_keys, raw_keys[n - 1][bos]])
        counts = np.concatenate([cont, raw_counts[n - 1][bos]])
        if n == 1:  # every word of the vocabulary but <s>, even with no count (<unk>)
            keys = np.concatenate([keys, np.arange(1, vocab_size, dtype=np.uint64)])
            counts = np.concatenate([counts, np.zeros(vocab_size - 1, dtype=counts.dtype)])
        keys, first_at = np.unique(keys, return_index=True)
        adj_keys[n - 1], adj_counts[n - 1] = keys, counts[first_at]

    probs, gammas, ds = [], [], []
    for n in range(1, order + 1):
        keys, counts = adj_keys[n - 1], adj_counts[n - 1].astype(np.float64)
        d = discounts(adj_counts[n - 1])
        ds.append(d)
        disc = np.where(counts == 0, 0.0, d[np.clip(counts, 1, 3).astype(np.int64) - 1])
        context = keys >> shift
        ctx_keys, ctx_start, ctx_of = np.unique(context, return_index=True, return_inverse=True)
        total = np.add.reduceat(counts, ctx_start)
        mass = np.add.reduceat(disc, ctx_start)
        gamma = mass / total
        if n == 1:
            lower = np.full(len(keys), 1.0 / len(keys))
        else:
            lower = probs[n - 2][lookup(adj_keys[n - 2], keys & np.uint64((1 << (BITS * (n - 1))) - 1))]
        probs.append((counts - disc) / total[ctx_of] + gamma[ctx_of] * lower)
        gammas.append((ctx_keys, gamma))
    return adj_keys, raw_keys, raw_counts, probs, gammas, ds


def prune(order, adj_keys, raw_keys, raw_counts, probs, thresholds):
    """Indices of the adjusted n-grams kept per order (all unigrams)."""
    kept = [np.arange(len(adj_keys[0]))]
    for n in range(2, order + 1):
        t = thresholds[n - 1]
        at = np.searchsorted(raw_keys[n - 1], adj_keys[n - 1])
        at = np.minimum(at, len(raw_keys[n - 1]) - 1)
        count = np.where(raw_keys[n - 1][at] == adj_keys[n - 1], raw_counts[n - 1][at], 0)
        kept.append(np.nonzero(count >= t)[0])
    return kept


def backoffs(order, adj_keys, probs, kept):
    """Per order below the top: log10 back-off weight of each kept n-gram as a context, recomputed for the kept set."""
    shift = np.uint64(BITS)
    result = []
    for n in range(1, order):
        ctx_keys = adj_keys[n - 1][kept[n - 1]]
        if n == 1:  # <s> is a context, though never predicted
            ctx_keys = np.concatenate([np.zeros(1, dtype=np.uint64), ctx_keys])
        bow = np.ones(len(ctx_keys))
        child_keys = adj_keys[n][kept[n]]
        child_p = probs[n][kept[n]]
        lower_keys = child_keys & np.uint64((1 << (BITS * n)) - 1)
        lower_p = probs[n - 1][lookup(adj_keys[n - 1], lower_keys)]
        ctx = child_keys >> shift
        groups, start = np.unique(ctx, return_index=True)
        num = 1.0 - np.add.reduceat(child_p, start)
        den = 1.0 - np.add.reduceat(lower_p, start)
        at = lookup(ctx_keys, groups)
        bow[at] = np.maximum(num, 1e-12) / np.maximum(den, 1e-12)
        result.append(np.log10(bow))
    return result


def write_arpa(path, order, vocab, adj_keys, probs, kept, bows, unk_types):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\\data\\\n")
        for n in range(1, order + 1):
            f.write(f"ngram {n}={len(kept[n - 1]) + (1 if n == 1 else 0)}\n")
        for n in range(1, order + 1):
            f.write(f"\n\\{n}-grams:\n")
            keys = adj_keys[n - 1][kept[n - 1]]
            logp = np.log10(probs[n - 1][kept[n - 1]])
            # <unk> stands for every rare word; the decoder asks about one word, so it gets one type's share.
            logp = np.where((keys & np.uint64(MASK)) == 2, logp - np.log10(max(unk_types, 1)), logp)
            if n == 1:
                keys = np.concatenate([[0], keys]).astype(np.uint64)  # <s>: never predicted, -99 by convention
                logp = np.concatenate([[-99.0], logp])
            words = [(keys >> np.uint64(BITS * (n - 1 - k))) & np.uint64(MASK) for k in range(n)]
            bow = None
            if n < order:
                bow = bows[n - 1]
            lines = []
            for i in range(len(keys)):
                gram = " ".join(vocab[int(w[i])] for w in words)
                lines.append(f"{logp[i]:.6g}\t{gram}\t{bow[i]:.6g}\n" if bow is not None else f"{logp[i]:.6g}\t{gram}\n")
                if len(lines) >= 100000:
                    f.write("".join(lines))
                    lines = []
            f.write("".join(lines))
        f.write("\n\\end\\\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text", action="append", required=True, help="sentences file[:REPEAT]; may repeat")
    parser.add_argument("--out", required=True)
    parser.add_argument("--order", type=int, default=3)
    parser.add_argument("--min-word-count", type=int, default=1)
    parser.add_argument("--prune", default="", help="minimum raw count per order, comma-separated (default: none)")
    args = parser.parse_args()
    if not 2 <= args.order <= 3:
        raise SystemExit(f"Expected --order from 2 to 3 (21-bit words in a 64-bit key) but received {args.order}")
    thresholds = [int(x) for x in args.prune.split(",")] if args.prune else [0] * args.order
    thresholds = (thresholds + [thresholds[-1]] * args.order)[:args.order]
    if any(thresholds[n] < thresholds[n - 1] for n in range(2, args.order)):
        raise SystemExit(f"Expected --prune thresholds that do not fall with the order but received {args.prune}")

    vocab, unk_types = build_vocab(args.text, args.min_word_count)
    print(f"vocabulary: {len(vocab)} words, {unk_types} rare ones as <unk>", file=sys.stderr, flush=True)
    tokens, sentence = token_stream(args.text, {w: i for i, w in enumerate(vocab)})
    print(f"tokens: {len(tokens)}", file=sys.stderr, flush=True)
    adj_keys, raw_keys, raw_counts, probs, _gammas, ds = estimate(tokens, sentence, args.order, len(vocab))
    del tokens, sentence
    kept = prune(args.order, adj_keys, raw_keys, raw_counts, probs, thresholds)
    bows = backoffs(args.order, adj_keys, probs, kept)
    write_arpa(args.out, args.order, vocab, adj_keys, probs, kept, bows, unk_types)
    counts = [len(k) + (1 if n == 0 else 0) for n, k in enumerate(kept)]
    print(f'{{"out": "{args.out}", "order": {args.order}, "ngrams": {counts}, '
          f'"discounts": {[[round(float(x), 4) for x in d] for d in ds]}}}', flush=True)


if __name__ == "__main__":
    main()
