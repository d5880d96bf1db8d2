"""The one rule for an account's email address, so that every account that can be created
(the command line, the admin's user form) can also sign in (the sign-in page).

Pure: the callers put the refusal into words in their own language.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321's limit on a path, and the width of user.email


def normalise_email(email: str) -> str:
    """Emails are kept trimmed and lower-case, so uniqueness ignores case."""
    return email.strip().lower()


def acceptable_email(email: str) -> bool:
    """Whether an account may have this address: syntax only, no DNS lookup (an intranet's
    mail domain need not resolve from the server)."""
    email = normalise_email(email)
    if not email or len(email) > MAX_LENGTH:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
