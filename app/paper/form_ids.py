"""Ids printed on every page of a paper questionnaire: bank version, serial, check letter.

``261-7KP3-M9QX-4TR7`` is question bank 2026.1 (``261``), the random serial ``7KP3M9QX4TR`` and
the check letter ``7``. Eleven symbols of 31 make 2.5e16 serials, so even 100,000 printed forms
clash with a chance under one in a million (n²/2N) without a shared counter, and nobody guesses
one; the check letter catches a mistyped character or two swapped neighbours when the form is
keyed in. Letters easy to confuse on paper (I, L, O, U) are never printed, and are read as
1, 1, 0, V. Forms printed before carry ``261-7KP3M``: a four-symbol serial, still read.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

# Crockford's base 32 without its last letter, Z: 31 symbols, a prime count, so the weighted
# check below changes with every single substitution and every swap of two neighbours.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
SERIAL_LENGTH = 11
LEGACY_SERIAL_LENGTH = 4
GROUP = 4
"""Printed in groups of four after the bank's code, which are easier to read out and type."""
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def version_code(version: str) -> str:
    """The bank version as printed: its digits, without the century (2026.1 → 261)."""
    digits = re.sub(r"\D", "", version)
    return digits[2:] if len(digits) > 3 and digits.startswith("20") else digits


def _check_letter(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def _printed(code: str, body: str) -> str:
    if len(body) == LEGACY_SERIAL_LENGTH + 1:
        return f"{code}-{body}"
    return "-".join([code, *(body[i : i + GROUP] for i in range(0, len(body), GROUP))])


def new_form_id(version: str) -> str:
    serial = "".join(secrets.choice(ALPHABET) for _ in range(SERIAL_LENGTH))
    code = version_code(version)
    return _printed(code, serial + _check_letter(code + serial))


def is_legacy_form_id(form_id: str) -> bool:
    """Whether a canonical id has the short serial of forms printed before ids were recorded."""
    return len(form_id.rpartition("-")[2]) == LEGACY_SERIAL_LENGTH + 1 and form_id.count("-") == 1


def parse_form_id(typed: str, versions: Iterable[str]) -> tuple[str, str] | None:
    """Return (canonical form id, bank version) for a well-formed id of a known bank, else None.

    Case, spaces and dashes do not matter, and look-alike letters are read as the digits meant.
    """
    compact = re.sub(r"[\s\-]", "", typed.upper()).translate(_LOOKALIKES)
    if any(c not in ALPHABET for c in compact):
        return None
    known = list(versions)
    for length in (SERIAL_LENGTH, LEGACY_SERIAL_LENGTH):
        code, body = compact[: -length - 1], compact[-length - 1 :]
        if len(compact) <= length + 1 or _check_letter(code + body[:-1]) != body[-1]:
            continue
        version = next((v for v in known if version_code(v) == code), None)
        if version is not None:
            return _printed(code, body), version
    return None
