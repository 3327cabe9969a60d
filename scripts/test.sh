#!/usr/bin/env bash
# Set up everything the tests need (ffmpeg, espeak-ng, Chromium, Python packages) and run every
# test, browser tests included. Extra arguments go to pytest.
# One of the tests builds the Docker image and uses it (scripts/docker_check.sh): it needs root and
# apt-get, or a running Docker engine. SKIP_DOCKER_CHECK=1 skips it knowingly; CI never does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
log=$(mktemp)
status=0
.venv/bin/python -m pytest -p no:cacheprovider "$@" 2>&1 | tee "$log" || status=$?
# The emulator's API key must never show up in anything the run printed.
if grep -q "emulator-key-7f3a9c21" "$log"; then
  echo "FAIL: the test API key appeared in the test output" >&2
  status=1
fi
rm -f "$log"
if [ "${SKIP_DOCKER_CHECK:-}" = 1 ]; then
  echo "!! SKIP_DOCKER_CHECK=1: the Docker image was NOT built, started or used in this run." >&2
fi
exit "$status"
