"""Accounts: checking who someone is (the sign-in page, the API's token endpoint) and changing
an account's password, shared by the pages and the command line."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.emails import acceptable_email, normalise_email
from app.accounts.policy import PasswordProblem, password_problem
from app.assessments.operations import find_or_create_city
from app.divisions.operations import find_or_create_province, place_city
from app.extensions import db
from app.models import ROLES, ApiToken, User
from app.platform import audit
from app.platform.passwords import check_against_no_account


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None whatever was wrong."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_against_no_account(password)
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
    """Give the user a new password that meets the policy; every session and token ends.

    Not logged: the caller says in the audit log whose doing it was."""
    if (problem := password_problem(password, user.email)) is not None:
        raise PasswordRefused(problem)
    user.set_password(password)
    end_all_access(user)


class EmailTaken(ValueError):
    """Another account has this email already."""


class EmailRefused(ValueError):
    """Not an address the sign-in page would accept; forms check first, so this guards the
    command line and any other caller."""


class SelfLockout(ValueError):
    """An admin tried to deactivate or demote their own account."""


def email_taken(email: str, other_than: User | None = None) -> bool:
    query = sa.select(User.id).where(User.email == normalise_email(email))
    if other_than is not None:
        query = query.where(User.id != other_than.id)
    return db.session.scalar(query) is not None


def _place(
    user: User, role: str, city_name: str | None, province_name: str | None, tier: str | None
) -> None:
    """Officials belong to one city, created when it is new and placed in the province named;
    admins to no city, and to the province they review, or none to review every city."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "official" and not (city_name and city_name.strip()):
        raise ValueError("an official needs a city")
    user.role = role
    province = find_or_create_province(province_name.strip()) if province_name else None
    if role == "official" and city_name:
        user.city = find_or_create_city(city_name.strip())
        place_city(user.city, province, tier)
        user.province = None
    else:
        user.city = None
        user.province = province


def _changed(user: User, what: str) -> None:
    """Log the change to the account in the audit log, committed with it."""
    audit.record("account_change", obj=user, detail=what)


DISPLAY_NAME_MAX = 80  # the width of user.display_name


def _display_name(name: str | None) -> str | None:
    """A name as kept: trimmed, and None when there is none."""
    name = (name or "").strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(f"a name has at most {DISPLAY_NAME_MAX} characters")
    return name or None


def create_account(
    email: str,
    role: str,
    city_name: str | None,
    password: str,
    *,
    display_name: str | None = None,
    province_name: str | None = None,
    tier: str | None = None,
) -> User:
    """A new active account; its password must meet the policy. Flushes, never commits.

    ``province_name`` places a new official's city (an existing one must already be there, or
    nowhere yet) or makes an admin that province's reviewer."""
    email = normalise_email(email)
    if not acceptable_email(email):
        raise EmailRefused(email)
    if (problem := password_problem(password, email)) is not None:
        raise PasswordRefused(problem)
    if email_taken(email):
        raise EmailTaken(email)
    user = User(email=email, display_name=_display_name(display_name))
    _place(user, role, city_name, province_name, tier)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _changed(user, "created")
    return user


def update_account(
    user: User,
    by: User,
    email: str,
    role: str,
    city_name: str | None,
    *,
    display_name: str | None = None,
    province_name: str | None = None,
) -> None:
    """Change an account's name, email, role, city and reviewed province; an admin cannot demote
    themselves."""
    if user.id == by.id and role != user.role:
        raise SelfLockout("demote")
    email = normalise_email(email)
    if not acceptable_email(email):
        raise EmailRefused(email)
    if email_taken(email, other_than=user):
        raise EmailTaken(email)
    before = (user.display_name, user.email, user.role, user.city_id, user.province_id)
    user.display_name = _display_name(display_name)
    user.email = email
    _place(user, role, city_name, province_name if role == "admin" else None, None)
    db.session.flush()
    fields = [
        name
        for name, old, new in zip(
            ("name", "email", "role", "city", "province"),
            before,
            (user.display_name, user.email, user.role, user.city_id, user.province_id),
            strict=True,
        )
        if old != new
    ]
    if fields:
        _changed(user, "edited: " + ", ".join(fields))


def deactivate_account(user: User, by: User) -> None:
    """Stop the account at once: no sign-in, no open session, no API token."""
    if user.id == by.id:
        raise SelfLockout("deactivate")
    user.active = False
    end_all_access(user)
    _changed(user, "deactivated")


def reactivate_account(user: User) -> None:
    """Let the account sign in again; its old sessions and tokens stay ended."""
    user.active = True
    _changed(user, "reactivated")


def reset_password(user: User, password: str) -> None:
    """An admin sets the account's password: its sessions and tokens end."""
    set_new_password(user, password)
    _changed(user, "password reset")


def change_own_password(user: User, password: str) -> None:
    """The user chose a new password: every other session and token ends."""
    set_new_password(user, password)
    _changed(user, "password changed")
