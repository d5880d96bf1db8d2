"""Accounts: checking who someone is (the sign-in page, the API's token endpoint) and changing
an account's password, shared by the pages and the command line."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, User
from app.passwords import PasswordProblem, password_problem

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


class PasswordRefused(ValueError):
    """The password breaks the policy; forms check first, so this guards the other callers."""

    def __init__(self, problem: PasswordProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def end_all_access(user: User) -> None:
    """Sign the user out of every session and revoke every API token they hold, at once."""
    user.end_sessions()
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))


def set_new_password(user: User, password: str) -> None:
    """Give the user a new password that meets the policy; every session and token ends."""
    if (problem := password_problem(password, user.email)) is not None:
        raise PasswordRefused(problem)
    user.set_password(password)
    end_all_access(user)
