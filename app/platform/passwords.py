"""Password hashes made by the configured ``PASSWORD_HASH_METHOD``: werkzeug's scrypt in
production, a cheap method in tests, where a fifth of a second per hash made the suite crawl.

Checking needs no method: werkzeug reads it from the stored hash."""

from __future__ import annotations

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted hash of ``password`` by the configured method."""
    return generate_password_hash(password, method=_configured_method())


def check_against_no_account(password: str) -> None:
    """Spend what checking a real password costs, so that the answer for an unknown email takes
    as long as for a wrong password and its timing does not tell which emails have accounts."""
    check_password_hash(_hash_no_account_has(_configured_method()), password)


@cache
def _hash_no_account_has(method: str) -> str:
    """Made once per method, by the method real hashes are made with, so the checks cost alike."""
    return generate_password_hash("no account has this password", method=method)


def _configured_method() -> str:
    return str(current_app.config["PASSWORD_HASH_METHOD"])
