"""Where a whole training step's time goes (GPU machine): batch gather -> augmentation -> fbank -> SpecAugment ->
model -> CTC -> AdamW, on random audio shaped like the real corpus (2-16 s utterances, ~14 characters a second),
so it runs before any data has arrived. Prints steps/s and audio-seconds/s, then torch.profiler's top operators
(self CUDA time and self CPU time) and how busy the GPU was.

  python3 scripts/train/profile_step.py [--code DIR] [--frames 20000] [--steps 20] [--profile-steps 10]

--code DIR imports train.py and its modules from DIR/scripts/train (an older checkout: the "before" figure).
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


def fake_corpus(train, device, hours, seed=0):
    """A Corpus of random int16 audio, built without WAV files (its attributes only)."""
    rng = np.random.default_rng(seed)
    lengths = []
    while sum(lengths) < hours * 3600 * 16000:
        lengths.append(int(rng.uniform(2, 16) * 16000))
    corpus = train.Corpus.__new__(train.Corpus)
    corpus.lengths = np.array(lengths, dtype=np.int64)
    corpus.offsets = np.concatenate(([0], np.cumsum(corpus.lengths)[:-1])).astype(np.int64)
    corpus.audio = torch.randint(-3000, 3000, (int(corpus.lengths.sum()),), dtype=torch.int16, device=device)
    letters = "abcdefghijklmnopqrstuvwxyz "
    corpus.texts = ["".join(rng.choice(list(letters), size=max(2, int(n / 16000 * 14)))).strip() or "a"
                    for n in lengths]
    corpus.labels = [torch.tensor(train.encode_text(t), dtype=torch.long) for t in corpus.texts]
    corpus.repeat = [1] * len(lengths)
    corpus.real = [True] * len(lengths)
    corpus.hours = hours
    return corpus


def legacy_stepper(train, model, corpus, augmenter, fbank, optimizer, device):
    """The step of train.py before the throughput work (lengths on the GPU), as its main loop did it."""
    from augment import spec_augment

    def step(batch):
        wave_batch, lengths = corpus.batch(batch)
        wave_batch, lengths = augmenter(wave_batch, lengths)
        feats, frames = fbank(wave_batch, lengths)
        feats = spec_augment(feats, frames)
        labels = [corpus.labels[i] for i in batch]
        with torch.autocast("cuda", dtype=torch.bfloat16):
            log_probs, out_lens = model(feats, frames)
        label_lens = torch.tensor([len(l) for l in labels])
        loss = F.ctc_loss(log_probs.float().transpose(0, 1), torch.cat(labels).to(device), out_lens,
                          label_lens.to(device), blank=0, reduction="sum", zero_infinity=True)
        loss = loss / label_lens.sum().to(device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        return int(torch.from_numpy(corpus.lengths[batch]).sum())
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", default=None, help="checkout whose scripts/train to profile (default: this one)")
    ap.add_argument("--frames", type=int, default=20000, help="--max-frames of the batches")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--profile-steps", type=int, default=10)
    ap.add_argument("--label", default=None)
    ap.add_argument("--cudnn-benchmark", action="store_true")
    ap.add_argument("--trace", default=None, help="write a Chrome trace of the profiled steps here")
    args = ap.parse_args()
    code = os.path.join(args.code, "scripts", "train") if args.code else os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, code)
    import train
    from augment import Augmenter
    from features import BatchedKaldiFbank
    from model import ConformerCtc, ModelConfig

    device = torch.device("cuda")
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = True
    corpus = fake_corpus(train, device, hours=max(2.0, args.frames / 10000))  # >= 40 batches
    noise = torch.randn(16000 * 60) * 0.1
    model = ConformerCtc(ModelConfig()).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), weight_decay=1e-3, fused=True)
    augmenter = Augmenter(noise, device, seed=1)
    fbank = BatchedKaldiFbank().to(device)
    legacy = not hasattr(train, "Trainer")
    if legacy:
        batches = train.make_batches(corpus, args.frames, random.Random(1))
        step = legacy_stepper(train, model, corpus, augmenter, fbank, optimizer, device)
    else:
        torch.backends.cudnn.benchmark = args.cudnn_benchmark
        train.disable_cudnn_attention()
        batches = train.epoch_batches(corpus, args.frames, 1, 0)
        trainer = train.Trainer(model, corpus, augmenter, fbank, device)

        def step(batch):
            return trainer.step(batch, optimizer, 1e-4)[1]
    # Warm-up: cuDNN autotuning and allocator growth stay out of the timing (several shapes appear).
    for batch in batches[:10]:
        step(batch)
    torch.cuda.synchronize()
    start, samples = time.time(), 0
    timed = batches[10:10 + args.steps]
    for batch in timed:
        samples += step(batch)
    torch.cuda.synchronize()
    elapsed = time.time() - start
    utterances = sum(len(b) for b in timed) / len(timed)
    result = {"label": args.label or ("before" if legacy else "after"), "maxFrames": args.frames,
              "cudnnBenchmark": torch.backends.cudnn.benchmark,
              "stepsPerS": round(len(timed) / elapsed, 2), "audioSecondsPerS": round(samples / 16000 / elapsed, 1),
              "msPerStep": round(1000 * elapsed / len(timed), 1), "utterancesPerBatch": round(utterances, 1),
              "gpuMemGiB": round(torch.cuda.max_memory_allocated() / 2**30, 1)}
    profiled = batches[10 + args.steps:10 + args.steps + args.profile_steps]
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU,
                                            torch.profiler.ProfilerActivity.CUDA]) as prof:
        wall = time.time()
        for batch in profiled:
            step(batch)
        torch.cuda.synchronize()
        wall = time.time() - wall
    events = prof.key_averages()
    device_time = "self_device_time_total" if hasattr(events[0], "self_device_time_total") else "self_cuda_time_total"
    gpu_busy = sum(getattr(e, device_time) for e in events) / 1e6
    # Summed over operators and their kernels, so GPU time is counted about twice: compare runs, not absolutes.
    result["profiledGpuBusyShare"] = round(gpu_busy / wall, 3)
    print(events.table(sort_by=device_time, row_limit=12, max_name_column_width=50))
    print(events.table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=50))
    if args.trace:
        prof.export_chrome_trace(args.trace)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
