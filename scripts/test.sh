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

# House rules: the tree is formatted and lint-clean as biome.jsonc says (`npm run lint`; `npm run format` fixes the
# formatting). A warning fails too, so the tree stays at zero findings.
say "Checking formatting and lint"
npx --no-install biome check --error-on-warnings .
if [ "$(dpkg --print-architecture 2>/dev/null || uname -m)" != arm64 ]; then
  # arm64 end to end under qemu (test/arm64-e2e.test.ts): Debian's arm64 nodejs and the cross-built addon, cached.
  bash scripts/arm64/prepare.sh
fi

# --- Test services ------------------------------------------------------------------------------------------------
# Services the tests talk to are started here, each recording its pid in service_pids so that it is stopped on exit.
service_pids=()
service_dirs=()
stop_test_services() {
  local pid
  for pid in "${service_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for dir in "${service_dirs[@]}"; do rm -rf "$dir"; done
}
trap stop_test_services EXIT

# MQTT broker: a throwaway mosquitto on a free localhost port for the MQTT tests (tests that stop or restart a
# broker start their own). Without HUSHSCRIBE_TEST_MQTT_URL, a test run alone starts its own broker too.
mqtt_dir="$(mktemp -d)"
service_dirs+=("$mqtt_dir")
mqtt_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" > "$mqtt_dir/mosquitto.conf"
mosquitto -c "$mqtt_dir/mosquitto.conf" > "$mqtt_dir/mosquitto.log" 2>&1 &
service_pids+=($!)
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null; then break; fi
  sleep 0.1
done
export HUSHSCRIBE_TEST_MQTT_URL="mqtt://127.0.0.1:$mqtt_port"

say "Running tests"
npx --no-install tap "$@"
