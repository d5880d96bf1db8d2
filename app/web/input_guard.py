"""Refuse input that no database can store before a view sees it.

PostgreSQL refuses NUL characters in text, and neither database can encode half of a UTF-16
surrogate pair: either would otherwise surface as a 500 in the middle of a write. Ids beyond
the database's integer range cannot name a row, so they are a 404 rather than an overflow.
Browsers never send lone surrogates or malformed UTF-8 (they send U+FFFD instead), so pages
answer those with a plain 400; a NUL typed into a page's field gets a message beside that field
from ``StorableTextForm``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from flask import Flask, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response
from wtforms import StringField

from app.web.errors import wants_json

MAX_ID = 2**31 - 1
"""The largest id an ``INTEGER`` primary key holds in PostgreSQL (SQLite's is larger)."""

UNSTORABLE_TEXT = "must not contain NUL characters or unpaired UTF-16 surrogates"


def is_unstorable(text: str) -> bool:
    """Whether the text holds a NUL or a lone surrogate, which no database here can store."""
    return "\x00" in text or _has_lone_surrogate(text)


MAX_JSON_DEPTH = 32
"""No API body nests deeper than a few levels; far deeper ones only exhaust the stack."""


def _json_problems(value: Any, path: str = "body", depth: int = 0) -> dict[str, str]:
    """Every key or string in a parsed JSON body that cannot be stored, by its dotted path."""
    problems: dict[str, str] = {}
    if depth > MAX_JSON_DEPTH:
        problems[path] = f"must not nest more than {MAX_JSON_DEPTH} levels deep"
    elif isinstance(value, str):
        if is_unstorable(value):
            problems[path] = UNSTORABLE_TEXT
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if not is_unstorable(key) else path
            if is_unstorable(key):
                problems[where] = f"keys {UNSTORABLE_TEXT}"
            problems.update(_json_problems(item, where, depth + 1))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.update(_json_problems(item, f"{path}[{index}]", depth + 1))
    return problems


def _decoded_pairs(raw: bytes) -> list[tuple[str, str]] | None:
    """A query string or form body decoded strictly, or None when it is not UTF-8.

    Werkzeug replaces or drops what is not UTF-8, so a stored value would differ from the one
    sent; the strict decode here notices that first.
    """
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None


def _has_lone_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _query_problem() -> bool:
    pairs = _decoded_pairs(request.query_string)
    return pairs is None or any(is_unstorable(k) or is_unstorable(v) for k, v in pairs)


def _form_problem() -> bool:
    """A form body that is not UTF-8 (a lone surrogate can only come as such bytes); a NUL in a
    field is left to the form to point out beside it."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return False
    return _decoded_pairs(request.get_data(cache=True)) is None


def _body_problems() -> dict[str, str]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return {"body": f"must not nest more than {MAX_JSON_DEPTH} levels deep"}
    return {} if body is None else _json_problems(body)


View = TypeVar("View", bound=Callable[..., Any])


def receives_files(view: View) -> View:
    """Let this view read a body up to UPLOAD_MAX_CONTENT_LENGTH: only routes that take a file
    need more than MAX_CONTENT_LENGTH, and every other route keeps the small limit."""
    view.receives_files = True  # type: ignore[attr-defined]
    return view


def guard_request() -> Response | None:
    """Turn an oversized body into a 413, what could not be stored into a 400 (or an impossible
    id into a 404), up front."""
    if isinstance(request.routing_exception, SecurityError):
        # A Host outside TRUSTED_HOSTS: answered 400 before anything else reads the request.
        raise request.routing_exception
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "receives_files", False):
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        # Announced too large: refused unread. A body sent without a length is cut off at the
        # limit by Werkzeug while it is read, which is also a 413.
        abort(413, description=f"The request body must be at most {limit} bytes.")
    for value in (request.view_args or {}).values():
        if (isinstance(value, int) and value > MAX_ID) or (
            isinstance(value, str) and is_unstorable(value)
        ):
            abort(404)
    problems: dict[str, str] = {}
    if _query_problem():
        problems["query"] = f"must be UTF-8 and {UNSTORABLE_TEXT}"
    if _form_problem():
        problems["form"] = f"must be UTF-8 and {UNSTORABLE_TEXT}"
    if request.is_json:
        problems.update(_body_problems())
    auth = request.authorization
    if auth is not None and any(is_unstorable(p or "") for p in (auth.username, auth.password)):
        problems["auth"] = f"credentials {UNSTORABLE_TEXT}"
    if not problems:
        return None
    if not wants_json():
        abort(400)
    response = jsonify({"errors": problems})
    response.status_code = 400
    return response


UNSTORABLE_FIELD_MESSAGE = _l(
    "Remove the invisible control character (NUL) from this text: it cannot be stored."
)


class StorableTextForm(FlaskForm):
    """A form whose text fields say, beside the field, when they hold a NUL character."""

    def validate(self, extra_validators: Any = None) -> bool:
        unstorable = [f for f in self if isinstance(f, StringField) and is_unstorable(f.data or "")]
        if not unstorable:
            return bool(super().validate(extra_validators))
        # No other validator sees such text: one that looks it up (is this email taken?) would
        # send it to the database, and PostgreSQL refuses a NUL even in a query.
        for field in unstorable:
            field.errors = [str(UNSTORABLE_FIELD_MESSAGE)]
        return False


def init_app(app: Flask) -> None:
    app.before_request(guard_request)
