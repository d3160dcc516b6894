# Shared by scripts/setup.sh and scripts/test.sh (sourced, not run): system packages, Node.js, npm dependencies, build.
# Every step checks first and does nothing when its part is already in place, so both scripts are quick to re-run.

# apt packages the appliance needs at run time and to build the native addon.
RUNTIME_APT_PACKAGES=(ffmpeg sox espeak-ng flite build-essential python3 mosquitto alsa-utils)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the named Debian packages that are not installed yet; apt-get update runs only when something is missing.
ensure_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "missing system packages: ${missing[*]}. apt-get is not available here (hushscribe targets Debian 12 / Raspberry Pi OS); install them with your package manager and re-run."
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing system packages: ${missing[*]}. Run as root or install sudo."
    sudo=(sudo)
  fi
  say "Installing system packages: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_node() {
  command -v node >/dev/null 2>&1 ||
    die "Node.js 20 or newer is required and 'node' is not on PATH. Install it, e.g. from https://nodejs.org or NodeSource (deb.nodesource.com, node_20.x)."
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] ||
    die "Node.js 20 or newer is required, found $(node -v) (Debian 12's own nodejs is 18). Install Node 20+, e.g. from NodeSource (deb.nodesource.com, node_20.x)."
}

# npm ci when node_modules is missing or does not satisfy package.json / the lock file (npm ls says so).
ensure_node_modules() {
  if [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1; then return 0; fi
  if [ -f package-lock.json ]; then
    say "Installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  else
    say "Installing npm dependencies (npm install)"
    npm install --no-audit --no-fund
  fi
}

# Native addon (node-gyp) and TypeScript. The addon is rebuilt only when its sources are newer than the built module.
build_all() {
  local addon=native/build/Release/hushscribe_native.node
  if [ -f native/binding.gyp ]; then
    if [ ! -f "$addon" ] || [ -n "$(find native/binding.gyp native/src -newer "$addon" -print -quit 2>/dev/null)" ]; then
      say "Building the native addon"
      npm run --silent build:native
    fi
  fi
  say "Compiling TypeScript"
  npm run --silent build:ts
}
