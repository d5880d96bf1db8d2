"""Throttle password guessing: failed sign-ins are counted per client address and per account
from one client address, never per account alone.

A count per account alone would let anyone lock its owner out by guessing wrong on purpose. So a
client is refused after ``LOGIN_LIMIT_PER_ACCOUNT`` failures for one account, or
``LOGIN_LIMIT_PER_ADDRESS`` for any accounts, while the owner signs in from their own client as
usual. Many failures for one account from many addresses are only reported (logged as a
warning): the password policy makes the few guesses each address gets worthless, and a hard
stop there would be a lockout for anyone to trigger again.

The counts are the audit log's rows of failed sign-ins, one per account, address and window
(``app.platform.audit.record_repeated``), so every worker and server sees the same counts and a
restart forgets none, whatever RATELIMIT_STORAGE_URI says. Pages and the API share them. An
IPv6 client counts as its /64, which one subscriber commonly holds whole. Refused attempts go on
counting, on one row per address that names no account, so a client that keeps guessing stays
refused and writes no more rows. Changing one's password counts its wrong current passwords
apart, per account: only someone signed in can make them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from limits import RateLimitItem, parse

from app.extensions import db
from app.models import AuditEvent, User, utcnow
from app.platform import audit

FAILED = "sign_in_failed"
PAGE, API, REFUSED = "", "api", "throttled"
"""The audit details of a failed sign-in: on the page, for an API token, refused by the throttle."""
SIGN_IN = (PAGE, API, REFUSED)
PASSWORD_CHANGE = "current password"  # noqa: S105 (an audit detail, not a password)
MESSAGE = "Too many failed sign-ins. Wait a few minutes and try again."
"""What the API answers a refused client; pages say it in the reader's language."""


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def _window() -> timedelta:
    """How long one row of the log counts a client's failures for: the shorter limit's window,
    so no row outlasts a window it is counted in."""
    seconds = min(
        _limit(name).get_expiry() for name in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS")
    )
    return timedelta(seconds=seconds)


def _failures(limit: RateLimitItem, details: Iterable[str], *where: sa.ColumnElement[bool]) -> int:
    since = utcnow() - timedelta(seconds=limit.get_expiry())
    counted = sa.select(sa.func.coalesce(sa.func.sum(AuditEvent.attempts), 0)).where(
        AuditEvent.action == FAILED,
        AuditEvent.created_at >= since,
        AuditEvent.detail.in_(list(details)),
        *where,
    )
    return int(db.session.scalar(counted) or 0)


def _count(email: str, detail: str) -> None:
    audit.record_repeated(
        FAILED, email=email, detail=detail, ip=audit.client_network(), since=utcnow() - _window()
    )


def _enabled() -> bool:
    return bool(current_app.config["RATELIMIT_ENABLED"])


def sign_in_refused(typed_email: str) -> int | None:
    """Seconds this client must wait before trying this account again, or None if it may now."""
    if not _enabled():
        return None
    address = AuditEvent.ip == audit.client_network()
    by_address = _limit("LOGIN_LIMIT_PER_ADDRESS")
    by_account = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    account = AuditEvent.email == audit.typed_account(typed_email)
    if _failures(by_address, SIGN_IN, address) >= by_address.amount:
        return by_address.get_expiry()
    if _failures(by_account, (PAGE, API), address, account) >= by_account.amount:
        return by_account.get_expiry()
    return None


def sign_in_failed(typed_email: str, channel: str) -> None:
    """Count a wrong email or password (``channel``: PAGE or API), and warn when one account draws
    as many failures as ``LOGIN_ALERT_PER_ACCOUNT`` from all addresses together. Commits."""
    account = audit.typed_account(typed_email)
    _count(account, channel)
    alert = _limit("LOGIN_ALERT_PER_ACCOUNT")
    if _failures(alert, (PAGE, API), AuditEvent.email == account) == alert.amount:
        current_app.logger.warning(
            "%d failed sign-ins for %r within %d s, from all addresses: someone may be "
            "guessing its password",
            alert.amount,
            account,
            alert.get_expiry(),
        )


def sign_in_throttled() -> None:
    """Count an attempt the throttle refused, on the address's one row of refusals. Commits."""
    _count("", REFUSED)


def password_check_refused(user: User) -> int | None:
    """Seconds before this signed-in user may give their current password again, or None."""
    limit = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    if _enabled() and _failures(limit, (PASSWORD_CHANGE,), AuditEvent.email == user.email) >= (
        limit.amount
    ):
        return limit.get_expiry()
    return None


def password_check_failed(user: User) -> None:
    """Count a wrong current password given to change it. Commits."""
    _count(user.email, PASSWORD_CHANGE)
