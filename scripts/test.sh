#!/usr/bin/env bash
# Install the test tools and run every check CI runs: lint, format, types, tests with coverage.
# Set TEST_DATABASE_URL=postgresql+psycopg://... to run the suite against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
scripts/translations.sh compile

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy app
echo "== pytest"
.venv/bin/pytest --cov=app --cov-branch --cov-report=term --cov-fail-under=85 "$@"
echo "== coverage of the core (questionnaire, scoring)"
.venv/bin/coverage report --include="app/questionnaire.py,app/scoring.py" --fail-under=95
