#!/usr/bin/env bash
# Set up everything the app needs: system packages (ffmpeg, espeak-ng) and a .venv with the pinned
# requirements. Safe to run again: it skips what is already there.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --dev    also test/bench tools and Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

apt_packages=(ffmpeg espeak-ng)
# Browser tests: Chromium, plus a colour emoji font so screenshots show the page's ✅/⚠️ as a person sees them.
[ "$dev" = 1 ] && apt_packages+=(chromium fonts-noto-color-emoji)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
    echo "==> Installing system packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! Missing system packages: ${missing[*]}"
    echo "!! Install them yourself (Debian/Ubuntu: sudo apt-get install ${missing[*]};"
    echo "!! macOS: brew install ffmpeg espeak-ng). The app falls back to a pip-installed ffmpeg"
    echo "!! for decoding; the browser tests need Chromium at /usr/bin/chromium."
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
requirements=requirements.txt
[ "$dev" = 1 ] && requirements=requirements-dev.txt
echo "==> Installing Python packages from $requirements"
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
