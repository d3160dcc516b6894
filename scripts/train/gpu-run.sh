#!/usr/bin/env bash
# Drives training on the GPU machine over several device calls (each <= 10 minutes; the machine keeps /tmp
# while calls follow each other). Run from the repository root there; carried inputs live in .device/.
# The real speech (../shared/data, ~81 MB) and the TTS tools travel in pieces, because a call carries at most
# 64 MiB with the tree: scripts/train/stage-chunks.sh splits them into .device/stage1..N (see the model cards).
#   phase stage   : merge the carried piece .device/stageN into /tmp/work; the first piece (with the TTS tools)
#                   also starts the background preparation: corpus text + tags, synthesis, profiling
#   phase train   : smoke-test training + export, wait for the data, start the dense run in the background
#   phase sparse  : smoke-test pruning, then prune + distil the dense checkpoint (TEACHER) in the background,
#                   and train the PII tagger beside it (TAGGER_BUDGET seconds)
#   phase tagger  : train the PII tagger alone (after a stage call that carried the TTS tools and speech.tsv);
#                   phase tagger-export brings it back
#   phase wait    : follow the run for up to WAIT seconds, then copy its log to $OUT
#   phase export  : wait for the run (and the tagger) to finish, export ONNX (fp32 + int8), bring everything back
# Environment: BUDGET (training seconds, default 1200), SYNTH_COUNT (templated sentences, default 20000),
# WAIT (seconds, default 540), RESUME (checkpoint to continue from) and TOTAL (its schedule length, seconds),
# REAL_REPEAT (epochs of real speech per synthetic epoch, default 2), MAX_FRAMES (batch size, default 20000),
# TEACHER (dense checkpoint for phase sparse), SPARSE_FROM (an already pruned checkpoint: phase sparse then distils
# it further with a fresh schedule, no pruning and no tagger), PEAK_LR (default 5e-4), PRUNE_HEADS (share removed,
# default 0.5), PRUNE_FF (FF width, default 512), TAGGER_BUDGET (seconds, default 360), SEED (default 1), RUN (the
# run's folder under /tmp/work, default run: phases train and sparse can run side by side with different RUNs, and
# wait and export then take the RUN to follow), SMOKE (0 skips the smoke tests).
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

prep_done() {  # all pieces merged and decoded, synthesis finished
  [ -f "$W/prep-text.done" ] && [ -f "$W/stage-last.done" ] && [ -f "$W/decode.done" ]
}

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
sparse)
  while ! prep_done; do sleep 5; done
  tail -3 "$W/decode.log"; wc -l "$W"/real-*.tsv "$W"/synth-*/manifest.tsv
  TEACHER=${TEACHER:-$W/dense.fp16.pt}
  head -400 "$W/synth-train/manifest.tsv" > "$W/smoke.tsv"; sed -i "s#^wav/#$W/synth-train/wav/#" "$W/smoke.tsv"
  prune=(--init-from "$TEACHER" --prune-heads "${PRUNE_HEADS:-0.5}" --prune-ff "${PRUNE_FF:-512}" --teacher "$TEACHER")
  [ -n "${SPARSE_FROM:-}" ] && prune=(--init-from "$SPARSE_FROM" --teacher "$TEACHER")
  if [ "${SMOKE:-1}" = 1 ]; then  # smoke test: prune on a slice, 30 seconds of distillation, export
    python3 "$CODE/scripts/train/train.py" --train "$W/smoke.tsv" --heldout "real=$W/real-heldout.tsv" \
      --noise "$W/noise" --out "$W/smoke-sparse" --budget-sec 30 --eval-every-sec 1000 "${prune[@]}" \
      --prune-batches 4 2>&1 | grep -v '"step"' | cut -c1-600 | tail -5
    python3 "$CODE/scripts/train/export.py" --checkpoint "$W/smoke-sparse/model.fp16.pt" \
      --out "$W/smoke-sparse/onnx" --sample-wav "$(head -1 "$W/real-heldout.tsv" | cut -f1)" | tail -3
  fi
  setsid nohup python3 "$CODE/scripts/train/train.py" \
    --train "$W/synth-train/manifest.tsv:1" --train "$W/real-train.tsv:${REAL_REPEAT:-2}" \
    --heldout "real=$W/real-heldout.tsv" --heldout "synth=$W/synth-heldout/manifest.tsv" \
    --noise "$W/noise" --out "$R" --budget-sec "$BUDGET" --max-frames "${MAX_FRAMES:-30000}" \
    --peak-lr "${PEAK_LR:-5e-4}" --warmup 300 --seed "${SEED:-1}" "${prune[@]}" > "$R.out" 2>&1 < /dev/null &
  [ -z "${SPARSE_FROM:-}" ] && start_tagger
  sleep "${WAIT:-90}"; tail -5 "$R.out"; tail -5 "$W/tagger.out" 2>/dev/null || true
  ;;
