"""Values and filters every template can use."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import format_datetime, get_locale

from app.version import APP_VERSION


def _localtime(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "medium")


def _url_with_lang(lang: str) -> str:
    args = request.args.to_dict()
    args["lang"] = lang
    return request.path + "?" + urlencode(args)


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["localtime"] = _localtime

    @app.context_processor
    def globals_for_templates() -> dict[str, object]:
        locale = get_locale()
        lang = locale.language if locale else "en"
        return {
            "app_version": APP_VERSION,
            "lang": lang,
            "html_lang": "zh-Hans" if lang == "zh" else "en",
            "url_with_lang": _url_with_lang,
        }
