"""Trains the PII tagger (tagger_model.py) on the GPU machine and exports it to ONNX (fp32 + int8).

  python3 scripts/train/tagger.py --text T.txt --tags T.tags [--text ... --tags ...]
      --audio synth-train/manifest.tsv --audio-text synth-train.txt --audio-tags synth-train.tags
      --heldout synth-heldout/manifest.tsv --heldout-text synth-heldout.txt --heldout-tags synth-heldout.tags
      --asr models/hushscribe-en-v1/model.int8.onnx --gazetteers redaction/gazetteers --eval-names scripts/eval/redaction.ts
      --out DIR [--budget-sec 300]

Text sources are make_text.py output with --tags (templated sentences with BIO labels, real transcripts as
negatives). For the synthesized ones the speech model's CTC posteriors are computed once, and half of those
samples use the model's own greedy transcript (labels carried over by word alignment) instead of the reference,
so the tagger learns from text with real recognition errors. Person and place words of text-only samples are
swapped for gazetteer names half of the time (names never in the evaluation's held-out lists).
"""
import argparse
import json
import os
import random
import re
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from features import BatchedKaldiFbank  # noqa: E402
from tagger_model import CHARS, LABEL_ID, LABELS, Tagger, encode_chars, word_starts  # noqa: E402
from train import Corpus, greedy_text, json_log, read_manifest  # noqa: E402


def read_tagged(text_path, tags_path):
    with open(text_path, encoding="utf-8") as t, open(tags_path, encoding="utf-8") as g:
        pairs = [(a.split(), b.split()) for a, b in zip(t, g)]
    for words, labels in pairs:
        if len(words) != len(labels):
            raise ValueError(f"{tags_path}: {len(labels)} labels for {len(words)} words")
    return pairs


def eval_names(path):
    """Names and places of the redaction evaluation's held-out set: never shown to the tagger."""
    source = open(path, encoding="utf-8").read()
    names = set()
    for const in ("FIRST", "LAST", "PLACES"):
        match = re.search(rf"const {const} = '([^']*)'", source)
        names.update(match.group(1).split())
    return names


def read_list(path, exclude):
    with open(path, encoding="utf-8") as f:
        return [w for w in (line.strip().lower() for line in f) if w and " " not in w and w.isalpha() and
                w not in exclude]


def align(ref, hyp):
    """Word-level Levenshtein alignment: for each hyp word the index of the ref word it matches or replaces."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    out = [None] * m
    i, j = n, m
    while i > 0 and j > 0:
        if d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            out[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif d[i, j] == d[i, j - 1] + 1:
            j -= 1
        else:
            i -= 1
    return out


def project_labels(ref_labels, hyp_words, ref_words):
    """Labels for a recognised transcript from the reference's, through the alignment."""
    aligned = align(ref_words, hyp_words)
    types = [ref_labels[a][2:] if a is not None and ref_labels[a] != "O" else None for a in aligned]
    for k, a in enumerate(aligned):  # an inserted word inside an entity belongs to it
        if a is None and 0 < k < len(types) - 1 and types[k - 1] and types[k - 1] == types[k + 1]:
            types[k] = types[k - 1]
    labels = []
    for k, t in enumerate(types):
        if t is None:
            labels.append("O")
            continue
        a = aligned[k]
        new_entity = k == 0 or types[k - 1] != t or (a is not None and ref_labels[a].startswith("B-") and
                                                      (aligned[k - 1] is None or aligned[k - 1] != a))
        labels.append(("B-" if new_entity else "I-") + t)
    return labels


def swap_names(words, labels, names, places, rng):
    """Replaces each PERSON / LOCATION word by a random gazetteer entry (one-word names only)."""
    out = list(words)
    for k, label in enumerate(labels):
        if label.endswith("PERSON") and len(words[k]) > 1:
            out[k] = rng.choice(names)
        elif label.endswith("LOCATION"):
            out[k] = rng.choice(places)
    return out


DIGIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
DIGIT_RUN = re.compile(rf"\b{DIGIT}(?: {DIGIT}){{2,}}\b")
CUES = ["", "", "it's", "that's", "yes", "okay", "um", "so", "and", "it is", "right", "sorry"]


