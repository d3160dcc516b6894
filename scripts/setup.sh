#!/usr/bin/env bash
# Quick start, command 1: installs what hushscribe needs on Debian 12 / Raspberry Pi OS (run as root, or with sudo
# available), builds it, and transcribes the bundled sample recordings. Safe to re-run: present parts are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/env.sh

ensure_apt_packages "${RUNTIME_APT_PACKAGES[@]}"
ensure_node
ensure_node_modules
build_all

say "Transcribing the sample recordings in models/samples/"
npx --no-install hushscribe transcribe models/samples/*.wav
say "Done. The redacted transcripts are printed above; reference transcripts are in models/samples/samples.tsv."