train)
  while ! prep_done; do sleep 5; done
  tail -3 "$W/decode.log"; wc -l "$W"/real-*.tsv "$W"/synth-*/manifest.tsv
  # Smoke test: a 40-second run and an export on a slice of the data, so a bug shows before the real run.
  head -400 "$W/synth-train/manifest.tsv" > "$W/smoke.tsv"; sed -i "s#^wav/#$W/synth-train/wav/#" "$W/smoke.tsv"
  if [ "${SMOKE:-1}" = 1 ]; then
    python3 "$CODE/scripts/train/train.py" --train "$W/smoke.tsv" --heldout "real=$W/real-heldout.tsv" \
      --noise "$W/noise" --out "$W/smoke" --budget-sec 40 --eval-every-sec 1000 --layers 2 2>&1 | tail -4
    python3 "$CODE/scripts/train/export.py" --checkpoint "$W/smoke/model.fp16.pt" --out "$W/smoke/onnx" \
      --sample-wav "$(head -1 "$W/real-heldout.tsv" | cut -f1)"
  fi
  resume=()
  if [ -n "${RESUME:-}" ]; then cp "$RESUME" "$W/resume-from.pt"; resume=(--resume "$W/resume-from.pt"); fi
  [ -n "${TOTAL:-}" ] && resume+=(--total-sec "$TOTAL")
  setsid nohup python3 "$CODE/scripts/train/train.py" \
    --train "$W/synth-train/manifest.tsv:1" --train "$W/real-train.tsv:${REAL_REPEAT:-2}" \
    --heldout "real=$W/real-heldout.tsv" --heldout "synth=$W/synth-heldout/manifest.tsv" \
    --noise "$W/noise" --out "$R" --budget-sec "$BUDGET" --max-frames "${MAX_FRAMES:-20000}" --seed "${SEED:-1}" \
    "${resume[@]}" > "$R.out" 2>&1 < /dev/null &
  sleep "${WAIT:-240}"; tail -20 "$R.out"
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
wait)
  end=$((SECONDS + ${WAIT:-540}))
  while [ $SECONDS -lt $end ] && ! grep -q '"event": "done"' "$R/train.log" 2>/dev/null; do sleep 10; done
  tail -25 "$R.out"; cp "$R/train.log" "$OUT/"
  ;;
export)
  while ! grep -q '"event": "done"' "$R/train.log" 2>/dev/null; do sleep 10; done
  tail -8 "$R.out"
  if [ -d "$W/tagger" ]; then
    while ! grep -q '"event": "done"' "$W/tagger/tagger.log" 2>/dev/null && pgrep -f tagger.py >/dev/null; do sleep 5; done
    tail -4 "$W/tagger.out"; cp "$W/tagger"/tagger.int8.onnx "$OUT/" || true
    tar -czf "$OUT/tagger-extra.tgz" -C "$W/tagger" --exclude '*.onnx' . || true
  fi
  python3 "$CODE/scripts/train/export.py" --checkpoint "$R/model.fp16.pt" --out "$W/export" \
    --sample-wav "$(head -1 "$W/real-heldout.tsv" | cut -f1)"
  cp "$R/train.log" "$W/export/model.export.json" "$OUT/"
  # Files come back at most 16 MiB each: split, and join with cat here.
  split -b 15M -d "$W/export/model.int8.onnx" "$OUT/model.int8.onnx.part"
  split -b 15M -d "$R/model.fp16.pt" "$OUT/model.fp16.pt.part"
  ls -la "$OUT"
  ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