def entity_spans(pool):
    """(words, labels) of every entity in the tagged pool, and the words of sentences without any."""
    spans, plain = [], []
    for s in pool:
        if all(l == "O" for l in s.labels):
            # Context comes from natural sentences: not from templated ones whose digit runs are untagged
            # (order numbers, pins), which would teach that a digit run next to an entity is nothing.
            if len(s.words) >= 6 and not DIGIT_RUN.search(" ".join(s.words)):
                plain.append(s.words)
            continue
        k = 0
        while k < len(s.labels):
            if s.labels[k].startswith("B-"):
                end = k + 1
                while end < len(s.labels) and s.labels[end] == "I-" + s.labels[k][2:]:
                    end += 1
                spans.append((s.words[k:end], s.labels[k:end]))
                k = end
            else:
                k += 1
    return spans, plain


def composed(spans, plain, rng):
    """An entity between slices of unrelated real sentences: teaches what an entity looks like, not where a
    template puts it (and that a segment may start or end inside one)."""
    words, labels = [], []
    for part in range(rng.choice((1, 1, 2))):
        left = rng.choice(plain)
        cut = rng.randint(0, min(8, len(left)))
        start = rng.randint(0, len(left) - cut)
        cue = rng.choice(CUES).split()
        words += left[start:start + cut] + cue
        labels += ["O"] * (cut + len(cue))
        entity_words, entity_labels = rng.choice(spans)
        if rng.random() < 0.15 and len(entity_words) > 3:  # cut at a segment boundary
            keep = rng.randint(2, len(entity_words) - 1)
            if rng.random() < 0.5:
                entity_words, entity_labels = entity_words[:keep], entity_labels[:keep]
            else:
                entity_words = entity_words[-keep:]
                entity_labels = ["B-" + entity_labels[0][2:]] + ["I-" + entity_labels[0][2:]] * (keep - 1)
        words += entity_words
        labels += entity_labels
    right = rng.choice(plain)
    cut = rng.randint(0, min(6, len(right)))
    return words + right[:cut], labels + ["O"] * cut


def replace_context(words, labels, vocabulary, rng, rate=0.15):
    """Swaps some non-entity words for random real words, so no template phrase is a shortcut."""
    return [rng.choice(vocabulary) if l == "O" and rng.random() < rate else w for w, l in zip(words, labels)]


class Sample:
    __slots__ = ("words", "labels", "memory")

    def __init__(self, words, labels, memory=None):
        self.words, self.labels, self.memory = words, labels, memory


def tensors(samples, device, use_audio):
    texts = [" ".join(s.words) for s in samples]
    longest = max(len(t) for t in texts)
    chars = torch.zeros(len(samples), longest, dtype=torch.long)
    targets = torch.full((len(samples), longest), -100, dtype=torch.long)
    for k, (s, text) in enumerate(zip(samples, texts)):
        chars[k, :len(text)] = torch.tensor(encode_chars(text))
        for start, label in zip(word_starts(text), s.labels):
            targets[k, start] = LABEL_ID[label]
    frames = max((s.memory.shape[0] for s in samples if use_audio and s.memory is not None), default=1)
    vocab = next((s.memory.shape[1] for s in samples if s.memory is not None), 29)
    memory = torch.zeros(len(samples), frames, vocab, device=device)
    valid = torch.zeros(len(samples), frames, dtype=torch.bool, device=device)
    if use_audio:
        for k, s in enumerate(samples):
            if s.memory is not None:
                memory[k, :s.memory.shape[0]] = s.memory.float()
                valid[k, :s.memory.shape[0]] = True
    return chars.to(device), memory, valid, targets.to(device)


