#!/usr/bin/env bash
# Prepares, once, what test/arm64-e2e.test.ts needs to run hushscribe's CLI as an arm64 process under
# qemu-aarch64 on another architecture, cached in build/arm64/ (a re-run only refreshes what changed):
#   sysroot/  Debian 12's arm64 nodejs and the libraries it needs: apt-get download with a private apt state (so the
#             host's dpkg architectures and package lists stay untouched), then dpkg -x. qemu-aarch64 -L sysroot
#             runs it: the guest's file opens look in sysroot first.
#   addon/    native/ cross-compiled with g++-aarch64-linux-gnu by node-gyp (--arch=arm64).
#   root/     a package root for that node: package.json, a copy of dist/, the arm64 addon in native/build/Release,
#             node_modules, models and redaction linked. onnxruntime-node loads its own bundled linux/arm64 binary.
# Run it after the TypeScript is built (scripts/test.sh does both). Needs qemu-user and g++-aarch64-linux-gnu.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/env.sh

OUT=build/arm64
SYSROOT="$OUT/sysroot"
mkdir -p "$OUT"

# --- Debian's arm64 nodejs --------------------------------------------------------------------------------------
if [ ! -x "$SYSROOT/usr/bin/node" ]; then
  say "Fetching Debian 12's arm64 nodejs into $SYSROOT"
  apt_dir="$(realpath "$OUT")/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  cat > "$apt_dir/sources.list" <<SOURCES
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
SOURCES
  apt_options=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache" -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  apt-get "${apt_options[@]}" update -qq
  # nodejs and everything it depends on (libc, libstdc++, libuv, libicu, openssl, ...), nothing recommended.
  mapfile -t packages < <(apt-cache "${apt_options[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances nodejs | grep -v '^[ <]' | sort -u)
  (cd "$apt_dir/debs" && apt-get "${apt_options[@]}" download "${packages[@]}")
  rm -rf "$SYSROOT.partial"
  for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$SYSROOT.partial"; done
  mv "$SYSROOT.partial" "$SYSROOT"
  rm -rf "$apt_dir"
fi

# onnxruntime's cpuinfo parses /proc/cpuinfo at load and crashes on the host's (x86) one under qemu-user, which
# passes the real file through. With -L, the guest opens sysroot/proc/cpuinfo instead: an arm64 one (Cortex-A72,
# the Raspberry Pi 4's core), one entry per CPU the host's sysfs lists.
if [ ! -f "$SYSROOT/proc/cpuinfo" ]; then
  mkdir -p "$SYSROOT/proc"
  for ((cpu = 0; cpu < $(getconf _NPROCESSORS_CONF); cpu++)); do
    printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\n' "$cpu"
    printf 'CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n'
  done > "$SYSROOT/proc/cpuinfo"
fi

# --- the addon, cross-compiled ----------------------------------------------------------------------------------
addon="$OUT/addon/build/Release/hushscribe_native.node"
if [ ! -f "$addon" ] || [ -n "$(find native/binding.gyp native/src -newer "$addon" -print -quit)" ]; then
  say "Cross-compiling the native addon for arm64"
  rm -rf "$OUT/addon"
  mkdir -p "$OUT/addon"
  cp -r native/binding.gyp native/src "$OUT/addon/"
  if ! CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
    npx --no-install node-gyp rebuild --directory="$OUT/addon" --arch=arm64 > "$OUT/addon.log" 2>&1; then
    tail -30 "$OUT/addon.log" >&2
    die "cross-compiling the addon failed (log: $OUT/addon.log)"
  fi
fi

# --- the package root the arm64 node runs ----------------------------------------------------------------------
[ -f dist/daemon/cli/main.js ] || die "dist/ is missing: run npm run build:ts first"
root="$OUT/root"
mkdir -p "$root/native/build/Release" "$root/daemon/bin"
cp package.json "$root/"
cp daemon/bin/hushscribe.js "$root/daemon/bin/"
cp "$addon" "$root/native/build/Release/"
rm -rf "$root/dist" && cp -r dist "$root/dist"
for shared in node_modules models redaction; do ln -sfn "$(realpath "$shared")" "$root/$shared"; done
