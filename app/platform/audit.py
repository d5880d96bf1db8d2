"""The audit log: who signed in, saved, submitted, reviewed, exported or downloaded what.

``record`` adds one ``AuditEvent`` to the current database session, so it is committed with the
change it describes, or rolled back with it: the log never claims what did not happen. An event
with nothing else to commit (a failed sign-in, a download) passes ``commit=True``.

What anyone may repeat without signing in, failed sign-ins, is kept bounded instead: one row per
typed account, client address and window, whose ``attempts`` counts the repeats
(``record_repeated``); the typed email is kept trimmed, lower-case and short (``typed_account``).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.models import AUDIT_ACTIONS, AuditEvent, User

ACTION_LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "sign_out": _l("Signed out"),
    "save": _l("Saved answers"),
    "submit": _l("Submitted"),
    "return": _l("Returned for revision"),
    "approve": _l("Approved"),
    "export": _l("Exported"),
    "download": _l("Downloaded"),
    "account_change": _l("Account changed"),
    "round_change": _l("Evaluation round opened or closed"),
}


def _acting_user() -> User | None:
    """Whoever the request is signed in as: a page session, else an API bearer token."""
    if not has_request_context():
        return None
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    api_user = g.get("api_user")
    return api_user if isinstance(api_user, User) else None


def record(
    action: str,
    *,
    user: User | None = None,
    email: str | None = None,
    city_id: int | None = None,
    obj: Any = None,
    detail: str = "",
    ip: str | None = None,
    commit: bool = False,
) -> AuditEvent:
    """Log ``action`` by ``user`` (default: whoever the request is signed in as) on ``obj``.

    The city is ``city_id``, else the object's, else the user's. ``email`` stands in for the
    user when there is none, as for a failed sign-in. The client address is ``ip``, else the
    request's ``remote_addr``: behind a proxy, set ``PROXY_FIX_HOPS`` so it is the client's, not
    the proxy's.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user = user or _acting_user()
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()  # the object needs its id before the log can point to it
    if city_id is None:
        city_id = getattr(obj, "city_id", None) or (user.city_id if user else None)
    event = AuditEvent(
        action=action,
        user_id=user.id if user else None,
        email=(user.email if user else _storable(email or "").strip())[:254],
        city_id=city_id,
        ip=client_address() if ip is None else ip,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        detail=detail,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def client_address() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def client_network() -> str:
    """The client's address, or for IPv6 its /64: one subscriber commonly holds a whole /64, so
    limits per client count it as one."""
    address = client_address()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address


TYPED_ACCOUNT_LENGTH = 64
"""Enough for any real address (the longest of ours is 30); an attacker's 250 stop here."""


def typed_account(typed: str) -> str:
    """What someone typed as their email, as the log keeps it and the throttle counts it."""
    return _storable(typed).strip().lower()[:TYPED_ACCOUNT_LENGTH]


def record_repeated(action: str, *, email: str, detail: str, ip: str, since: datetime) -> int:
    """Count one more ``action`` on the row for ``email``, ``detail`` and the client address (or
    network) ``ip`` begun after ``since``, or begin one; commit, and return how many the row now
    counts.

    The UPDATE comes first so it takes the write lock before it looks for the row: two workers
    counting at once add to one row rather than each begin their own.
    """
    latest = (
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.action == action,
            AuditEvent.email == email,
            AuditEvent.ip == ip,
            AuditEvent.detail == detail,
            AuditEvent.created_at >= since,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    counted = db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.id == latest)
        .values(attempts=AuditEvent.attempts + 1)
        .returning(AuditEvent.attempts)
        .execution_options(synchronize_session=False)
    ).scalar()
    if counted is None:
        record(action, email=email, detail=detail, ip=ip).attempts = counted = 1
    db.session.commit()
    return counted


def _storable(typed: str) -> str:
    """What was typed, with the characters no database here can store (NUL, lone surrogates)
    replaced: a throttled sign-in is logged before any form has checked its fields."""
    return typed.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
