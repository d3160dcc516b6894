"""Trains the PII tagger (tagger_model.py) on text only, on a CPU, within a time budget (issue 14), and exports it.

  nice -n 10 /usr/bin/python3 scripts/train/tagger_cpu.py --text DIR/tagger-text.txt --tags DIR/tagger-text.tags \
      --out DIR/run [--init models/hushscribe-pii-tagger-v1/tagger.int8.onnx] [--budget-sec 1800] [--threads 1] \
      [--batch 16] [--lr 3e-4] [--seed 14]

--init fine-tunes an exported tagger (weights recovered by tagger_from_onnx.py) instead of starting from random
weights: on a shared 2-core CPU a step of 16 sentences takes 1-3 s, so 30 minutes see about 15,000 sentences,
far too few to train the model from scratch (the GPU run saw 670,000).

Data: scripts/data/tagger-text.ts output (faker values of the training locales in spoken form, carried by real
sentences; real sentences as negatives). 2% of it is kept apart to log word-level scores while training (same
generator, so those figures only show the fit; the evidence is `npm run eval -- redaction --set blind`).
The architecture and the ONNX interface are those of the GPU script (tagger.py), so `redaction/tagger.ts` loads
the result unchanged; the memory is always the "no audio" slot here (the cross-attention to CTC posteriors is not
trained: see the model card). Export: fp32 ONNX, then int8 weights with fp32 arithmetic (quantize.py `weights`
recipe: needs no onnxruntime for Python, which apt does not have), checked against torch on the kept-apart text.
Needs python3-torch and python3-onnx (Debian packages).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from quantize import copy_metadata, int8_weights  # noqa: E402
from tagger_from_onnx import state_dict_from_onnx  # noqa: E402
from tagger_model import CHARS, LABEL_ID, LABELS, Tagger, encode_chars, word_starts  # noqa: E402

MEMORY_DIM = 29  # hushscribe-en-v1's CTC vocabulary: the ONNX interface stays the GPU-trained model's


def read_tagged(text_path, tags_path):
    with open(text_path, encoding="utf-8") as t, open(tags_path, encoding="utf-8") as g:
        pairs = [(a.split(), b.split()) for a, b in zip(t, g)]
    for words, labels in pairs:
        if len(words) != len(labels):
            raise ValueError(f"{tags_path}: {len(labels)} labels for {len(words)} words")
    return [p for p in pairs if p[0]]


def tensors(batch):
    texts = [" ".join(w) for w, _ in batch]
    longest = max(len(t) for t in texts)
    chars = torch.zeros(len(batch), longest, dtype=torch.long)
    targets = torch.full((len(batch), longest), -100, dtype=torch.long)
    for k, ((_, labels), text) in enumerate(zip(batch, texts)):
        chars[k, :len(text)] = torch.tensor(encode_chars(text))
        for start, label in zip(word_starts(text), labels):
            targets[k, start] = LABEL_ID[label]
    memory = torch.zeros(len(batch), 1, MEMORY_DIM)
    valid = torch.zeros(len(batch), 1, dtype=torch.bool)
    return chars, memory, valid, targets


@torch.no_grad()
def word_scores(model, pairs):
    """Word-level micro precision / recall (type must match) and the share of PII words left O."""
    model.eval()
    tp = fp = fn = leaked = total = 0
    for start in range(0, len(pairs), 64):
        chunk = pairs[start:start + 64]
        chars, memory, valid, _ = tensors(chunk)
        logits = model(chars, memory, valid)
        for k, (words, labels) in enumerate(chunk):
            guesses = logits[k, word_starts(" ".join(words))].argmax(-1).tolist()
            for gold, guess in zip(labels, (LABELS[i] for i in guesses)):
                g, p = gold[2:] if gold != "O" else None, guess[2:] if guess != "O" else None
                if g:
                    total += 1
                    leaked += p is None
                if p and p == g:
                    tp += 1
                else:
                    fp += p is not None
                    fn += g is not None
    model.train()
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "leak": round(leaked / max(1, total), 4)}


def export(model, out_dir, sample):
    import onnx

    model = model.eval()
    chars, memory, valid, _ = tensors([sample])
    fp32 = os.path.join(out_dir, "tagger.fp32.onnx")
    torch.onnx.export(model, (chars, memory, valid), fp32, input_names=["chars", "memory", "memory_valid"],
                      output_names=["logits"], opset_version=17,
                      dynamic_axes={"chars": {0: "N", 1: "L"}, "memory": {0: "N", 1: "M"},
                                    "memory_valid": {0: "N", 1: "M"}, "logits": {0: "N", 1: "L"}})
    proto = onnx.load(fp32)
    int8_weights(proto)
    int8 = os.path.join(out_dir, "tagger.int8.onnx")
    onnx.save(proto, int8)
    copy_metadata(fp32, int8)
    onnx.checker.check_model(int8)
    return fp32, int8


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", required=True)
    ap.add_argument("--tags", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget-sec", type=float, default=1800)
    ap.add_argument("--init", help="exported tagger ONNX to fine-tune (default: random weights)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--max-chars", type=int, default=200, help="longer sentences are skipped (step time)")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "tagger.log"), "a", encoding="utf-8")

    def say(**fields):
        line = json.dumps({"t": round(time.time() - started, 1), **fields})
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    started = time.time()
    pairs = [p for p in read_tagged(args.text, args.tags) if len(" ".join(p[0])) <= args.max_chars]
    rng.shuffle(pairs)
    apart = pairs[:max(200, len(pairs) // 50)]
    train = pairs[len(apart):]
    model = Tagger(memory_dim=MEMORY_DIM)
    if args.init:
        model.load_state_dict(state_dict_from_onnx(args.init))
    parameters = sum(p.numel() for p in model.parameters())
    say(event="data", train=len(train), apart=len(apart), parameters=parameters, threads=args.threads, init=args.init)
    if args.init:
        say(event="apart", step=0, **word_scores(model, apart[:500]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    # Similar lengths in one batch: less padding, more sentences a second on a CPU.
    train.sort(key=lambda p: len(" ".join(p[0])))
    batches = [train[i:i + args.batch] for i in range(0, len(train), args.batch)]
    start, step, losses = time.time(), 0, []
    while time.time() - start < args.budget_sec:
        progress = (time.time() - start) / args.budget_sec
        lr = args.lr * min(1.0, (step + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * progress)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        chars, memory, valid, targets = tensors(rng.choice(batches))
        logits = model(chars, memory, valid)
        loss = F.cross_entropy(logits.reshape(-1, len(LABELS)), targets.reshape(-1), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        losses.append(float(loss))
        if step % 100 == 0:
            say(step=step, loss=round(sum(losses) / len(losses), 4), lr=round(lr, 6))
            losses = []
        if step % 400 == 0:
            say(event="apart", step=step, **word_scores(model, apart[:500]))
    train_seconds = round(time.time() - start)
    scores = word_scores(model, apart)
    say(event="final", step=step, **scores)
    torch.save({"config": model.config, "model": model.state_dict(), "labels": LABELS, "chars": CHARS},
               os.path.join(args.out, "tagger.pt"))
    fp32, int8 = export(model, args.out, apart[0])
    info = {"labels": LABELS, "chars": CHARS, "config": model.config, "parameters": parameters, "steps": step,
            "batch": args.batch, "lr": args.lr, "init": args.init, "trainSeconds": train_seconds, "threads": args.threads, "device": "cpu",
            "keptApartWordLevel": scores, "memory": {"kind": "ctc-log-posteriors", "vocab": MEMORY_DIM}}
    with open(os.path.join(args.out, "tagger.export.json"), "w") as f:
        json.dump(info, f, indent=1)
    say(event="done", fp32=fp32, int8=int8, steps=step)


if __name__ == "__main__":
    main()
