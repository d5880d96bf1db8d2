#!/usr/bin/env bash
# Benchmark CityReady under gunicorn with wrk and write bench/results.md (see bench/run.py).
# Takes about 15 minutes: seeding 11,300 assessments, then 10 s of load per row. Not run in CI.
#   scripts/bench.sh [--duration 10] [--connections 10] [--workers N] [--port 5600] [--no-write]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null
  else
    echo "The benchmark needs wrk: sudo apt-get install wrk" >&2
    exit 1
  fi
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[bench]"
scripts/translations.sh compile

exec .venv/bin/python -m bench.run "$@"
