"""The account rules as form validators, their problems in the reader's language.

The password policy is shared by the admin's user forms and everyone's own password page (the
policy itself is ``app.accounts.policy``); the email rule by the sign-in page and the admin's
user forms, and the command line applies it too (``app.accounts.emails``).
"""

from __future__ import annotations

from typing import Protocol

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import ValidationError

from app.accounts.emails import acceptable_email
from app.accounts.policy import MAX_LENGTH, MIN_LENGTH, PasswordProblem, password_problem

NEW_PASSWORD_HINT = _l(
    "At least %(num)d characters, any you like — spaces and Chinese too. A few words in a row "
    "make a password that is long and easy to remember.",
    num=MIN_LENGTH,
)


class ForAccount(Protocol):
    def account_email(self) -> str:
        """The email of the account the password is for: the password must not be it."""


def policy_message(problem: PasswordProblem) -> str:
    if problem is PasswordProblem.TOO_SHORT:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if problem is PasswordProblem.TOO_LONG:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    if problem is PasswordProblem.COMMON:
        return _(
            "This is one of the most common passwords, the first that attackers try. "
            "Choose another."
        )
    return _("Do not use the email address, or the part before the @, as the password.")


class MeetsPasswordPolicy:
    """Validator for a new password field of a form that says whose account it is for."""

    def __call__(self, form: ForAccount, field: Field) -> None:
        problem = password_problem(field.data or "", form.account_email())
        if problem is not None:
            raise ValidationError(policy_message(problem))


class AcceptableEmail:
    """Validator for an email field: the same rule creates accounts and signs them in."""

    def __call__(self, form: object, field: Field) -> None:
        if field.data and not acceptable_email(field.data):
            raise ValidationError(_("Enter an email address like name@city.gov.cn."))
