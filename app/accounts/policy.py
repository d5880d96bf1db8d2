"""The password policy, in the spirit of NIST SP 800-63B: length, not composition rules.

A password is long enough (12 characters, counted as Unicode code points, so a Chinese
passphrase counts each character once), not absurdly long, not one of the most common
passwords and not the account's own email. Any character is allowed, spaces included. Pure:
the callers (forms, the command line) put the problem into words.
"""

from __future__ import annotations

import enum
import secrets
import unicodedata
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).parents[1] / "content" / "common-passwords.txt"
# No 0/O, 1/l/I: a generated password is read off a screen and typed in or read out.
GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class PasswordProblem(enum.Enum):
    TOO_SHORT = "too short"
    TOO_LONG = "too long"
    COMMON = "common"
    IS_EMAIL = "is email"


ENGLISH_MESSAGES = {
    PasswordProblem.TOO_SHORT: f"the password must have at least {MIN_LENGTH} characters",
    PasswordProblem.TOO_LONG: f"the password must have at most {MAX_LENGTH} characters",
    PasswordProblem.COMMON: "the password is one of the most common passwords; choose another",
    PasswordProblem.IS_EMAIL: "the password must not be the email address or its name part",
}
"""For the command line, whose output stays in English; the pages translate their own."""


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@cache
def common_passwords(path: Path = COMMON_PASSWORDS_FILE) -> frozenset[str]:
    """The shipped list, case-folded: its header runs to the first empty line."""
    _header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    return frozenset(_comparable(line) for line in body.splitlines() if line)


def password_length(password: str) -> int:
    """Characters as a person counts them: composed code points (é is one, not two)."""
    return len(unicodedata.normalize("NFC", password))


def password_problem(password: str, email: str = "") -> PasswordProblem | None:
    """What is wrong with this password for the account with this email, or None."""
    length = password_length(password)
    if length < MIN_LENGTH:
        return PasswordProblem.TOO_SHORT
    if length > MAX_LENGTH:
        return PasswordProblem.TOO_LONG
    candidate = _comparable(password)
    if candidate in common_passwords():
        return PasswordProblem.COMMON
    email = _comparable(email.strip())
    if email and candidate in {email, email.rpartition("@")[0]}:
        return PasswordProblem.IS_EMAIL
    return None


def generate_password(groups: int = 4, group_length: int = 5) -> str:
    """A random password to hand over once, e.g. ``k7mqz-3xhwp-...``: about 99 bits by default."""
    return "-".join(
        "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(group_length))
        for _ in range(groups)
    )
