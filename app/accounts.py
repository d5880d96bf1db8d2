"""Checking who someone is, shared by the sign-in page and the API's token endpoint."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import User

# Checked when no account matches, so an unknown email costs as long as a wrong password and
# the answer's timing does not tell which emails have accounts.
_UNKNOWN_USER_HASH = generate_password_hash("no account has this password")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None whatever was wrong."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user
