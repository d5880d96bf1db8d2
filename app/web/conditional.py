"""HTTP validators: an answer that names the version of what it shows in an ETag is answered
304 Not Modified when the client already holds that version, before any of it is built."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

from flask import current_app, request, session
from werkzeug.wrappers import Response


def etag_for(*parts: Hashable) -> str:
    """An entity tag made of everything the answer depends on."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def not_modified(etag: str, *, weak: bool = False) -> Response | None:
    """A 304 when the request's If-None-Match holds ``etag``; None when the answer must be sent.

    A page that has a message to flash is always sent, or the message would wait for the next.
    """
    if session.get("_flashes") or not request.if_none_match.contains_weak(etag):
        return None
    response = current_app.response_class(status=304)
    response.set_etag(etag, weak=weak)
    return response
