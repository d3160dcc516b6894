"""Trains hushscribe's Conformer-CTC on real + synthetic speech with on-the-fly augmentation (GPU machine).

All audio sits in GPU memory as int16; each step augments waveforms, computes the batched Kaldi fbank
(features.py, equal to the native one) and applies SpecAugment, so no epoch hears the same audio twice.
Runs for --budget-sec of wall time and writes checkpoints that resume (see the model card for commands).
"""
import argparse
import json
import math
import os
import random
import sys
import time
import wave
from multiprocessing import Pool

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from augment import Augmenter, spec_augment  # noqa: E402
from features import BatchedKaldiFbank  # noqa: E402
from model import TOKENS, WORD_BOUNDARY, ConformerCtc, ModelConfig, count_parameters, encode_text  # noqa: E402
import prune  # noqa: E402

FRAME_SHIFT = 160


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getframerate() != 16000 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16 kHz 16-bit, got {w.getframerate()} Hz {8 * w.getsampwidth()}-bit")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels()).mean(axis=1).astype(np.int16)
        return data


def read_manifest(path):
    """TSV: wav path, normalised text (extra columns ignored). Relative paths are relative to the TSV."""
    rows = []
    base = os.path.dirname(path)
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[1].strip() or not parts[0].endswith(".wav"):
                continue  # header line or empty transcript
            wav = parts[0] if os.path.isabs(parts[0]) else os.path.join(base, parts[0])
            rows.append((wav, " ".join(parts[1].split())))
    return rows


