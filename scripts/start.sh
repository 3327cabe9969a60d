#!/usr/bin/env bash
# Set up (first run only takes a minute) and start the app on http://127.0.0.1:7860.
# With no MODELSLAB_API_KEY it runs on the embedded offline engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py
