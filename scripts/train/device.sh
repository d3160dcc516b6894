#!/usr/bin/env bash
# Runs recipe.sh on hushscribe's lent GPU machine, whose calls last at most 10 minutes, carry at most 64 MiB with
# the tree and keep /tmp only while calls follow each other. Not part of the recipe: on a machine that holds the
# data, run recipe.sh directly. The inputs are packed here by stage_bundle.py into .device/stage1..N (one call
# each) and this copy of scripts/ into .device/code (with COMMIT); every call runs from the repository root:
#   bash .device/code/scripts/train/device.sh receive            # carry .device/code .device/stageN; on chunk 1 it
#                                                                 # unpacks the tools and (PROFILE=1) profiles
#   LAST=1 bash .device/code/scripts/train/device.sh receive     # last chunk: joins, decodes the real speech
#   TRAIN_ARGS="..." WAIT=500 bash .device/code/scripts/train/device.sh train   # starts recipe.sh train, follows it
#   WAIT=500 bash .device/code/scripts/train/device.sh follow    # follows the run for WAIT seconds
#   bash .device/code/scripts/train/device.sh export             # waits for the end, exports, brings files back
# Environment: SYNTH_COUNT [12000], REAL_REPEAT [3], PROFILE [1], BEFORE [1: also profile the old code],
# WAIT [500], TRAIN_SECONDS (phase train: size the step budget from the profiled rate).
set -euo pipefail
phase=${1:?phase: receive, train, follow or export}
HERE=$(cd "$(dirname "$0")" && pwd)
W=/tmp/w
OUT=${OUT:?OUT must be set by the device tool}
export WORK=$W/work EXP=$W/work/exp TOOLS=/tmp/tts DATA=$W/in/data DECODER=/tmp/tts/usr/bin/opusdec
export SYNTH_COUNT=${SYNTH_COUNT:-12000} REAL_REPEAT=${REAL_REPEAT:-3} PYTHONUNBUFFERED=1
mkdir -p "$W/chunks" "$W/in" "$WORK"

follow() {  # prints the run's progress for up to WAIT seconds, or until it ends
  local end=$((SECONDS + ${WAIT:-500}))
  while [ $SECONDS -lt $end ] && ! grep -qE '"event": "(done|stopped)"' "$EXP/train.log" 2>/dev/null; do
    sleep 10
    if ! pgrep -f "$HERE/train.py" >/dev/null && ! grep -qE '"event": "(done|stopped)"' "$EXP/train.log" 2>/dev/null; then
      [ -f "$W/train.started" ] && { echo "training is not running"; tail -30 "$W/train.out"; break; }
    fi
  done
  grep -v '"event": "eval"' "$W/train.out" | tail -12 | cut -c1-400
  grep '"event": "eval"' "$W/train.out" | python3 -c 'import sys, json
for l in sys.stdin:
    e = json.loads(l); print("eval step", e["step"], {k: v["wer"] for k, v in e.items() if isinstance(v, dict)})'
  cp "$EXP/train.log" "$OUT/" 2>/dev/null || true
}

case "$phase" in
receive)
  for chunk in .device/stage*/chunk.*; do cp "$chunk" "$W/chunks/"; done
  ls "$W/chunks"
  if [ -f "$W/chunks/chunk.001" ] && [ ! -d /tmp/tts ]; then
    # The tools and speech.tsv lead the tar, so chunk 1 alone yields them (tar then stops at the cut: expected).
    tar -xf "$W/chunks/chunk.001" -C "$W/in" tts-root.tar.xz data/speech.tsv 2>/dev/null || true
    mkdir -p /tmp/tts && tar -xJf "$W/in/tts-root.tar.xz" -C /tmp/tts
    nvidia-smi -L; nproc
    python3 -c 'import torch, torchaudio, onnx, onnxruntime; print(torch.__version__, torchaudio.__version__, onnx.__version__, onnxruntime.__version__)'
    if [ "${PROFILE:-1}" = 1 ]; then  # before anything else runs on the machine: the step is CPU-sensitive
      if [ "${BEFORE:-1}" = 1 ]; then  # the code before the throughput work (a copy of it in .device/code/old)
        python3 "$HERE/profile_step.py" --code "$HERE/../../old" --frames 20000 > "$OUT/profile-before-20000.txt" 2>&1 \
          || tail -5 "$OUT/profile-before-20000.txt"
        tail -1 "$OUT/profile-before-20000.txt"
      fi
      for frames in 20000 60000; do
        python3 "$HERE/profile_step.py" --frames $frames > "$OUT/profile-after-$frames.txt" 2>&1 \
          || tail -5 "$OUT/profile-after-$frames.txt"
        tail -1 "$OUT/profile-after-$frames.txt"
      done
      # The measured rate at the training batch size sizes the step budget of a run that must fit the lease.
      tail -1 "$OUT/profile-after-60000.txt" | python3 -c 'import json, sys; print(json.load(sys.stdin)["stepsPerS"])' \
        > "$W/steps-per-s" || echo 5 > "$W/steps-per-s"
      cp "$OUT"/profile-*.txt "$W/"
    fi
    setsid nohup bash "$HERE/recipe.sh" prepare-synthetic > "$W/synth.log" 2>&1 < /dev/null &
  fi
  if [ "${LAST:-0}" = 1 ]; then
    cat "$W"/chunks/chunk.* | tar -x -C "$W/in"
    bash "$HERE/recipe.sh" prepare-real 2>&1 | tail -4
  fi
  tail -2 "$W/synth.log" || true
  ;;
train)
  while pgrep -f "scripts/data/synthesize.py|scripts/data/make_text.py" >/dev/null; do sleep 3; done
  tail -2 "$W/synth.log"
  bash "$HERE/recipe.sh" manifests
  if [ -n "${TRAIN_SECONDS:-}" ]; then  # a step budget sized from the profiled rate (80%: evals, real lengths)
    steps=$(python3 -c "print(int(float(open('$W/steps-per-s').read()) * 0.8 * $TRAIN_SECONDS))")
    export TRAIN_ARGS="--max-steps $steps --total-steps $steps ${TRAIN_ARGS:-}"
    echo "step budget $steps"
  fi
  touch "$W/train.started"
  setsid nohup bash "$HERE/recipe.sh" train > "$W/train.out" 2>&1 < /dev/null &
  sleep 5
  follow
  ;;
follow) follow ;;
export)
  while pgrep -f "$HERE/train.py" >/dev/null; do sleep 5; done
  follow
  bash "$HERE/recipe.sh" export | tail -2
  # At most 8 files come back: the small ones travel as one tar.
  mkdir -p "$W/back" && cp "$EXP/onnx/model.export.json" "$EXP/run.json" "$EXP/train.log" "$W"/profile-*.txt \
    "$WORK/data-manifest.json" "$W/train.out" "$W/back/" || true
  tar -czf "$OUT/run-files.tgz" -C "$W/back" .
  # Files come back at most 16 MiB each: split here, join with cat there.
  split -b 15M -d "$EXP/model.fp16.pt" "$OUT/model.fp16.pt.part"
  split -b 15M -d "$EXP/onnx/model.int8.onnx" "$OUT/model.int8.onnx.part"
  ls -la "$OUT"
  ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
