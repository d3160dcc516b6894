#!/usr/bin/env bash
# Stages a GPU run whose inputs exceed what one call carries beside the tree (64 MiB in all; the tree is ~40 MB
# since both model variants are committed): .device/stage1 holds the TTS tools and speech.tsv; the real speech,
# noise and the given checkpoints go into one tar (data/..., NAME.fp16.pt) cut into 25 MB chunks, .device/stage2...
# Carry them one call each (`gpu-run.sh stage`, LAST=1 on the last), which joins and unpacks them into /tmp/work.
# Usage: scripts/train/stage-chunks.sh TTS_ROOT_TAR [NAME=CHECKPOINT ...], e.g. dense=... sparse=...
set -euo pipefail
tts=${1:?tts-root.tar.xz}; shift
data=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data
rm -rf .device/stage* .device/bundle .device/bundle.tar
mkdir -p .device/bundle/data .device/stage1/data
cp -r "$data"/{noise,ljspeech-part,commonvoice-dev-train-part,librispeech-train-clean-5} .device/bundle/data/
for spec in "$@"; do cp "${spec#*=}" ".device/bundle/${spec%%=*}.fp16.pt"; done
tar -cf .device/bundle.tar -C .device/bundle . && rm -rf .device/bundle
cp "$tts" .device/stage1/ && cp "$data/speech.tsv" .device/stage1/data/
split -b 25M -d .device/bundle.tar .device/chunk. && rm .device/bundle.tar
n=2; for chunk in .device/chunk.*; do mkdir -p ".device/stage$n" && mv "$chunk" ".device/stage$n/"; n=$((n + 1)); done
du -sh .device/stage*
