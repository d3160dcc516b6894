#!/usr/bin/env bash
# Builds hushscribe-en-v1's shipped LM (models/hushscribe-en-v1/lm.bin) from ../shared/lm-text and our own
# training text: spoken form (scripts/lm/spoken-text.ts), pruned modified Kneser-Ney trigram (build_lm.py),
# binary with quantised weights (arpa-to-binary.ts). About 6 minutes and 4 GB of memory on 2 cores.
#   scripts/lm/build-general.sh [OUT.bin] [WORK_DIR]
# PRUNE and MIN_WORD_COUNT override the shipped settings (bigger LMs for users who want them: PRUNE=0,2,3
# MIN_WORD_COUNT=3 gives 30 MB). dialog-sgd (CC BY-SA) is left out so the shipped model keeps its licence.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/models/hushscribe-en-v1/lm.bin}"
work="${2:-$(mktemp -d)}"
text="$root/../shared/lm-text"
speech="$root/../shared/data/speech.tsv"
mkdir -p "$work"
(cd "$root" && npm run build:ts --silent)
# Our training text: the templates and real transcripts the acoustic model was trained on (the corpora split.py knows).
awk -F'\t' 'NR == 1 || $1 == "librispeech" || $1 == "commonvoice" || $1 == "ljspeech"' "$speech" > "$work/speech.tsv"
nice python3 "$root/scripts/data/make_text.py" --split train --count 20000 --seed 1 --out "$work/train.txt" --speech-tsv "$work/speech.tsv"
nice node "$root/dist/scripts/lm/spoken-text.js" "$text"/gutenberg.txt.xz "$text"/commonvoice-sentences.txt.xz \
  "$text"/dialog-taskmaster.txt.xz "$text"/meetings-ami.txt.xz "$text"/speeches-presidential.txt.xz \
  "$text"/queries-clinc.txt.xz "$text"/queries-polyai.txt.xz "$text"/queries-nlueval.txt.xz > "$work/general.txt"
nice python3 "$root/scripts/lm/build_lm.py" --text "$work/general.txt" --text "$work/train.txt:10" --out "$work/lm.arpa" \
  --order 3 --prune "${PRUNE:-0,4,6}" --min-word-count "${MIN_WORD_COUNT:-5}"
nice node "$root/dist/scripts/lm/arpa-to-binary.js" --arpa "$work/lm.arpa" --out "$out"
