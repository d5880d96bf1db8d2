"""Bearer-token authentication for every blueprint that answers API calls (failures are JSON
401), and revoking tokens one at a time."""

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


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def user_from_bearer() -> User | None:
    if not (token := _bearer_token()):
        return None
    return db.session.scalar(_TOKEN_HOLDER, {"digest": ApiToken.digest(token), "now": utcnow()})


def revoke_bearer_token() -> None:
    """End the token this API call came with; flushes."""
    db.session.execute(
        sa.delete(ApiToken).where(ApiToken.token_hash == ApiToken.digest(_bearer_token()))
    )


def tokens_of(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first, expired ones among them until they are revoked."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    """End one of the user's own tokens; False when they hold none with this id. Flushes."""
    ended = db.session.execute(
        sa.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    return bool(getattr(ended, "rowcount", 0))


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = user_from_bearer()
        if user is None:
            return unauthorized("A valid bearer token is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
