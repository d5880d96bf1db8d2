"""The password policy alone: no app, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.policy import (
    COMMON_PASSWORDS_FILE,
    GENERATED_ALPHABET,
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordProblem,
    common_passwords,
    generate_password,
    password_length,
    password_problem,
)
from app.cli.demo import DEMO_PASSWORD

EMAIL = "Wang.Fang@Hangzhou.gov.example"


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        "correct horse battery staple",
        "智慧城市建设先规划后投资",  # 12 Chinese characters, 36 bytes in UTF-8
        "a    b    c ",  # spaces are characters like any other
        "x" * MAX_LENGTH,
        "no Rules like 1 digit & 1 symbol needed",
    ],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert password_problem(password, EMAIL) is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", PasswordProblem.TOO_SHORT),
        ("Tr0ub4dor&3", PasswordProblem.TOO_SHORT),  # 11, whatever its symbols
        ("智慧城市建设先规划后投", PasswordProblem.TOO_SHORT),  # 11 characters, 33 bytes
        ("x" * (MAX_LENGTH + 1), PasswordProblem.TOO_LONG),
        ("qwerty123456", PasswordProblem.COMMON),
        ("QWERTY123456", PasswordProblem.COMMON),
        ("1q2w3e4r5t6y", PasswordProblem.COMMON),
        ("International", PasswordProblem.COMMON),
        (EMAIL, PasswordProblem.IS_EMAIL),
        (EMAIL.lower(), PasswordProblem.IS_EMAIL),
        ("wang.fang@hangzhou.gov.example", PasswordProblem.IS_EMAIL),
        ("WANG.FANG@HANGZHOU.GOV.EXAMPLE", PasswordProblem.IS_EMAIL),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    password: str, problem: PasswordProblem
) -> None:
    assert password_problem(password, EMAIL) is problem


def test_the_email_local_part_is_refused_when_it_is_long_enough() -> None:
    assert password_problem("liu.xiaoming.1990", "Liu.Xiaoming.1990@x.example") is (
        PasswordProblem.IS_EMAIL
    )
    assert password_problem("liu.xiaoming.1990", "") is None


def test_length_counts_characters_not_bytes_nor_combining_marks() -> None:
    assert password_length("智慧城市") == 4
    assert password_length("cafe\u0301") == password_length("café") == 4


def test_the_shipped_list_is_large_and_read_whole() -> None:
    common = common_passwords()
    assert len(common) > 19_000
    assert "123456" in common and "password" in common
    assert "#1pimp" in common  # a password that looks like a comment is still read
    assert not any(line.startswith("# Copyright") for line in common)
    header = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").partition("\n\n")[0]
    assert "Source:" in header and "BSD" in header


def test_a_list_is_read_from_after_its_header(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# a header\n# more\n\nOne\n#two\n\n", encoding="utf-8")
    assert common_passwords(listing) == {"one", "#two"}


def test_generated_passwords_pass_and_differ() -> None:
    first, second = generate_password(), generate_password()
    assert first != second
    for password in (first, second):
        assert password_problem(password, EMAIL) is None
        assert len(password) >= MIN_LENGTH
        assert set(password) <= set(GENERATED_ALPHABET) | {"-"}
