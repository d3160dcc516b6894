"""Trains hushscribe's Conformer-CTC on real + synthetic speech with on-the-fly augmentation (stage `train` of
scripts/train/recipe.sh; runs on any CUDA machine, and on the CPU for the smoke test).

All audio sits in device memory as int16; each step augments waveforms, computes the batched Kaldi fbank
(features.py, equal to the native one) and applies SpecAugment, so no epoch hears the same audio twice.
Budgets are in optimizer steps: --max-steps ends this run, --total-steps is the schedule's length, so a run cut
into pieces (--resume) follows the same schedule and batch order as one run. Every checkpoint is written with
run.json beside it (code commit, arguments, model config, data manifest hashes, seed, versions).

Throughput (model card, "Training throughput"): lengths stay on the host, so a step never waits for the GPU
(the CTC loss and the framing read them there); padded lengths are rounded up to a few shapes, so cuDNN's
autotuned convolutions are reused; batches are as large as --max-frames allows after reserving only what speed
perturbation and added silence can add.
"""
import argparse
import hashlib
import json
import math
import os
import platform
import random
import sys
import time
import wave
from multiprocessing import Pool

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from augment import MAX_SILENCE_SAMPLES, MAX_SPEEDUP, Augmenter, spec_augment  # noqa: E402
from features import LOG_FLOOR, BatchedKaldiFbank  # noqa: E402
from model import (TOKENS, WORD_BOUNDARY, ConformerCtc, ModelConfig, count_parameters, encode_text,  # noqa: E402
                   subsampled_lengths)
import prune  # noqa: E402

