#!/usr/bin/env bash
# Splits what a GPU run needs into pieces that each fit one device call beside the tree (64 MiB in all):
#   .device/stage1: TTS tools (tts-root.tar.xz), speech.tsv, noise, LJSpeech part, the first LibriSpeech speakers
#   .device/stage2: Common Voice part;  .device/stage3: the other LibriSpeech speakers;  .device/stage4: CHECKPOINT
# Usage: scripts/train/stage-device.sh TTS_ROOT_TAR [CHECKPOINT]   (data from ../shared/data beside the checkout)
# TTS_ROOT_TAR: espeak-ng, flite and opusdec from ../shared/tools/device-debs, unpacked into one root and packed.
set -euo pipefail
tts=${1:?tts-root.tar.xz}
checkpoint=${2:-}
data=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data
out=.device
rm -rf "$out"/stage1 "$out"/stage2 "$out"/stage3 "$out"/stage4
mkdir -p "$out"/stage1/data/librispeech-train-clean-5 "$out"/stage2/data "$out"/stage3/data/librispeech-train-clean-5
cp "$tts" "$out/stage1/tts-root.tar.xz"
cp -r "$data/speech.tsv" "$data/noise" "$data/ljspeech-part" "$out/stage1/data/"
cp -r "$data/commonvoice-dev-train-part" "$out/stage2/data/"
# Smallest speakers first into stage1 until ~4.5 MB, the rest into stage3.
budget=4600
for speaker in $(du -s "$data"/librispeech-train-clean-5/* | sort -n | awk '{print $2}'); do
  size=$(du -s "$speaker" | cut -f1)
  if [ "$size" -le "$budget" ]; then
    cp -r "$speaker" "$out/stage1/data/librispeech-train-clean-5/"; budget=$((budget - size))
  else
    cp -r "$speaker" "$out/stage3/data/librispeech-train-clean-5/"; budget=0
  fi
done
if [ -n "$checkpoint" ]; then mkdir -p "$out/stage4" && cp "$checkpoint" "$out/stage4/dense.fp16.pt"; fi
du -sh "$out"/stage*
