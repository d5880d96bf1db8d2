"""Security headers on every response: what the browser may load, frame, sniff, cache and send."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.wrappers import Response

# Pages carry no inline script or style, so nothing but our own files ever needs to run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
# No page uses a camera, a microphone, the location or payments: a script that got in anyway
# may not either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _is_private() -> bool:
    """A page or API answer made for one signed-in user, which no cache may keep."""
    if request.endpoint == "static":
        return False
    return bool(request.authorization) or current_user.is_authenticated


EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    # A window this app opens, or that opens it, gets no handle on the other.
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
"""Set on every answer unless its view set its own (a download sets a stricter policy)."""


def add_security_headers(response: Response) -> Response:
    # One pass over the headers the view set, where six setdefault calls scanned them six times:
    # this runs on every response, a cached read's included.
    present = {name.lower() for name, _value in response.headers.items()}
    response.headers.extend(
        [(name, value) for name, value in EVERY_RESPONSE if name.lower() not in present]
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_private():
        # An answer with an ETag may stay in the browser's own cache, to be asked for again
        # with If-None-Match every time; no other may, and no shared cache ever.
        revalidated = "ETag" in response.headers
        response.headers["Cache-Control"] = "private, no-cache" if revalidated else "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
