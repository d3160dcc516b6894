#!/usr/bin/env bash
# Quick start, command 2 (`npm test`): installs what the tests need, builds, and runs the whole tap suite with its
# coverage thresholds (.taprc). Arguments go to tap, e.g. `npm test -- test/audio-wav.test.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/env.sh

# Tests also use the speech recognisers' reference data and ONNX tooling; cross-building the addon for arm64 and
# running it under qemu only makes sense on other architectures.
test_packages=("${RUNTIME_APT_PACKAGES[@]}" pocketsphinx pocketsphinx-en-us python3-onnx)
if [ "$(dpkg --print-architecture 2>/dev/null || uname -m)" != arm64 ]; then
  test_packages+=(qemu-user g++-aarch64-linux-gnu)
fi
ensure_apt_packages "${test_packages[@]}"
ensure_node
ensure_node_modules
build_all

# --- Test services ------------------------------------------------------------------------------------------------
# Services the tests talk to are started here, each recording its pid in service_pids so that it is stopped on exit.
service_pids=()
stop_test_services() {
  local pid
  for pid in "${service_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_test_services EXIT

say "Running tests"
npx --no-install tap "$@"
