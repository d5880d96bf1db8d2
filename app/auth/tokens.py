"""Bearer-token authentication for every blueprint that answers API calls; failures are JSON 401."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import ApiToken, User, utcnow


def unauthorized(message: str) -> tuple[Response, int, dict[str, str]]:
    return (
        jsonify({"errors": {"auth": message}}),
        401,
        {"WWW-Authenticate": 'Bearer realm="cityready"'},
    )


_TOKEN_HOLDER = (
    sa.select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == sa.bindparam("digest"),
        ApiToken.expires_at > sa.bindparam("now"),
        User.active.is_(True),
    )
)
"""The active user holding an unexpired token. Built once: every API call runs it, and
building it cost a third of a cached read."""


def user_from_bearer() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return db.session.scalar(
        _TOKEN_HOLDER, {"digest": ApiToken.digest(token.strip()), "now": utcnow()}
    )


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = user_from_bearer()
        if user is None:
            return unauthorized("A valid bearer token is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
