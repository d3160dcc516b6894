#!/usr/bin/env bash
# Drives the PII tagger's training on the GPU machine over several device calls (each <= 10 minutes; the machine
# keeps /tmp between calls that follow each other). Run from the repository root there; carried inputs live in
# .device/. The speech recogniser's phases that lived here are replaced by scripts/train/recipe.sh (the recipe)
# and scripts/train/device.sh (the same recipe over short device calls); see models/hushscribe-en-v1/README.md.
#   phase stage   : merge the carried piece .device/stageN into /tmp/work; the first piece (with the TTS tools)
#                   also starts the background preparation: corpus text + tags, synthesis, profiling
#   phase tagger  : train the PII tagger alone (after a stage call that carried the TTS tools and speech.tsv);
#                   phase tagger-export brings it back
# Environment: SYNTH_COUNT (templated sentences, default 20000), TAGGER_BUDGET (seconds, default 360), PROFILE (0
# skips the profile).
set -euo pipefail
phase=${1:?phase}
W=/tmp/work
CODE=$W/code
R=$W/${RUN:-run}  # a training run's folder (and $R.out its output): RUN names a second run beside the first
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True  # two runs share the GPU with less fragmentation
export LD_LIBRARY_PATH=/tmp/tts/usr/lib/x86_64-linux-gnu:/tmp/tts/lib/x86_64-linux-gnu:/tmp/tts/usr/lib/x86_64-linux-gnu/pulseaudio
OUT=${OUT:?OUT must be set by the device tool}
BUDGET=${BUDGET:-1200}
mkdir -p "$W"
# The repo copy can be re-synced between calls: background jobs run from a private copy of the scripts.
rm -rf "$CODE" && mkdir -p "$CODE" && cp -r scripts "$CODE/"

start_tagger() {  # the PII tagger, on the synthesized corpus and the dense model's int8 posteriors
  setsid nohup python3 "$CODE/scripts/train/tagger.py" \
    --text "$W/tagger-text.txt" --tags "$W/tagger-text.tags" \
    --audio "$W/synth-train/manifest.tsv" --audio-text "$W/synth-train.txt" --audio-tags "$W/synth-train.tags" \
    --heldout "$W/synth-heldout/manifest.tsv" --heldout-text "$W/synth-heldout.txt" \
    --heldout-tags "$W/synth-heldout.tags" --asr models/hushscribe-en-v1/model.int8.onnx --gazetteers redaction/gazetteers \
    --eval-names scripts/eval/redaction.ts --out "$W/tagger" --budget-sec "${TAGGER_BUDGET:-360}" \
    > "$W/tagger.out" 2>&1 < /dev/null &
}

case "$phase" in
stage)
  mkdir -p "$W/data"
  first=0
  for piece in .device/stage*; do
    if [ -f "$piece/tts-root.tar.xz" ]; then
      first=1
      mkdir -p /tmp/tts && tar -xJf "$piece/tts-root.tar.xz" -C /tmp/tts
      nvidia-smi -L
      python3 -c 'import torch, torchaudio, onnx, onnxruntime; print(torch.__version__, torchaudio.__version__, onnx.__version__, onnxruntime.__version__, torch.cuda.is_available())'
    fi
    [ -d "$piece/data" ] && cp -r "$piece/data/." "$W/data/"
    [ -f "$piece/dense.fp16.pt" ] && cp "$piece/dense.fp16.pt" "$W/dense.fp16.pt"
    for chunk in "$piece"/chunk.*; do [ -e "$chunk" ] && mkdir -p "$W/chunks" && cp "$chunk" "$W/chunks/"; done
    rm -rf "$piece"  # merged: the next call carries the next piece only
  done
  # Pieces may also be chunks of one tar (data and checkpoints, see the sparse variant's model card): the last
  # call joins and unpacks them.
  if [ "${LAST:-0}" = 1 ] && [ -d "$W/chunks" ]; then
    cat "$W"/chunks/chunk.* | tar -x -C "$W" && rm -rf "$W/chunks"  # the tar holds data/ and *.fp16.pt
  fi
  rm -f "$W/decode.done"
  # Decoding is cheap: each piece re-runs it, and only new files are decoded.
  setsid nohup bash -c "
    while [ -f $W/decode.lock ]; do sleep 1; done; touch $W/decode.lock
    python3 $CODE/scripts/train/prepare_real.py --tsv $W/data/speech.tsv --work $W --opusdec /tmp/tts/usr/bin/opusdec --data $W/data
    rm $W/decode.lock; touch $W/decode.done
  " >> "$W/decode.log" 2>&1 < /dev/null &
  if [ $first = 1 ]; then
    setsid nohup bash -c "
      set -x
      python3 $CODE/scripts/data/make_text.py --split train --count ${SYNTH_COUNT:-20000} --seed 1 --out $W/synth-train.txt --tags $W/synth-train.tags --speech-tsv $W/data/speech.tsv
      python3 $CODE/scripts/data/make_text.py --split heldout --count 300 --seed 2 --out $W/synth-heldout.txt --tags $W/synth-heldout.tags
      python3 $CODE/scripts/data/make_text.py --split train --count 60000 --seed 11 --out $W/tagger-text.txt --tags $W/tagger-text.tags --speech-tsv $W/data/speech.tsv
      python3 $CODE/scripts/data/synthesize.py --text $W/synth-heldout.txt --out $W/synth-heldout --split heldout --jobs 16 --prefix /tmp/tts
      python3 $CODE/scripts/data/synthesize.py --text $W/synth-train.txt --out $W/synth-train --split train --jobs 16 --prefix /tmp/tts
      touch $W/prep-text.done
    " > "$W/prep-text.log" 2>&1 < /dev/null &
    [ "${PROFILE:-1}" = 1 ] && python3 "$CODE/scripts/train/profile_step.py" 2>&1 | tee "$OUT/profile.txt"
  fi
  [ "${LAST:-0}" = 1 ] && touch "$W/stage-last.done"
  sleep 3; tail -n 3 "$W/prep-text.log" "$W/decode.log"
  ;;
tagger)
  # Tagger alone: needs only the piece with the TTS tools and speech.tsv (no real audio, no checkpoint).
  while [ ! -f "$W/prep-text.done" ]; do sleep 5; done
  start_tagger
  sleep "${WAIT:-60}"; tail -5 "$W/tagger.out"
  ;;
tagger-export)
  while ! grep -q '"event": "done"' "$W/tagger/tagger.log" 2>/dev/null && pgrep -f tagger.py >/dev/null; do sleep 5; done
  grep -v '"step"' "$W/tagger.out" | tail -6; cp "$W/tagger"/tagger.int8.onnx "$OUT/"
  tar -czf "$OUT/tagger-extra.tgz" -C "$W/tagger" --exclude '*.onnx' .
  ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
