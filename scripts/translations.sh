#!/usr/bin/env bash
# Keep the translation catalogs in step with the code.
#   scripts/translations.sh extract      collect every _()/_l()/ngettext string and merge the new
#                                        ones into app/translations/*/LC_MESSAGES/messages.po
#   scripts/translations.sh compile      build the .mo files the app reads (never committed)
#   scripts/translations.sh pot FILE     write the message template to FILE (used by the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
CATALOGS=app/translations

# No source locations and a sorted template: the .po changes only when a string changes, so two
# branches that each add strings merge without conflicts.
pot() {
  "$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
    --no-location --no-wrap --sort-output --project CityReady --copyright-holder "CityReady" -o "$1" .
}

case "${1:-}" in
  extract)
    pot messages.pot
    "$PYBABEL" -q update -i messages.pot -d "$CATALOGS" --ignore-obsolete --no-wrap
    rm messages.pot
    # Dates in the header would make every branch's update conflict with every other's.
    sed -i '/^"POT-Creation-Date: /d; /^"PO-Revision-Date: /d' "$CATALOGS"/*/LC_MESSAGES/messages.po
    echo "Updated $(ls "$CATALOGS"/*/LC_MESSAGES/messages.po | tr '\n' ' ')"
    echo "Now translate every empty msgstr and remove the 'fuzzy' flags you have checked."
    ;;
  compile)
    "$PYBABEL" -q compile -d "$CATALOGS"
    ;;
  pot)
    pot "${2:?usage: $0 pot FILE}"
    ;;
  *)
    echo "usage: $0 {extract|compile|pot FILE}" >&2
    exit 2
    ;;
esac
