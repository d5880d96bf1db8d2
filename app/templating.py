"""Values and filters every template can use."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from werkzeug.local import LocalProxy

from app.preferences import high_contrast
from app.version import APP_VERSION


def _localtime(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "medium")


def _decimal(value: object, places: int = 1) -> str:
    """A score or priority in the page's language, with a fixed number of decimal places;
    a missing figure (None, or an undefined key) is a dash."""
    if not isinstance(value, int | float):
        return "—"
    return format_decimal(value, "#,##0." + "0" * places if places else "#,##0")


def _localdate(value: datetime | None) -> str:
    return "" if value is None else format_date(value, "long")


def _url_with_lang(lang: str) -> str:
    args = request.args.to_dict()
    args["lang"] = lang
    return request.path + "?" + urlencode(args)


def _current_lang() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["decimal"] = _decimal
    app.jinja_env.filters["localdate"] = _localdate
    # A global, not a context variable: macros imported from other templates see only globals,
    # and a context-only `lang` silently rendered their content in English.
    app.jinja_env.globals["lang"] = LocalProxy(_current_lang)

    @app.context_processor
    def globals_for_templates() -> dict[str, object]:
        return {
            "app_version": APP_VERSION,
            "html_lang": "zh-Hans" if _current_lang() == "zh" else "en",
            "url_with_lang": _url_with_lang,
            "high_contrast": high_contrast(),
        }
