"""Where a training step's time goes (GPU machine): times forward + CTC + backward + AdamW on random features
shaped like a real batch, then prints torch.profiler's top operators.

  python3 scripts/train/profile_step.py [--frames 20000] [--steps 20]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from model import ConformerCtc, ModelConfig  # noqa: E402


def step_fn(model, optimizer, feats, lens, labels, label_lens):
    with torch.autocast("cuda", dtype=torch.bfloat16):
        log_probs, out_lens = model(feats, lens)
    loss = F.ctc_loss(log_probs.float().transpose(0, 1), labels, out_lens, label_lens, blank=0,
                      reduction="sum", zero_infinity=True) / label_lens.sum()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimizer.step()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=20000)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    model = ConformerCtc(ModelConfig()).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    t = 600
    n = args.frames // t
    feats = torch.randn(n, t, 80, device=device)
    lens = torch.full((n,), t, device=device)
    lens[: n // 2] = t * 3 // 4
    label_lens = torch.full((n,), 60, device=device)
    labels = torch.randint(1, 29, (int(label_lens.sum()),), device=device)
    for variant in ("default", "cudnn.benchmark"):
        torch.backends.cudnn.benchmark = variant == "cudnn.benchmark"
        for _ in range(3):
            step_fn(model, optimizer, feats, lens, labels, label_lens)
        torch.cuda.synchronize()
        start = time.time()
        for _ in range(args.steps):
            step_fn(model, optimizer, feats, lens, labels, label_lens)
        torch.cuda.synchronize()
        print(f"{variant}: {1000 * (time.time() - start) / args.steps:.1f} ms/step ({n} x {t} frames)", flush=True)
    torch.backends.cudnn.benchmark = False
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU,
                                            torch.profiler.ProfilerActivity.CUDA]) as prof:
        for _ in range(5):
            step_fn(model, optimizer, feats, lens, labels, label_lens)
        torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=18, max_name_column_width=60))


if __name__ == "__main__":
    main()
