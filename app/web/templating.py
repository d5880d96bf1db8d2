"""Values and filters every template can use."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, get_timezone_name
from flask import Flask, current_app, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from werkzeug.local import LocalProxy

from app.version import APP_VERSION
from app.web.i18n import content_language
from app.web.links import public_url_for
from app.web.preferences import high_contrast


def display_zone() -> ZoneInfo:
    """The zone people read times in (``DISPLAY_TIMEZONE``): times are stored in UTC, but a
    city official reads "10:05" as their own clock, not Greenwich's."""
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _localtime(value: datetime | None) -> str:
    """A stored UTC time on the reader's clock, with the zone named so it is never ambiguous:
    "2026-11-30 10:05 CST" in English, "2026年11月30日 10:05 中国标准时间" in Chinese."""
    if value is None:
        return ""
    locale = get_locale()
    local = value.astimezone(display_zone())
    if locale is not None and locale.language == "zh":
        shown = format_datetime(local, "y年M月d日 HH:mm", locale=locale)
        return f"{shown} {get_timezone_name(local, 'long', locale=locale)}"
    return f"{format_datetime(local, 'yyyy-MM-dd HH:mm', locale='en')} {local.tzname()}"


def _decimal(value: object, places: int = 1) -> str:
    """A score or priority in the page's language, with a fixed number of decimal places;
    a missing figure (None, or an undefined key) is a dash."""
    if not isinstance(value, int | float):
        return "—"
    return format_decimal(value, "#,##0." + "0" * places if places else "#,##0")


def _localdate(value: datetime | None, form: str = "long") -> str:
    """The day of a stored UTC time on the reader's clock (near midnight it differs from UTC's);
    ``form`` is a Babel format name or pattern, e.g. "yyyy-MM-dd" for a chart's axis."""
    if value is None:
        return ""
    return format_date(value.astimezone(display_zone()), form, locale=get_locale())


class _Named(Protocol):
    name: str


class _Round(Protocol):
    """An assessment, as far as its name goes."""

    city: _Named
    round_number: int
    created_at: datetime


# "杭州 Hangzhou": the Chinese name, then the English one, as the demo and most cities are kept.
_BILINGUAL_CITY = re.compile(r"^(?P<zh>[\u3400-\u9fff·]+)\s+(?P<en>[A-Za-z].*)$")


def city_name_in(name: str, language: str) -> str:
    """A city kept in both languages ("杭州 Hangzhou") in the reader's one; others as they are."""
    found = _BILINGUAL_CITY.match(name)
    return found.group("zh" if language == "zh" else "en") if found else name


def round_name(assessment: _Round) -> str:
    """What people call a round: its city, its number for that city and its year, e.g.
    "杭州 · 第4轮（2026）" or "Hangzhou · round 4 (2026)". Never the database id, which counts
    every city's rounds together."""
    return _(
        "%(city)s · round %(num)d (%(year)d)",
        city=city_name_in(assessment.city.name, content_language()),
        num=assessment.round_number,
        year=assessment.created_at.astimezone(display_zone()).year,
    )


def _url_with_lang(lang: str) -> str:
    """This page in another language, as a query-only link: the path as the browser sent it stays
    as it is, where ``request.path`` decodes /%5Cevil.example to /\\evil.example, which browsers
    read as //evil.example, another site."""
    args = request.args.to_dict()
    args["lang"] = lang
    return "?" + urlencode(args)


def register(app: Flask) -> None:
    try:
        ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"DISPLAY_TIMEZONE {app.config['DISPLAY_TIMEZONE']!r} is not a known time zone "
            "(an IANA name such as Asia/Shanghai)"
        ) from error
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["decimal"] = _decimal
    app.jinja_env.filters["localdate"] = _localdate
    app.jinja_env.filters["round_name"] = round_name
    # A global, not a context variable: macros imported from other templates see only globals,
    # and a context-only `lang` silently rendered their content in English.
    app.jinja_env.globals["lang"] = LocalProxy(content_language)

    @app.context_processor
    def globals_for_templates() -> dict[str, object]:
        return {
            "app_version": APP_VERSION,
            "html_lang": "zh-Hans" if content_language() == "zh" else "en",
            "url_with_lang": _url_with_lang,
            "public_url_for": public_url_for,
            "high_contrast": high_contrast(),
        }
