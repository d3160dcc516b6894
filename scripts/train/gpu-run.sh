#!/usr/bin/env bash
# Drives one training run on the GPU machine over several device calls (each <= 10 minutes; the machine keeps
# /tmp while calls follow each other). Run from the repository root there; carried inputs live in .device/.
#   phase setup  : unpack TTS tools, torchaudio fbank fixtures, start decoding data-a and synthesising speech
#   phase data-b : add the second half of the real speech (decoding in the background)
#   phase train  : smoke-test training + export, wait for the data, start the real run in the background
#   phase wait   : follow the run for up to WAIT seconds, then copy its log and latest checkpoint to $OUT
#   phase export : wait for the run to finish, export ONNX (fp32 + int8) and bring everything back
# Environment: BUDGET (training seconds, default 1200), SYNTH_COUNT (templated sentences, default 20000),
# WAIT (seconds, default 540), RESUME (checkpoint to continue from) and TOTAL (its schedule length, seconds),
# REAL_REPEAT (epochs of real speech per synthetic epoch, default 2), MAX_FRAMES (batch size, default 20000),
# FIXTURES (0 skips the fbank fixtures).
set -euo pipefail
phase=${1:?phase}
W=/tmp/work
CODE=$W/code
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export LD_LIBRARY_PATH=/tmp/tts/usr/lib/x86_64-linux-gnu:/tmp/tts/lib/x86_64-linux-gnu:/tmp/tts/usr/lib/x86_64-linux-gnu/pulseaudio
OUT=${OUT:?OUT must be set by the device tool}
BUDGET=${BUDGET:-1200}
mkdir -p "$W"
# The repo copy can be re-synced between calls: background jobs run from a private copy of the scripts.
rm -rf "$CODE" && mkdir -p "$CODE" && cp -r scripts "$CODE/"

prep_real() {
  python3 "$CODE/scripts/train/prepare_real.py" --tsv "$W/data-a/speech.tsv" --work "$W" \
    --opusdec /tmp/tts/usr/bin/opusdec "$@"
}

case "$phase" in
setup)
  mkdir -p /tmp/tts && tar -xJf .device/tts-root.tar.xz -C /tmp/tts
  rm -rf "$W/data-a" && cp -r .device/data-a "$W/data-a"
  nvidia-smi -L
  python3 -c 'import torch, torchaudio, onnx, onnxruntime; print(torch.__version__, torchaudio.__version__, onnx.__version__, onnxruntime.__version__, torch.cuda.is_available())'
  if [ "${FIXTURES:-1}" = 1 ]; then
    python3 "$CODE/scripts/fixtures/make_fbank_fixtures.py" --out "$W/fbank"
    tar -czf "$OUT/fbank-fixtures.tgz" -C "$W/fbank" .
  fi
  setsid nohup bash -c "
    set -x
    python3 $CODE/scripts/train/prepare_real.py --tsv $W/data-a/speech.tsv --work $W --opusdec /tmp/tts/usr/bin/opusdec --data $W/data-a
    python3 $CODE/scripts/data/make_text.py --split train --count ${SYNTH_COUNT:-20000} --seed 1 --out $W/synth-train.txt --speech-tsv $W/data-a/speech.tsv
    python3 $CODE/scripts/data/make_text.py --split heldout --count 300 --seed 2 --out $W/synth-heldout.txt
    python3 $CODE/scripts/data/synthesize.py --text $W/synth-heldout.txt --out $W/synth-heldout --split heldout --jobs 16 --prefix /tmp/tts
    python3 $CODE/scripts/data/synthesize.py --text $W/synth-train.txt --out $W/synth-train --split train --jobs 16 --prefix /tmp/tts
    touch $W/prep-a.done
  " > "$W/prep-a.log" 2>&1 < /dev/null &
  sleep 20; tail -5 "$W/prep-a.log"
  ;;
data-b)
  rm -rf "$W/data-b" && cp -r .device/data-b "$W/data-b"
  setsid nohup bash -c "
    while [ ! -f $W/prep-a.done ]; do sleep 2; done
    python3 $CODE/scripts/train/prepare_real.py --tsv $W/data-a/speech.tsv --work $W --opusdec /tmp/tts/usr/bin/opusdec --data $W/data-a --data $W/data-b
    touch $W/prep-b.done
  " > "$W/prep-b.log" 2>&1 < /dev/null &
  tail -3 "$W/prep-a.log"
  ;;
train)
  while [ ! -f "$W/prep-b.done" ]; do sleep 5; done
  cat "$W/prep-b.log"; wc -l "$W"/real-*.tsv "$W"/synth-*/manifest.tsv
  # Smoke test: a 40-second run and an export on a slice of the data, so a bug shows before the real run.
  head -400 "$W/synth-train/manifest.tsv" > "$W/smoke.tsv"; sed -i "s#^wav/#$W/synth-train/wav/#" "$W/smoke.tsv"
  python3 "$CODE/scripts/train/train.py" --train "$W/smoke.tsv" --heldout "real=$W/real-heldout.tsv" \
    --noise "$W/noise" --out "$W/smoke" --budget-sec 40 --eval-every-sec 1000 --layers 2 2>&1 | tail -4
  python3 "$CODE/scripts/train/export.py" --checkpoint "$W/smoke/model.fp16.pt" --out "$W/smoke/onnx" \
    --sample-wav "$(head -1 "$W/real-heldout.tsv" | cut -f1)"
  resume=()
  if [ -n "${RESUME:-}" ]; then cp "$RESUME" "$W/resume-from.pt"; resume=(--resume "$W/resume-from.pt"); fi
  [ -n "${TOTAL:-}" ] && resume+=(--total-sec "$TOTAL")
  setsid nohup python3 "$CODE/scripts/train/train.py" \
    --train "$W/synth-train/manifest.tsv:1" --train "$W/real-train.tsv:${REAL_REPEAT:-2}" \
    --heldout "real=$W/real-heldout.tsv" --heldout "synth=$W/synth-heldout/manifest.tsv" \
    --noise "$W/noise" --out "$W/run" --budget-sec "$BUDGET" --max-frames "${MAX_FRAMES:-20000}" "${resume[@]}" \
    > "$W/run.out" 2>&1 < /dev/null &
  sleep "${WAIT:-240}"; tail -20 "$W/run.out"
  ;;
wait)
  end=$((SECONDS + ${WAIT:-540}))
  while [ $SECONDS -lt $end ] && ! grep -q '"event": "done"' "$W/run/train.log" 2>/dev/null; do sleep 10; done
  tail -25 "$W/run.out"; cp "$W/run/train.log" "$OUT/"
  ;;
export)
  while ! grep -q '"event": "done"' "$W/run/train.log" 2>/dev/null; do sleep 10; done
  tail -8 "$W/run.out"
  python3 "$CODE/scripts/train/export.py" --checkpoint "$W/run/model.fp16.pt" --out "$W/export" \
    --sample-wav "$(head -1 "$W/real-heldout.tsv" | cut -f1)"
  cp "$W/run/train.log" "$W/export/tokens.txt" "$W/export/model.export.json" "$OUT/"
  # Files come back at most 16 MiB each: split, and join with cat here.
  split -b 15M -d "$W/export/model.int8.onnx" "$OUT/model.int8.onnx.part"
  split -b 15M -d "$W/run/model.fp16.pt" "$OUT/model.fp16.pt.part"
  ls -la "$OUT"
  ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
