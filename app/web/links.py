"""Absolute links to hand out, which carry secrets: a department's link, the residents' survey
link and its QR code."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def public_url_for(endpoint: str, **values: Any) -> str:
    """The page's address on ``PUBLIC_URL`` when it is set; otherwise on the request's host, which
    ``TRUSTED_HOSTS`` vouches for in production (the app refuses to start with neither)."""
    if public_url := current_app.config["PUBLIC_URL"]:
        return str(public_url) + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