@torch.no_grad()
def posteriors(asr_onnx, manifest_rows, device, threads=16):
    """CTC log-posteriors [T', V] (fp16, on the GPU) and greedy transcripts of each utterance, from the int8 ONNX
    model the appliance runs (features on the GPU, the model on onnxruntime's CPU provider)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(asr_onnx, options, providers=["CPUExecutionProvider"])
    corpus = Corpus([(w, t, 1) for w, t in manifest_rows], device, max_seconds=60.0)
    fbank = BatchedKaldiFbank().to(device)
    order = np.argsort(corpus.lengths)
    result = {}
    for start in range(0, len(order), 32):
        idx = order[start:start + 32].tolist()
        wave, lengths = corpus.batch(idx)
        feats, frames = fbank(wave, lengths)
        log_probs, out_lens = session.run(None, {"x": feats.float().cpu().numpy(),
                                                 "x_lens": frames.cpu().numpy().astype(np.int64)})
        for k, i in enumerate(idx):
            lp = torch.from_numpy(log_probs[k, :int(out_lens[k])])
            result[corpus.texts[i]] = (lp.half().to(device), greedy_text(lp, lp.shape[0]))
    return result


def audio_samples(manifest, text_path, tags_path, post):
    """Reference-text and recognised-text samples, both with the utterance's posteriors."""
    tags = {" ".join(w): l for w, l in read_tagged(text_path, tags_path)}
    ref, hyp = [], []
    for _wav, text in read_manifest(manifest):
        if text not in tags or text not in post:
            continue
        memory, recognised = post[text]
        ref.append(Sample(text.split(), tags[text], memory))
        if recognised:
            hyp.append(Sample(recognised.split(), project_labels(tags[text], recognised.split(), text.split()), memory))
    return ref, hyp


def entity_words(samples, predictions):
    """Word-level micro precision / recall of PII words (type must match) and the share of PII words left O."""
    tp = fp = fn = leaked = total = 0
    for s, pred in zip(samples, predictions):
        for gold, guess in zip(s.labels, pred):
            g, p = gold[2:] if gold != "O" else None, guess[2:] if guess != "O" else None
            if g:
                total += 1
                leaked += p is None
            if p and p == g:
                tp += 1
            else:
                fp += p is not None
                fn += g is not None
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f2": round(5 * precision * recall / max(1e-9, 4 * precision + recall), 4),
            "leak": round(leaked / max(1, total), 4)}


@torch.no_grad()
def predict(model, samples, device, use_audio):
    model.eval()
    out = []
    for start in range(0, len(samples), 128):
        chunk = samples[start:start + 128]
        chars, memory, valid, _ = tensors(chunk, device, use_audio)
        logits = model(chars, memory, valid)
        for k, s in enumerate(chunk):
            starts = word_starts(" ".join(s.words))
            out.append([LABELS[i] for i in logits[k, starts].argmax(-1).tolist()])
    model.train()
    return out


def evaluate(model, sets, device):
    return {f"{name}{'+audio' if audio else ''}": entity_words(samples, predict(model, samples, device, audio))
            for name, samples in sets.items() for audio in (False, True)}


