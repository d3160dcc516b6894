#!/usr/bin/env bash
# Regenerates synthetic-card-number.wav exactly (espeak-ng 1.51 and SoX 14.4.2 from Debian 12; -D turns dither
# off so the output is byte-for-byte reproducible; the silence effects trim leading and trailing silence).
set -euo pipefail
cd "$(dirname "$0")"
text="hi this is john smith, my card number is four five three two zero one five one one two eight three zero three six six"
tmp=$(mktemp --suffix=.wav)
trap 'rm -f "$tmp"' EXIT
espeak-ng -v en-us -s 190 -w "$tmp" "$text"
sox -D "$tmp" -r 16000 -b 16 -c 1 synthetic-card-number.wav silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
