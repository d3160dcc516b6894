"""Exports a trained checkpoint to ONNX in sherpa-onnx's zipformer2_ctc layout, quantises it to int8 and checks
that onnxruntime agrees with PyTorch.

  python3 scripts/train/export.py --checkpoint model.fp16.pt --out models/hushscribe-en-v1 [--prefix model-sparse]
      [--quantization weights|dynamic]

The int8 recipe (quantize.py) is `weights` unless told otherwise: int8 weights, fp32 arithmetic.

Writes model.onnx (fp32, not committed), model.int8.onnx, tokens.txt and export.json (facts for the manifest).
Inputs x [N, T, 80] float32 and x_lens [N] int64; outputs log_probs [N, T', vocab] and log_probs_len [N].
"""
import argparse
import hashlib
import inspect
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(__file__))
from features import KALDI_OPTIONS  # noqa: E402
from model import TOKENS, ConformerCtc, ModelConfig, count_parameters  # noqa: E402
from quantize import quantize  # noqa: E402


# torch >= 2.5 would pick its dynamo exporter; the shipped graphs come from the TorchScript one (torch 1.13 has
# no choice and no `dynamo` argument).
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


class Exported(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, x_lens):
        log_probs, lens = self.model(x, x_lens)
        return log_probs, lens.to(torch.int64)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_checkpoint(path):
    blob = torch.load(path, map_location="cpu")
    cfg = ModelConfig(**blob["config"])
    model = ConformerCtc(cfg)
    model.load_state_dict({k: v.float() for k, v in blob["model"].items()})
    return model.eval(), cfg, blob.get("state", {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", default="model", help="file stem: model -> model.onnx, model.int8.onnx")
    ap.add_argument("--quantization", choices=["weights", "dynamic"], default="weights", help="int8 recipe (quantize.py)")
    ap.add_argument("--sample-wav", help="16 kHz WAV whose real features also check ONNX against PyTorch")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model, cfg, state = load_checkpoint(args.checkpoint)
    fp32 = os.path.join(args.out, f"{args.prefix}.onnx")
    int8 = os.path.join(args.out, f"{args.prefix}.int8.onnx")
    x = torch.randn(2, 300, cfg.num_bins)
    x_lens = torch.tensor([300, 211], dtype=torch.int64)
    torch.onnx.export(Exported(model).eval(), (x, x_lens), fp32, input_names=["x", "x_lens"],
                      output_names=["log_probs", "log_probs_len"], opset_version=17, **TORCHSCRIPT_EXPORTER,
                      dynamic_axes={"x": {0: "N", 1: "T"}, "x_lens": {0: "N"},
                                    "log_probs": {0: "N", 1: "T_out"}, "log_probs_len": {0: "N"}})
    proto = onnx.load(fp32)
    meta = {"model_type": "zipformer2_ctc", "model_author": "hushscribe", "vocab_size": str(len(TOKENS)),
            "subsampling_factor": "4", "feature_dim": str(cfg.num_bins), "heads": json.dumps(cfg.heads),
            "comment": "Conformer-CTC over characters, Kaldi fbank 80 (snip_edges false, 20..-400 Hz)"}
    del proto.metadata_props[:]
    for k, v in meta.items():
        proto.metadata_props.add(key=k, value=v)
    onnx.save(proto, fp32)
    quantize(args.quantization, fp32, int8)

    with open(os.path.join(args.out, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, t in enumerate(TOKENS):
            f.write(f"{t} {i}\n")
    checks = [("random-padded-batch", x, x_lens)]
    if args.sample_wav:
        from features import BatchedKaldiFbank
        from train import read_wav
        wave = torch.from_numpy(read_wav(args.sample_wav).astype(np.float32) / 32768.0)[None, :]
        feats, frames = BatchedKaldiFbank()(wave, torch.tensor([wave.shape[1]]))
        checks.append(("sample-wav", feats, frames.to(torch.int64)))
    report = {"parameters": count_parameters(model), "config": cfg.to_dict(), "features": KALDI_OPTIONS,
              "training": state, "quantization": args.quantization, "variants": {}}
    try:
        import onnxruntime as ort
    except ImportError:  # e.g. Debian's python3 (the smoke test): the files are written, the check is not run
        ort = None
        report["check"] = "skipped: onnxruntime is not installed"
    for path in (fp32, int8):
        entry = {"bytes": os.path.getsize(path), "sha256": sha256(path)}
        report["variants"][os.path.basename(path)] = entry
        if ort is None:
            continue
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        for name, inputs, lens in checks:
            with torch.no_grad():
                ref, ref_lens = model(inputs, lens)
            out, out_lens = sess.run(None, {"x": inputs.numpy(), "x_lens": lens.numpy()})
            assert (out_lens == ref_lens.numpy()).all(), (out_lens, ref_lens)
            diffs, agree = [], []
            for b, valid in enumerate(out_lens.tolist()):
                diffs.append(float(np.abs(out[b, :valid] - ref[b, :valid].numpy()).max()))
                agree.extend((out[b, :valid].argmax(-1) == ref[b, :valid].numpy().argmax(-1)).tolist())
            entry[name] = {"maxAbsDiffVsTorch": max(diffs), "argmaxAgreement": float(np.mean(agree))}
    with open(os.path.join(args.out, f"{args.prefix}.export.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report["variants"]))


if __name__ == "__main__":
    main()
