#!/usr/bin/env bash
# Set up CityReady on the embedded SQLite database and serve it: virtualenv, install,
# migrate, demo data on first run, then the URL and the demo logins on every start.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# Install again only when the project's requirements changed since the last start: a second start
# is then a few seconds, and pip (-qq: errors only) says nothing when all is well.
STAMP=.venv/.cityready-installed
if ! cmp -s pyproject.toml "$STAMP" 2>/dev/null; then
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq -e .
  cp pyproject.toml "$STAMP"
fi
scripts/translations.sh compile

# PDFs (reports, the paper questionnaire) need Pango and a Chinese font from the system; the
# rest of the app runs without them, so say what is missing instead of stopping.
if ! .venv/bin/python -c "import weasyprint" >/dev/null 2>&1; then
  echo "Note: PDF downloads are off until Pango is installed (Debian: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)."
fi
if ! fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK"; then
  echo "Note: no Chinese font found; PDFs would show boxes for Chinese text (Debian: sudo apt-get install fonts-wqy-microhei)."
fi

export FLASK_APP=app
# A local server on plain HTTP: session cookies must not require HTTPS.
export CITYREADY_ENV="${CITYREADY_ENV:-development}"
# Alembic's lines about each migration are shown only when the upgrade fails.
if ! upgraded=$(.venv/bin/flask db upgrade 2>&1); then
  echo "$upgraded" >&2
  exit 1
fi
PORT="${PORT:-5000}"
echo
# seed-demo adds the demo data on the first start and names the demo logins on every start.
.venv/bin/flask seed-demo
echo "CityReady is running at http://127.0.0.1:${PORT}/  (Ctrl+C stops it)"
# Threaded workers: a browser's idle, pre-opened connection holds one thread, not a whole worker
# (with sync workers two such connections stall everyone for gunicorn's 30 s timeout).
exec .venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --worker-class gthread --workers 2 --threads 4 \
  --access-logfile - "app:create_app()"
