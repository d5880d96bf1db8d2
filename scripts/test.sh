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
echo "== bandit"
.venv/bin/bandit -q -c pyproject.toml -r app
# In the tests, assert is how pytest checks (B101), passwords are made-up test data (B106), and
# local servers are started with fixed argument lists (B404, B603).
.venv/bin/bandit -q -c pyproject.toml -r tests -s B101,B105,B106,B404,B603
# The import rules of pyproject.toml's [tool.importlinter]: a pure core, no domain in web or
# platform, and no package imports another's views or forms.
echo "== import rules"
.venv/bin/lint-imports --no-cache
echo "== mypy"
.venv/bin/mypy app
echo "== pytest"
# One test process per core: each test has its own SQLite file, and each process its own
# PostgreSQL database when TEST_DATABASE_URL names one (tests/conftest.py), so they never share state.
.venv/bin/pytest -n auto --cov=app --cov-branch --cov-report=term --cov-fail-under=85 "$@"
echo "== coverage of the core (app/core)"
.venv/bin/coverage report --include="app/core/*" --fail-under=95
