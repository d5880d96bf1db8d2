"""The inbox's unread count, as a column the query loading a session's user can carry."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import Notification, User

UNREAD_COUNT = (
    sa.select(sa.func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
"""How many of the user's notifications are unread, correlated to the user row selected."""
