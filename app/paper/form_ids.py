"""Short ids printed on every page of a paper questionnaire: bank version, serial, check letter.

``261-7KP3M`` is question bank 2026.1 (``261``), serial ``7KP3`` and check letter ``M``. The
serial is random, so copies printed anywhere never clash without a shared counter; the check
letter catches a mistyped character or two swapped neighbours when the form is keyed in.
Letters easy to confuse on paper (I, L, O, U) are never printed, and are read as 1, 1, 0, V.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

# Crockford's base 32 without its last letter, Z: 31 symbols, a prime count, so the weighted
# check below changes with every single substitution and every swap of two neighbours.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
SERIAL_LENGTH = 4
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def version_code(version: str) -> str:
    """The bank version as printed: its digits, without the century (2026.1 → 261)."""
    digits = re.sub(r"\D", "", version)
    return digits[2:] if len(digits) > 3 and digits.startswith("20") else digits


def _check_letter(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_form_id(version: str) -> str:
    serial = "".join(secrets.choice(ALPHABET) for _ in range(SERIAL_LENGTH))
    code = version_code(version)
    return f"{code}-{serial}{_check_letter(code + serial)}"


def parse_form_id(typed: str, versions: Iterable[str]) -> tuple[str, str] | None:
    """Return (canonical form id, bank version) for a well-formed id of a known bank, else None.

    Case, spaces and dashes do not matter, and look-alike letters are read as the digits meant.
    """
    compact = re.sub(r"[\s\-]", "", typed.upper()).translate(_LOOKALIKES)
    if len(compact) <= SERIAL_LENGTH + 1 or any(c not in ALPHABET for c in compact):
        return None
    code, serial, check = (
        compact[: -SERIAL_LENGTH - 1],
        compact[-SERIAL_LENGTH - 1 : -1],
        compact[-1],
    )
    if _check_letter(code + serial) != check:
        return None
    version = next((v for v in versions if version_code(v) == code), None)
    if version is None:
        return None
    return f"{code}-{serial}{check}", version
