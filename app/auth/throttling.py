"""Throttle password guessing: failed sign-ins are counted per client address and per account.

Pages and the API share the counts, so an attacker gains nothing by switching between them.
Only failures count, so a user who signs in correctly is never slowed down. A refused attempt
is written to the audit log like any failed sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response

from app.extensions import limiter
from app.platform import audit

View = TypeVar("View", bound=Callable[..., Any])

MESSAGE = "Too many failed sign-ins. Wait a few minutes and try again."


def sign_in_limits(
    account: Callable[[], str], failed: Callable[[Response], bool]
) -> Callable[[View], View]:
    """Limit a view that checks a password; ``account`` names who is being signed in as."""

    def per_account() -> str:
        return "account:" + account().strip().lower()[:254]

    def decorate(view: View) -> View:
        by_account = limiter.shared_limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
            scope="sign-in-account",
            key_func=per_account,
            methods=["POST"],
            deduct_when=failed,
            error_message=MESSAGE,
        )
        by_address = limiter.shared_limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
            scope="sign-in-address",
            methods=["POST"],
            deduct_when=failed,
            error_message=MESSAGE,
        )
        limited = by_address(by_account(view))

        @wraps(view)
        def audited(*args: Any, **kwargs: Any) -> Any:
            try:
                return limited(*args, **kwargs)
            except RateLimitExceeded:
                audit.record("sign_in_failed", email=account(), detail="throttled", commit=True)
                raise

        return cast(View, audited)

    return decorate