def export(model, out_dir, sample, device):
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = model.eval().cpu()
    chars, memory, valid, _ = tensors([sample], "cpu", True)
    fp32 = os.path.join(out_dir, "tagger.fp32.onnx")
    torch.onnx.export(model, (chars, memory, valid), fp32, input_names=["chars", "memory", "memory_valid"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"chars": {0: "N", 1: "L"}, "memory": {0: "N", 1: "M"},
                                    "memory_valid": {0: "N", 1: "M"}, "logits": {0: "N", 1: "L"}})
    int8 = os.path.join(out_dir, "tagger.int8.onnx")
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
    onnx.checker.check_model(int8)
    with torch.no_grad():
        reference = model(chars, memory, valid).numpy()
    agreement = {}
    for path in (fp32, int8):
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = session.run(None, {"chars": chars.numpy(), "memory": memory.numpy(), "memory_valid": valid.numpy()})[0]
        agreement[os.path.basename(path)] = float((got.argmax(-1) == reference.argmax(-1)).mean())
    model.to(device)
    return agreement


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", action="append", default=[])
    ap.add_argument("--tags", action="append", default=[])
    ap.add_argument("--audio", required=True)
    ap.add_argument("--audio-text", required=True)
    ap.add_argument("--audio-tags", required=True)
    ap.add_argument("--heldout", required=True)
    ap.add_argument("--heldout-text", required=True)
    ap.add_argument("--heldout-tags", required=True)
    ap.add_argument("--asr", required=True, help="the speech model (int8 ONNX) whose posteriors the tagger attends to")
    ap.add_argument("--gazetteers", required=True)
    ap.add_argument("--eval-names", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget-sec", type=float, default=300)
    ap.add_argument("--batch", type=int, default=96)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda")
    os.makedirs(args.out, exist_ok=True)
    say = json_log(os.path.join(args.out, "tagger.log"))

    held = eval_names(args.eval_names)
    names = read_list(os.path.join(args.gazetteers, "first-names.txt"), held) + \
        read_list(os.path.join(args.gazetteers, "surnames.txt"), held)
    places = read_list(os.path.join(args.gazetteers, "cities.txt"), held)
    text_pool = []
    for text_path, tags_path in zip(args.text, args.tags):
        text_pool += [Sample(w, l) for w, l in read_tagged(text_path, tags_path) if not held & set(w)]
    t0 = time.time()
    train_rows = read_manifest(args.audio)
    held_rows = read_manifest(args.heldout)
    post = posteriors(args.asr, train_rows + held_rows, device)
    audio_ref, audio_hyp = audio_samples(args.audio, args.audio_text, args.audio_tags, post)
    audio_ref = [s for s in audio_ref if not held & set(s.words)]
    audio_hyp = [s for s in audio_hyp if not held & set(s.words)]
    held_ref, held_hyp = audio_samples(args.heldout, args.heldout_text, args.heldout_tags, post)
    spans, plain = entity_spans(text_pool)
    vocabulary = sorted({w for words in plain for w in words})
    say(event="data", text=len(text_pool), entities=len(spans), plain=len(plain), audio=len(audio_ref), recognised=len(audio_hyp), heldout=len(held_ref),
        names=len(names), places=len(places), seconds=round(time.time() - t0, 1))

    model = Tagger(memory_dim=next(iter(post.values()))[0].shape[1]).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    parameters = sum(p.numel() for p in model.parameters())
    say(event="model", parameters=parameters, config=model.config)
    start, step, losses = time.time(), 0, []
    sets = {"heldout": held_ref, "heldout-recognised": held_hyp}
    while time.time() - start < args.budget_sec:
        progress = (time.time() - start) / args.budget_sec
        lr = 1e-3 * min(1.0, (step + 1) / 500) * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * progress)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        batch, with_audio = [], []
        for _ in range(args.batch):
            draw = rng.random()
            if draw < 0.2:
                words, labels = composed(spans, plain, rng)
                batch.append(Sample(swap_names(words, labels, names, places, rng) if rng.random() < 0.5 else words,
                                    labels))
            elif draw < 0.4:
                s = rng.choice(text_pool)
                words = swap_names(s.words, s.labels, names, places, rng) if rng.random() < 0.5 else s.words
                batch.append(Sample(replace_context(words, s.labels, vocabulary, rng), s.labels))
            else:
                batch.append(rng.choice(audio_ref if draw < 0.7 else audio_hyp))
            with_audio.append(batch[-1].memory is not None and rng.random() < 0.75)
        chars, memory, valid, targets = tensors(batch, device, True)
        valid &= torch.tensor(with_audio, device=device)[:, None]  # a quarter of audio samples train text-only
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(chars, memory, valid)
        loss = F.cross_entropy(logits.float().reshape(-1, len(LABELS)), targets.reshape(-1), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        losses.append(loss.detach())
        if step % 500 == 0:
            say(step=step, loss=round(float(torch.stack(losses).mean()), 4), lr=round(lr, 6))
            losses = []
        if step % 3000 == 0:
            say(event="eval", step=step, **evaluate(model, sets, device))
    result = evaluate(model, sets, device)
    say(event="final", step=step, **result)
    torch.save({"config": model.config, "model": model.state_dict(), "labels": LABELS, "chars": CHARS},
               os.path.join(args.out, "tagger.pt"))
    agreement = export(model, args.out, held_ref[0], device)
    info = {"labels": LABELS, "chars": CHARS, "config": model.config, "parameters": parameters, "steps": step,
            "trainSeconds": round(time.time() - start), "heldout": result, "onnxArgmaxAgreement": agreement,
            "memory": {"kind": "ctc-log-posteriors", "vocab": model.config["memory_dim"]}}
    with open(os.path.join(args.out, "tagger.export.json"), "w") as f:
        json.dump(info, f, indent=1)
    say(event="done", **{k: v for k, v in info.items() if k in ("onnxArgmaxAgreement", "steps")})


if __name__ == "__main__":
    main()