FRAME_SHIFT = 160
SAMPLE_RATE = 16000


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
    """Utterances as slices of one int16 device tensor."""

    def __init__(self, rows, device, jobs=16, max_seconds=25.0):
        """rows: (wav path, text[, repeat[, is_real]]) — repeat is how often an utterance appears in each epoch."""
        with Pool(max(1, min(jobs, os.cpu_count() or 1))) as pool:
            audio = pool.map(read_wav, [r[0] for r in rows], chunksize=64)
        keep = [i for i, a in enumerate(audio) if 0.3 * SAMPLE_RATE < len(a) < max_seconds * SAMPLE_RATE]
        self.texts = [rows[i][1] for i in keep]
        self.repeat = [rows[i][2] if len(rows[i]) > 2 else 1 for i in keep]
        self.real = [rows[i][3] if len(rows[i]) > 3 else True for i in keep]
        self.labels = [torch.tensor(encode_text(t), dtype=torch.long) for t in self.texts]
        lengths = np.array([len(audio[i]) for i in keep], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.lengths = lengths
        self.audio = torch.from_numpy(np.concatenate([audio[i] for i in keep])).to(device)
        self.hours = lengths.sum() / SAMPLE_RATE / 3600

    def __len__(self):
        return len(self.texts)

    def real_share(self):
        """Share of one epoch's audio (repeats counted) that is real speech."""
        weighted = self.lengths * np.array(self.repeat)
        return float(weighted[np.array(self.real, dtype=bool)].sum() / max(1, weighted.sum()))

    def batch(self, idx, pad_to=1):
        """Utterances idx as one zero-padded float batch [B, L] (L rounded up to pad_to samples) on the device,
        and their lengths as a host tensor, in one gather."""
        dev = self.audio.device
        lengths = torch.from_numpy(self.lengths[idx])
        width = -(-int(lengths.max()) // pad_to) * pad_to
        # The [B, L] index is built on the device from B offsets: copying it from the host cost 25 MB a step.
        pos = torch.arange(width, device=dev)[None, :]
        valid = pos < lengths.to(dev, non_blocking=True)[:, None]
        offsets = torch.from_numpy(self.offsets[idx]).to(dev, non_blocking=True)
        gathered = self.audio[(offsets[:, None] + pos).clamp(max=self.audio.numel() - 1)]
        return gathered.float() * valid / 32768.0, lengths


def epoch_batches(corpus, max_frames, seed, epoch):
    """Length-bucketed batches of utterance indices whose padded size stays under max_frames feature frames after
    augmentation. The order depends only on (seed, epoch), so a resumed run continues the same sequence."""
    rng = random.Random(seed * 100003 + epoch)
    items = [(i, int(corpus.lengths[i]) // FRAME_SHIFT) for i in range(len(corpus)) for _ in range(corpus.repeat[i])]
    rng.shuffle(items)
    grow = MAX_SILENCE_SAMPLES // FRAME_SHIFT
    batches = []
    for start in range(0, len(items), 2000):
        chunk = sorted(items[start:start + 2000], key=lambda it: it[1])
        batch, longest = [], 0
        for it in chunk:
            need = it[1] * MAX_SPEEDUP + grow  # the longest an augmented utterance can get
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


def autocast(device):
    """bf16 autocast on CUDA; plain fp32 on the CPU (the smoke test)."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


@torch.no_grad()
def evaluate(model, fbank, corpus, device, limit=200):
    model.eval()
    errors = words = 0
    examples = []
    for start in range(0, min(limit, len(corpus)), 32):
        idx = list(range(start, min(start + 32, limit, len(corpus))))
        wave_batch, lengths = corpus.batch(idx)
        feats, frames = fbank(wave_batch, lengths)
        with autocast(device):
            log_probs, _ = model(feats, frames.to(device))
        out_lens = subsampled_lengths(frames)
        log_probs = log_probs.float().cpu()
        for k, i in enumerate(idx):
            hyp = greedy_text(log_probs[k], int(out_lens[k]))
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


def lr_at(step, total_steps, peak, warmup, floor=0.05):
    """Linear warm-up over `warmup` steps, then cosine decay over the schedule's total_steps; a warm-up never
    exceeds the cosine value it leads into."""
    progress = min(1.0, step / max(1, total_steps))
    cosine = peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))
    if step < warmup:
        return cosine * (step + 1) / warmup
    return cosine


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def versions(device):
    out = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
           "platform": platform.platform()}
    try:
        import torchaudio
        out["torchaudio"] = torchaudio.__version__
    except ImportError:
        pass
    if device.type == "cuda":
        out.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                   gpu=torch.cuda.get_device_name(device))
    return out


def code_commit():
    """The commit the code came from: COMMIT beside scripts/ (written when the code is copied to a GPU machine),
    else git."""
    here = os.path.dirname(os.path.abspath(__file__))
    stamp = os.path.join(here, "..", "..", "COMMIT")
    if os.path.exists(stamp):
        return open(stamp).read().strip()
    try:
        import subprocess
        return subprocess.run(["git", "-C", here, "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def save(path, model, cfg, state, manifest, optimizer=None, rng=None):
    """A checkpoint (fp16 weights, or fp32 + optimizer + RNG for resuming) and run.json beside it."""
    blob = {"config": cfg.to_dict(), "state": state,
            "model": {k: v.detach().to(torch.float16 if optimizer is None else torch.float32).cpu()
                      for k, v in model.state_dict().items()}}
    if optimizer is not None:
        blob["optimizer"] = optimizer.state_dict()
        blob["rng"] = rng
    tmp = path + ".tmp"
    torch.save(blob, tmp)
    os.replace(tmp, path)
    with open(os.path.join(os.path.dirname(path), "run.json.tmp"), "w") as f:
        json.dump({**manifest, "step": state["step"], "evals": state.get("evals", [])}, f, indent=1)
    os.replace(os.path.join(os.path.dirname(path), "run.json.tmp"), os.path.join(os.path.dirname(path), "run.json"))


def rng_state(augmenter, device):
    return {"torch": torch.get_rng_state(), "augmenter": augmenter.state(),
            "cuda": torch.cuda.get_rng_state(device) if device.type == "cuda" else None}


def restore_rng(blob, augmenter, device):
    torch.set_rng_state(blob["torch"])
    augmenter.restore(blob["augmenter"])
    if device.type == "cuda" and blob.get("cuda") is not None:
        torch.cuda.set_rng_state(blob["cuda"], device)


def load_initial_weights(args, cfg):
    """(config, state dict, where from) for --init-from (a checkpoint) or --init-from-onnx (a shipped file)."""
    if args.init_from:
        source = torch.load(args.init_from, map_location="cpu")
        return (ModelConfig(**source["config"]), {k: v.float() for k, v in source["model"].items()},
                {"path": os.path.basename(args.init_from), "step": source["state"]["step"]})
    import onnx
    from onnx_weights import config_from_onnx, state_dict_from_onnx
    cfg = ModelConfig(**{**cfg.to_dict(), **config_from_onnx(onnx.load(args.init_from_onnx))})
    keys = list(ConformerCtc(cfg).state_dict().keys())
    weights = {k: torch.from_numpy(np.array(v)) for k, v in state_dict_from_onnx(args.init_from_onnx, keys).items()}
    return cfg, weights, {"onnx": os.path.basename(args.init_from_onnx), "sha256": file_sha256(args.init_from_onnx)}


def disable_cudnn_attention():
    """cuDNN's attention kernels build a plan for every new shape: ~5.6 ms of CPU per call, 20 calls a step with
    lengths that change every batch (profile_step.py). Flash / memory-efficient attention need no plan."""
    if hasattr(torch.backends.cuda, "enable_cudnn_sdp"):
        torch.backends.cuda.enable_cudnn_sdp(False)


class Trainer:
    """One optimizer step = batch -> augment -> fbank -> SpecAugment -> model -> CTC (+ distillation) -> AdamW.
    Lengths stay host tensors throughout, so nothing in a step waits for the GPU."""

    def __init__(self, model, corpus, augmenter, fbank, device, pad_to=SAMPLE_RATE // 4, frame_pad=32,
                 teacher=None, distil_weight=0.5):
        self.model, self.corpus, self.augmenter, self.fbank = model, corpus, augmenter, fbank
        self.device, self.pad_to, self.frame_pad = device, pad_to, frame_pad
        self.teacher, self.distil_weight = teacher, distil_weight
        self.augment = True

    def inputs(self, batch, augment):
        wave_batch, lengths = self.corpus.batch(batch, self.pad_to)
        samples = int(lengths.sum())  # the corpus audio this step learns from (before speed and silence)
        if augment:
            wave_batch, lengths = self.augmenter(wave_batch, lengths)
        feats, frames = self.fbank(wave_batch, lengths)
        width = -(-feats.shape[1] // self.frame_pad) * self.frame_pad  # a few shapes: cuDNN reuses its choice
        if width > feats.shape[1]:
            feats = F.pad(feats, (0, 0, 0, width - feats.shape[1]), value=LOG_FLOOR)
        frames_dev = frames.to(self.device, non_blocking=True)
        if augment:
            feats = spec_augment(feats, frames_dev)
        labels = [self.corpus.labels[i] for i in batch]
        return feats, frames, frames_dev, labels, samples

    def ctc(self, log_probs, frames, labels):
        out_lens = subsampled_lengths(frames)  # host tensors: F.ctc_loss copies device lengths to the host
        label_lens = torch.tensor([len(l) for l in labels])
        targets = torch.cat(labels).to(self.device, non_blocking=True)
        loss = F.ctc_loss(log_probs.float().transpose(0, 1), targets, out_lens, label_lens, blank=0,
                          reduction="sum", zero_infinity=True)
        return loss / int(label_lens.sum())

    def loss(self, batch, augment=None):
        """(loss, audio samples in the batch)."""
        augment = self.augment if augment is None else augment
        feats, frames, frames_dev, labels, samples = self.inputs(batch, augment)
        with autocast(self.device):
            log_probs, out_lens = self.model(feats, frames_dev)
        loss = self.ctc(log_probs, frames, labels)
        if self.teacher is not None:
            with torch.no_grad(), autocast(self.device):
                target, _ = self.teacher(feats, frames_dev)
            valid = (torch.arange(log_probs.shape[1], device=self.device)[None, :] < out_lens[:, None]).float()
            # KL(teacher || student) per frame, averaged over real frames.
            kl = (target.float().exp() * (target.float() - log_probs.float())).sum(-1)
            loss = (1 - self.distil_weight) * loss + self.distil_weight * (kl * valid).sum() / valid.sum()
        return loss, samples

    def step(self, batch, optimizer, lr):
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss, samples = self.loss(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        optimizer.step()
        return loss.detach(), samples


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", action="append", required=True,
                    help="manifest.tsv[:repeat[:synthetic]] (repeat = epochs of it per epoch; 'synthetic' marks TTS)")
    ap.add_argument("--heldout", action="append", default=[], help="name=manifest.tsv, greedy WER at each eval")
    ap.add_argument("--noise", required=True, help="directory of 16 kHz noise WAVs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-steps", type=int, required=True, help="this run stops at this (global) step")
    ap.add_argument("--total-steps", type=int, default=None, help="schedule length in steps (default max-steps)")
    ap.add_argument("--time-limit-sec", type=float, default=None,
                    help="safety stop for short machine leases: checkpoint and exit early; --resume continues exactly")
    ap.add_argument("--resume", default=None, help="resume.pt to continue from ('auto': OUT/resume.pt if present)")
    ap.add_argument("--init-from", default=None, help="start from this checkpoint's weights with a fresh schedule")
    ap.add_argument("--init-from-onnx", default=None, help="start from a shipped ONNX model's (dequantised) weights")
    ap.add_argument("--prune-heads", type=float, default=0.0, help="share of attention heads to remove (init-from)")
    ap.add_argument("--prune-ff", type=int, default=0, help="feed-forward width after pruning (init-from)")
    ap.add_argument("--prune-batches", type=int, default=40, help="batches to score head/channel importance on")
    ap.add_argument("--teacher", default=None, help="distil from this checkpoint's posteriors")
    ap.add_argument("--distil-weight", type=float, default=0.5, help="weight of the KL term against CTC")
    ap.add_argument("--max-frames", type=int, default=60000, help="feature frames per batch, padding included")
    ap.add_argument("--peak-lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=500, help="steps between held-out evaluations + checkpoints")
    ap.add_argument("--eval-limit", type=int, default=200, help="utterances per held-out set at each evaluation")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--heads", type=int, default=8, help="attention heads per layer (32 dimensions each)")
    ap.add_argument("--ff-dim", type=int, default=1024)
    ap.add_argument("--subsampling-channels", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--pad-to", type=int, default=SAMPLE_RATE // 4, help="round padded batch length up (samples)")
    ap.add_argument("--jobs", type=int, default=16, help="processes reading WAVs")
    ap.add_argument("--cudnn-benchmark", action="store_true", help="let cuDNN autotune convolutions per shape")
    ap.add_argument("--no-augment", action="store_true", help="train on clean audio (ablations only)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.init_from and args.init_from_onnx:
        sys.exit("Expected at most one of --init-from and --init-from-onnx")
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.benchmark = args.cudnn_benchmark
        disable_cudnn_attention()
    os.makedirs(args.out, exist_ok=True)
    say = json_log(os.path.join(args.out, "train.log"))
    resume_path = os.path.join(args.out, "resume.pt") if args.resume == "auto" else args.resume
    if resume_path and not os.path.exists(resume_path):
        if args.resume != "auto":
            sys.exit(f"--resume {resume_path}: no such file")
        resume_path = None

    t0 = time.time()
    rows, data = [], []
    for spec in args.train:
        path, _, rest = spec.partition(":")
        repeat, _, kind = rest.partition(":")
        manifest = read_manifest(path)
        real = kind != "synthetic"
        rows.extend((wav, text, int(repeat or 1), real) for wav, text in manifest)
        data.append({"manifest": os.path.basename(path), "sha256": file_sha256(path), "utterances": len(manifest),
                     "repeat": int(repeat or 1), "real": real})
        say(event="manifest", path=path, utterances=len(manifest), repeat=int(repeat or 1), real=real)
    corpus = Corpus(rows, device, jobs=args.jobs)
    heldout = {}
    for spec in args.heldout:
        name, _, path = spec.partition("=")
        if not read_manifest(path):
            say(event="heldout-empty", name=name, path=path)  # e.g. evaluated elsewhere: not staged
            continue
        heldout[name] = Corpus(read_manifest(path), device, jobs=args.jobs)
        data.append({"heldout": name, "manifest": os.path.basename(path), "sha256": file_sha256(path)})
    noise_files = sorted(os.path.join(args.noise, f) for f in os.listdir(args.noise) if f.endswith(".wav"))
    noise = torch.from_numpy(np.concatenate([read_wav(f) for f in noise_files])).float() / 32768.0
    data.append({"noise_files": len(noise_files),
                 "sha256": hashlib.sha256(noise.numpy().tobytes()).hexdigest()})
    data_hash = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    say(event="data-ready", seconds=round(time.time() - t0, 1), utterances=len(corpus),
        hours=round(float(corpus.hours), 2), real_share=round(corpus.real_share(), 3),
        noise_seconds=round(noise.numel() / SAMPLE_RATE))

    state = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "total_steps": args.total_steps or args.max_steps,
             "evals": []}
    cfg = ModelConfig(num_layers=args.layers, heads=[args.heads] * args.layers, d_model=args.d_model,
                      ff_dim=args.ff_dim, subsampling_channels=args.subsampling_channels)
    resumed = weights = None
    if resume_path:
        resumed = torch.load(resume_path, map_location="cpu")
        cfg = ModelConfig(**resumed["config"])
        state.update(resumed["state"])
        if args.total_steps:
            state["total_steps"] = args.total_steps
        weights = {k: v.float() for k, v in resumed["model"].items()}
    elif args.init_from or args.init_from_onnx:
        cfg, weights, state["init_from"] = load_initial_weights(args, cfg)
    model = ConformerCtc(cfg).to(device)
    if weights is not None:
        model.load_state_dict(weights)
    fbank = BatchedKaldiFbank().to(device)
    augmenter = Augmenter(noise, device, seed=args.seed)
    teacher = None
    if args.teacher:
        blob = torch.load(args.teacher, map_location="cpu")
        teacher = ConformerCtc(ModelConfig(**blob["config"])).to(device).eval()
        teacher.load_state_dict({k: v.float() for k, v in blob["model"].items()})
        for p in teacher.parameters():
            p.requires_grad_(False)
    trainer = Trainer(model, corpus, augmenter, fbank, device, pad_to=args.pad_to, teacher=teacher,
                      distil_weight=args.distil_weight)
    trainer.augment = not args.no_augment

    if not resumed and args.init_from and (args.prune_heads > 0 or args.prune_ff > 0):
        scoring = epoch_batches(corpus, args.max_frames, args.seed + 1, 0)[:args.prune_batches]
        scorers = [lambda b=b: trainer.loss(b, augment=False)[0] for b in scoring]
        head_scores, ff_scores = prune.importance(model, scorers)
        keep = prune.plan(head_scores, args.prune_heads)
        before = count_parameters(model)
        model = prune.prune(model, keep, ff_scores, args.prune_ff or max(cfg.ff_dims or [cfg.ff_dim]))
        trainer.model, cfg = model, model.cfg
        state["pruning"] = {"kept_heads": keep, "head_scores": [[round(float(x), 4) for x in s] for s in head_scores],
                            "ff_dim": cfg.ff_dims[0], "parameters_before": before,
                            "parameters_after": count_parameters(model)}
        say(event="pruned", **state["pruning"])
    fused = {"fused": True} if device.type == "cuda" else {}  # one kernel: the unfused step took 7.6 of 17 ms
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.peak_lr, betas=(0.9, 0.98), weight_decay=1e-3, **fused)
    if resumed is not None:
        optimizer.load_state_dict(resumed["optimizer"])
        restore_rng(resumed["rng"], augmenter, device)
    manifest = {"code_commit": code_commit(), "args": vars(args), "config": cfg.to_dict(),
                "parameters": count_parameters(model), "data": data, "data_hash": data_hash, "seed": args.seed,
                "real_share": round(corpus.real_share(), 4), "versions": versions(device),
                "init_from": state.get("init_from")}
    say(event="model", parameters=count_parameters(model), config=cfg.to_dict(), resumed=bool(resumed),
        step=state["step"], total_steps=state["total_steps"], code_commit=manifest["code_commit"])

    def run_evals(limit):
        result = {name: evaluate(model, fbank, c, device, limit=limit) for name, c in heldout.items()}
        state["evals"].append({"step": state["step"], **{k: round(v[0], 4) for k, v in result.items()}})
        return {k: {"wer": round(v[0], 4), "examples": v[1]} for k, v in result.items()}

    def checkpoint():
        save(os.path.join(args.out, "resume.pt"), model, cfg, state, manifest, optimizer,
             rng_state(augmenter, device))

    if weights is not None and not resumed and heldout:
        say(event="eval", step=state["step"], **run_evals(args.eval_limit))  # the starting point
    run_start = time.time()
    window_start, window_samples, window_steps, losses = time.time(), 0, 0, []
    stopped_early = False
    while state["step"] < args.max_steps and not stopped_early:
        batches = epoch_batches(corpus, args.max_frames, args.seed, state["epoch"])
        while state["batch_in_epoch"] < len(batches) and state["step"] < args.max_steps:
            batch = batches[state["batch_in_epoch"]]
            lr = lr_at(state["step"], state["total_steps"], args.peak_lr, args.warmup)
            loss, samples = trainer.step(batch, optimizer, lr)
            state["step"] += 1
            state["batch_in_epoch"] += 1
            losses.append(loss)
            window_samples += samples
            window_steps += 1
            if state["step"] % args.log_every == 0:
                mean_loss = float(torch.stack(losses).mean())  # the one wait for the GPU in a logging window
                elapsed = time.time() - window_start
                say(step=state["step"], epoch=state["epoch"], loss=round(mean_loss, 4), lr=round(lr, 6),
                    steps_per_s=round(window_steps / elapsed, 2),
                    audio_s_per_s=round(window_samples / SAMPLE_RATE / elapsed, 1), batch=len(batch))
                window_start, window_samples, window_steps, losses = time.time(), 0, 0, []
            if state["step"] % args.eval_every == 0:
                if heldout:
                    say(event="eval", step=state["step"], **run_evals(args.eval_limit))
                checkpoint()
                window_start, window_samples, window_steps, losses = time.time(), 0, 0, []
            if args.time_limit_sec and time.time() - run_start > args.time_limit_sec:
                stopped_early = True
                break
        if state["batch_in_epoch"] >= len(batches):
            state["epoch"] += 1
            state["batch_in_epoch"] = 0
    if heldout and (not state["evals"] or state["evals"][-1]["step"] != state["step"]):
        say(event="eval", step=state["step"], **run_evals(args.eval_limit))
    checkpoint()
    save(os.path.join(args.out, "model.fp16.pt"), model, cfg, state, manifest)
    say(event="done" if not stopped_early else "stopped", step=state["step"],
        seconds=round(time.time() - run_start, 1), evals=state["evals"][-1:] if state["evals"] else [])


if __name__ == "__main__":
    main()
