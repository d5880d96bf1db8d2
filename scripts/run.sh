#!/usr/bin/env bash
# Set up CityReady on the embedded SQLite database and serve it: virtualenv, install,
# migrate, demo data on first run, then the URL and the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
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
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo

PORT="${PORT:-5000}"
echo
echo "CityReady is running at http://127.0.0.1:${PORT}/  (Ctrl+C stops it)"
exec .venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --workers 2 --access-logfile - "app:create_app()"
