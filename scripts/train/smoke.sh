#!/usr/bin/env bash
# Smoke test of the recipe on the CPU (minutes: 9 on a busy 2-core machine; not in CI): a few real and synthetic utterances, a tiny
# model, every stage; a run cut at step 10 and resumed must end with the same weights as one run to step 20.
#   bash scripts/train/smoke.sh            # needs python3 with torch + torchaudio + onnx (Debian: python3-torch
#                                          # python3-torchaudio python3-onnx), ffmpeg, espeak-ng and flite
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export WORK=${WORK:-$(mktemp -d /tmp/hushscribe-smoke.XXXXXX)} LIMIT=${LIMIT:-24} DECODER=${DECODER:-ffmpeg} TOOLS=${TOOLS:-/}
export CONFIG=$HERE/configs/smoke.args JOBS=${JOBS:-2}
PYTHON=${PYTHON:-python3}
$PYTHON -c 'import torch, torchaudio, onnx' 2>/dev/null || PYTHON=/usr/bin/python3
export PYTHON
echo "smoke test in $WORK with $PYTHON"
bash "$HERE/recipe.sh" prepare > "$WORK/prepare.log" 2>&1 || { tail -20 "$WORK/prepare.log"; exit 1; }
bash "$HERE/recipe.sh" manifests
EXP=$WORK/cut TRAIN_ARGS="--max-steps 10 --total-steps 20" bash "$HERE/recipe.sh" train > "$WORK/cut-1.log"
EXP=$WORK/cut TRAIN_ARGS="--max-steps 20 --total-steps 20" bash "$HERE/recipe.sh" train > "$WORK/cut-2.log"
EXP=$WORK/whole TRAIN_ARGS="--max-steps 20 --total-steps 20" bash "$HERE/recipe.sh" train > "$WORK/whole.log"
grep '"step": 20' "$WORK/whole.log" | tail -2
$PYTHON - "$WORK" <<'PY'
import json, sys, torch
work = sys.argv[1]
cut, whole = (torch.load(f"{work}/{name}/resume.pt") for name in ("cut", "whole"))
diff = max(float((cut["model"][k] - whole["model"][k]).abs().max()) for k in whole["model"])
run = json.load(open(f"{work}/cut/run.json"))
assert cut["state"]["step"] == whole["state"]["step"] == 20, (cut["state"]["step"], whole["state"]["step"])
for key in ("code_commit", "args", "config", "data", "data_hash", "seed", "versions"):
    assert key in run, f"run.json lacks {key}"
print(json.dumps({"resumedVsWholeMaxAbsDiff": diff, "step": run["step"], "data_hash": run["data_hash"][:12]}))
assert diff < 1e-5, f"a resumed run differs from an uninterrupted one by {diff}"
PY
EXP=$WORK/cut bash "$HERE/recipe.sh" export | tail -1
ls -la "$WORK/cut/onnx"
echo "smoke test passed"