class Corpus:
    """Utterances as slices of one int16 GPU tensor."""

    def __init__(self, rows, device, jobs=16, max_seconds=25.0):
        """rows: (wav path, text, repeat) — repeat is how often an utterance appears in each epoch."""
        with Pool(jobs) as pool:
            audio = pool.map(read_wav, [r[0] for r in rows], chunksize=64)
        keep = [i for i, a in enumerate(audio) if 0.3 * 16000 < len(a) < max_seconds * 16000]
        self.texts = [rows[i][1] for i in keep]
        self.repeat = [rows[i][2] if len(rows[i]) > 2 else 1 for i in keep]
        self.labels = [torch.tensor(encode_text(t), dtype=torch.long) for t in self.texts]
        lengths = np.array([len(audio[i]) for i in keep], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        self.lengths = lengths
        self.audio = torch.from_numpy(np.concatenate([audio[i] for i in keep])).to(device)
        self.hours = lengths.sum() / 16000 / 3600

    def __len__(self):
        return len(self.texts)

    def batch(self, idx):
        """Utterances idx as one zero-padded float batch [B, L] and their lengths, in one gather."""
        dev = self.audio.device
        lengths = torch.from_numpy(self.lengths[idx]).to(dev)
        offsets = torch.from_numpy(self.offsets[idx]).to(dev)
        pos = torch.arange(int(lengths.max()), device=dev)[None, :]
        valid = pos < lengths[:, None]
        gathered = self.audio[(offsets[:, None] + pos).clamp(max=self.audio.numel() - 1)]
        return gathered.float() * valid / 32768.0, lengths


def make_batches(corpus, max_frames, rng):
    """Length-bucketed batches of utterance indices whose padded size stays under max_frames feature frames."""
    items = [(i, int(corpus.lengths[i]) // FRAME_SHIFT) for i in range(len(corpus)) for _ in range(corpus.repeat[i])]
    rng.shuffle(items)
    batches = []
    for start in range(0, len(items), 2000):
        chunk = sorted(items[start:start + 2000], key=lambda it: it[1])
        batch, longest = [], 0
        for it in chunk:
            need = it[1] * 1.5  # room for speed perturbation and added silence
            if batch and max(longest, need) * (len(batch) + 1) > max_frames:
                batches.append(batch)
                batch, longest = [], 0
            batch.append(it[0])
            longest = max(longest, need)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def greedy_text(log_probs, length):
    ids = log_probs[:length].argmax(-1).tolist()
    out, prev = [], -1
    for i in ids:
        if i != prev and i != 0:
            out.append(TOKENS[i])
        prev = i
    return "".join(out).replace(WORD_BOUNDARY, " ").strip()


def word_errors(ref, hyp):
    r, h = ref.split(), hyp.split()
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


@torch.no_grad()
def evaluate(model, fbank, corpus, device, limit=200):
    model.eval()
    errors = words = 0
    examples = []
    for start in range(0, min(limit, len(corpus)), 32):
        idx = list(range(start, min(start + 32, limit, len(corpus))))
        wave_batch, lengths = corpus.batch(idx)
        feats, frames = fbank(wave_batch, lengths)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            log_probs, out_lens = model(feats, frames)
        for k, i in enumerate(idx):
            hyp = greedy_text(log_probs[k].float(), int(out_lens[k]))
            e, n = word_errors(corpus.texts[i], hyp)
            errors, words = errors + e, words + n
            if len(examples) < 3:
                examples.append({"ref": corpus.texts[i], "hyp": hyp})
    model.train()
    return errors / max(1, words), examples


def json_log(path):
    """A logger writing one JSON object a line (with a timestamp) to stdout and to `path` (appended)."""
    log = open(path, "a", buffering=1)

    def say(**fields):
        line = json.dumps({"t": round(time.time(), 1), **fields})
        print(line, flush=True)
        log.write(line + "\n")

    return say


def lr_at(progress, step, peak, warmup, floor=0.05, first_step=0):
    """Linear warm-up over `warmup` steps from first_step, then cosine decay by wall-time progress (so resumed
    runs keep the schedule); a warm-up never exceeds the cosine value it leads into."""
    cosine = peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))
    if step - first_step < warmup:
        return cosine * (step - first_step + 1) / warmup
    return cosine


def save(path, model, cfg, state, optimizer=None):
    blob = {"config": cfg.to_dict(), "state": state,
            "model": {k: v.detach().to(torch.float16 if optimizer is None else torch.float32).cpu()
                      for k, v in model.state_dict().items()}}
    if optimizer is not None:
        blob["optimizer"] = optimizer.state_dict()
    tmp = path + ".tmp"
    torch.save(blob, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", action="append", required=True, help="manifest.tsv[:repeat]")
    ap.add_argument("--heldout", action="append", default=[], help="name=manifest.tsv, greedy WER at each eval")
    ap.add_argument("--noise", required=True, help="directory of 16 kHz noise WAVs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget-sec", type=float, required=True, help="wall-clock training time of this run")
    ap.add_argument("--total-sec", type=float, default=None, help="schedule length (>= budget when resuming)")
    ap.add_argument("--resume", default=None)
    ap.add_argument("--init-from", default=None, help="start from this checkpoint's weights with a fresh schedule")
    ap.add_argument("--prune-heads", type=float, default=0.0, help="share of attention heads to remove (init-from)")
    ap.add_argument("--prune-ff", type=int, default=0, help="feed-forward width after pruning (init-from)")
    ap.add_argument("--prune-batches", type=int, default=40, help="batches to score head/channel importance on")
    ap.add_argument("--teacher", default=None, help="distil from this checkpoint's posteriors")
    ap.add_argument("--distil-weight", type=float, default=0.5, help="weight of the KL term against CTC")
    ap.add_argument("--max-frames", type=int, default=20000)
    ap.add_argument("--peak-lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--eval-every-sec", type=float, default=180)
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    say = json_log(os.path.join(args.out, "train.log"))

    t0 = time.time()
    rows = []
    for spec in args.train:
        path, _, repeat = spec.partition(":")
        manifest = read_manifest(path)
        rows.extend((wav, text, int(repeat or 1)) for wav, text in manifest)
        say(event="manifest", path=path, utterances=len(manifest), repeat=int(repeat or 1))
    corpus = Corpus(rows, device)
    say(event="loaded", utterances=len(corpus), hours=round(float(corpus.hours), 2))
    heldout = {}
    for spec in args.heldout:
        name, _, path = spec.partition("=")
        heldout[name] = Corpus(read_manifest(path), device)
    noise_files = sorted(os.path.join(args.noise, f) for f in os.listdir(args.noise) if f.endswith(".wav"))
    noise = torch.from_numpy(np.concatenate([read_wav(f) for f in noise_files])).float() / 32768.0
    say(event="data-ready", seconds=round(time.time() - t0, 1), noise_seconds=round(noise.numel() / 16000))

    state = {"step": 0, "train_seconds": 0.0, "total_sec": args.total_sec or args.budget_sec, "evals": []}
    cfg = ModelConfig(num_layers=args.layers, heads=[8] * args.layers)
    resumed = None
    if args.resume:
        resumed = torch.load(args.resume, map_location="cpu")
        cfg = ModelConfig(**resumed["config"])
        state.update(resumed["state"])
        if args.total_sec:
            state["total_sec"] = args.total_sec
    if args.init_from:
        source = torch.load(args.init_from, map_location="cpu")
        cfg = ModelConfig(**source["config"])
        state["init_from"] = {"path": os.path.basename(args.init_from), "step": source["state"]["step"]}
    model = ConformerCtc(cfg).to(device)
    if resumed:
        model.load_state_dict({k: v.float() for k, v in resumed["model"].items()})
    elif args.init_from:
        model.load_state_dict({k: v.float() for k, v in source["model"].items()})
    fbank = BatchedKaldiFbank().to(device)
    augmenter = Augmenter(noise, device, seed=args.seed + state["step"])

    def batch_inputs(batch, augment=True):
        wave_batch, lengths = corpus.batch(batch)
        if augment:
            wave_batch, lengths = augmenter(wave_batch, lengths)
        feats, frames = fbank(wave_batch, lengths)
        if augment:
            feats = spec_augment(feats, frames)
        labels = [corpus.labels[i] for i in batch]
        return feats, frames, labels

    def ctc(log_probs, out_lens, labels):
        label_lens = torch.tensor([len(l) for l in labels])
        loss = F.ctc_loss(log_probs.float().transpose(0, 1), torch.cat(labels).to(device), out_lens,
                          label_lens.to(device), blank=0, reduction="sum", zero_infinity=True)
        return loss / label_lens.sum().to(device)

    if args.init_from and (args.prune_heads > 0 or args.prune_ff > 0):
        scoring = make_batches(corpus, args.max_frames, random.Random(args.seed + 1))[:args.prune_batches]

        def scorer(batch):
            def loss():
                feats, frames, labels = batch_inputs(batch, augment=False)
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    log_probs, out_lens = model(feats, frames)
                return ctc(log_probs, out_lens, labels)
            return loss

        head_scores, ff_scores = prune.importance(model, [scorer(b) for b in scoring])
        keep = prune.plan(head_scores, args.prune_heads)
        before = count_parameters(model)
        model = prune.prune(model, keep, ff_scores, args.prune_ff or max(cfg.ff_dims or [cfg.ff_dim]))
        cfg = model.cfg
        state["pruning"] = {"kept_heads": keep, "head_scores": [[round(float(x), 4) for x in s] for s in head_scores],
                            "ff_dim": cfg.ff_dims[0], "parameters_before": before,
                            "parameters_after": count_parameters(model)}
        say(event="pruned", **state["pruning"])
    teacher = None
    if args.teacher:
        blob = torch.load(args.teacher, map_location="cpu")
        teacher = ConformerCtc(ModelConfig(**blob["config"])).to(device).eval()
        teacher.load_state_dict({k: v.float() for k, v in blob["model"].items()})
        for p in teacher.parameters():
            p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.peak_lr, betas=(0.9, 0.98), weight_decay=1e-3,
                                  fused=True)  # one kernel: the unfused step took 7.6 of 17 ms of GPU time
    warmup, first_step = args.warmup, state["step"]
    if resumed is not None and "optimizer" in resumed:
        optimizer.load_state_dict(resumed["optimizer"])
        warmup = 0
    elif resumed is not None:
        warmup = 300  # fresh Adam moments: a short re-warm-up
    say(event="model", parameters=count_parameters(model), config=cfg.to_dict(), resumed=bool(resumed))

    run_start = time.time()
    last_eval = run_start
    base_seconds = state["train_seconds"]
    losses = []
    done = False
    while not done:
        for batch in make_batches(corpus, args.max_frames, rng):
            elapsed = time.time() - run_start
            if elapsed >= args.budget_sec:
                done = True
                break
            state["train_seconds"] = base_seconds + elapsed
            progress = state["train_seconds"] / state["total_sec"]
            lr = lr_at(progress, state["step"], args.peak_lr, warmup, first_step=first_step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            feats, frames, labels = batch_inputs(batch)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                log_probs, out_lens = model(feats, frames)
            loss = ctc(log_probs, out_lens, labels)
            if teacher is not None:
                with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                    target, _ = teacher(feats, frames)
                valid = (torch.arange(log_probs.shape[1], device=device)[None, :] < out_lens[:, None]).float()
                # KL(teacher || student) per frame, averaged over real frames.
                kl = (target.float().exp() * (target.float() - log_probs.float())).sum(-1)
                loss = (1 - args.distil_weight) * loss + args.distil_weight * (kl * valid).sum() / valid.sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            state["step"] += 1
            losses.append(loss.detach())
            if state["step"] % 200 == 0:
                say(step=state["step"], loss=round(float(torch.stack(losses).mean()), 4), lr=round(lr, 6),
                    train_seconds=round(state["train_seconds"]), batch=len(batch))
                losses = []
            if time.time() - last_eval > args.eval_every_sec:
                last_eval = time.time()
                result = {name: evaluate(model, fbank, c, device) for name, c in heldout.items()}
                state["evals"].append({"step": state["step"], **{k: round(v[0], 4) for k, v in result.items()}})
                say(event="eval", step=state["step"], **{k: {"wer": round(v[0], 4), "examples": v[1]}
                                                         for k, v in result.items()})
                save(os.path.join(args.out, "resume.pt"), model, cfg, state, optimizer)
    result = {name: evaluate(model, fbank, c, device, limit=400) for name, c in heldout.items()}
    state["evals"].append({"step": state["step"], **{k: round(v[0], 4) for k, v in result.items()}})
    say(event="final", step=state["step"], train_seconds=round(state["train_seconds"]),
        **{k: {"wer": round(v[0], 4), "examples": v[1]} for k, v in result.items()})
    save(os.path.join(args.out, "resume.pt"), model, cfg, state, optimizer)
    save(os.path.join(args.out, "model.fp16.pt"), model, cfg, state)
    say(event="done")


if __name__ == "__main__":
    main()
