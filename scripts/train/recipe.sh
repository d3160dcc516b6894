#!/usr/bin/env bash
# hushscribe's speech recogniser, as a recipe in stages (icefall/NeMo style). Any CUDA machine, or the CPU for
# the smoke test (smoke.sh). Every stage reads what the one before wrote under $WORK; rerunning a stage is safe.
#
#   bash scripts/train/recipe.sh prepare    # real speech -> 16 kHz WAV + train/held-out manifests (split.py);
#                                           # synthetic text + speech (make_text.py, synthesize.py)
#   bash scripts/train/recipe.sh manifests  # $WORK/data-manifest.json: each manifest's sha256, utterances, hours
#                                           # (features are computed on the fly in training, see train.py)
#   bash scripts/train/recipe.sh train      # train.py with $CONFIG; resumes $EXP/resume.pt when it is there
#   bash scripts/train/recipe.sh export     # ONNX fp32 + int8 (`weights` recipe) + tokens.txt + export.json
#   bash scripts/train/recipe.sh eval       # npm run eval -- asr on the export (needs the project's node tools)
#
# Environment (defaults in brackets): DATA [../shared/data], WORK [/tmp/hushscribe-work], EXP [$WORK/exp],
# TOOLS [/: prefix of espeak-ng/flite], DECODER [opusdec; or ffmpeg], SYNTH_COUNT [20000], SYNTH_HELDOUT [300],
# LIMIT [0: all; N real utterances per split and N synthetic sentences, smoke tests], REAL_REPEAT [2],
# CONFIG [scripts/train/configs/v2.args: train.py's arguments, one or more a line], TRAIN_ARGS [extra arguments],
# JOBS [cores]. Stage `train` needs the budgets in CONFIG or TRAIN_ARGS (--max-steps, --total-steps).
set -euo pipefail
stage=${1:?stage: prepare, manifests, train, export or eval}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DATA=${DATA:-$REPO/../shared/data}
WORK=${WORK:-/tmp/hushscribe-work}
EXP=${EXP:-$WORK/exp}
TOOLS=${TOOLS:-/}
JOBS=${JOBS:-$(nproc)}
LIMIT=${LIMIT:-0}
CONFIG=${CONFIG:-$HERE/configs/v2.args}
PYTHON=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
mkdir -p "$WORK"

prepare_real() {
  limit=(); [ "$LIMIT" != 0 ] && limit=(--limit "$LIMIT")
  libs=${LD_LIBRARY_PATH:-}
  [ "$TOOLS" != / ] && libs=$TOOLS/usr/lib/x86_64-linux-gnu:$TOOLS/lib/x86_64-linux-gnu:$TOOLS/usr/lib/x86_64-linux-gnu/pulseaudio
  LD_LIBRARY_PATH=$libs $PYTHON "$HERE/prepare_real.py" --data "$DATA" --tsv "$DATA/speech.tsv" --work "$WORK" \
    --decoder "${DECODER:-opusdec}" --jobs "$JOBS" "${limit[@]}"
}

prepare_synthetic() {
  count=${SYNTH_COUNT:-20000}; heldout=${SYNTH_HELDOUT:-300}; real_text=(--speech-tsv "$DATA/speech.tsv")
  if [ "$LIMIT" != 0 ]; then count=$LIMIT; heldout=$((LIMIT / 4 + 1)); real_text=(); fi
  $PYTHON "$REPO/scripts/data/make_text.py" --split train --count "$count" --seed 1 --out "$WORK/synth-train.txt" \
    "${real_text[@]}"
  $PYTHON "$REPO/scripts/data/make_text.py" --split heldout --count "$heldout" --seed 2 --out "$WORK/synth-heldout.txt"
  $PYTHON "$REPO/scripts/data/synthesize.py" --text "$WORK/synth-heldout.txt" --out "$WORK/synth-heldout" \
    --split heldout --jobs "$JOBS" --prefix "$TOOLS"
  $PYTHON "$REPO/scripts/data/synthesize.py" --text "$WORK/synth-train.txt" --out "$WORK/synth-train" \
    --split train --jobs "$JOBS" --prefix "$TOOLS"
}

case "$stage" in
prepare) prepare_real; prepare_synthetic ;;
prepare-real) prepare_real ;;            # the two halves of prepare, for machines where data arrives in pieces
prepare-synthetic) prepare_synthetic ;;
manifests)
  $PYTHON - "$WORK" <<'PY'
import hashlib, json, os, sys, wave
work = sys.argv[1]
out = {}
for name in ("real-train.tsv", "real-heldout.tsv", "synth-train/manifest.tsv", "synth-heldout/manifest.tsv"):
    path = os.path.join(work, name)
    rows = [l.split("\t") for l in open(path, encoding="utf-8").read().splitlines() if l.split("\t")[0].endswith(".wav")]
    seconds = 0.0
    for row in rows:
        wav = row[0] if os.path.isabs(row[0]) else os.path.join(os.path.dirname(path), row[0])
        with wave.open(wav) as w:
            seconds += w.getnframes() / w.getframerate()
    out[name] = {"sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(), "utterances": len(rows),
                 "hours": round(seconds / 3600, 3)}
json.dump(out, open(os.path.join(work, "data-manifest.json"), "w"), indent=1)
print(json.dumps(out))
PY
  ;;
train)
  mkdir -p "$EXP"
  # shellcheck disable=SC2046  # CONFIG holds arguments, split on whitespace on purpose
  $PYTHON "$HERE/train.py" $(grep -v '^#' "$CONFIG") ${TRAIN_ARGS:-} \
    --train "$WORK/real-train.tsv:${REAL_REPEAT:-2}" --train "$WORK/synth-train/manifest.tsv:1:synthetic" \
    --heldout "real=$WORK/real-heldout.tsv" --heldout "synth=$WORK/synth-heldout/manifest.tsv" \
    --noise "$WORK/noise" --out "$EXP" --resume auto --jobs "$JOBS"
  ;;
export)
  $PYTHON "$HERE/export.py" --checkpoint "$EXP/model.fp16.pt" --out "$EXP/onnx" \
    --sample-wav "$(head -1 "$WORK/real-heldout.tsv" | cut -f1)"
  cp "$EXP/run.json" "$EXP/onnx/run.json"
  ;;
eval)
  (cd "$REPO" && npm run eval -- asr --model "$EXP/onnx" ${EVAL_ARGS:-})
  ;;
*) echo "unknown stage $stage (prepare, manifests, train, export, eval)" >&2; exit 2 ;;
esac
