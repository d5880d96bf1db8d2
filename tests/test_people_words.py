"""People's words: rounds named after their city, their number for that city and their year, and
people named by their display name rather than their email."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.web.templating import city_name_in
from tests.conftest import OFFICIAL, PASSWORD, get_assessment

YEAR = datetime.now().year  # the rounds below are started today


@pytest.mark.parametrize(
    ("name", "language", "shown"),
    [
        ("杭州 Hangzhou", "zh", "杭州"),
        ("杭州 Hangzhou", "en", "Hangzhou"),
        ("西安 Xi'an", "en", "Xi'an"),
        ("宁波", "en", "宁波"),
        ("City of Somewhere", "zh", "City of Somewhere"),
    ],
)
def test_a_bilingual_city_name_is_shown_in_the_readers_language(
    name: str, language: str, shown: str
) -> None:
    assert city_name_in(name, language) == shown


@pytest.fixture
def hangzhou_rounds(
    make_user: Callable[..., int],
    make_city: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> list[int]:
    """Two rounds of Hangzhou, after another city's round took the database id 1."""
    other = make_user("official@elsewhere.example")
    make_assessment(other, submit=True)
    official = make_user(OFFICIAL, city_id=make_city("杭州 Hangzhou"))
    rounds = [make_assessment(official, submit=True), make_assessment(official)]
    assert login(OFFICIAL).status_code == 302
    return rounds


def test_rounds_are_named_by_city_number_and_year_never_by_id(
    app: Flask, client: FlaskClient, hangzhou_rounds: list[int]
) -> None:
    first, second = hangzhou_rounds
    assert get_assessment(app, second).round_number == 2
    english = client.get("/assessments?lang=en").get_data(as_text=True)
    assert f"Hangzhou · round 1 ({YEAR})" in english
    assert f"Hangzhou · round 2 ({YEAR})" in english
    chinese = client.get("/assessments?lang=zh").get_data(as_text=True)
    assert f"杭州 · 第2轮（{YEAR}）" in chinese
    for page in (
        f"/assessments/{first}/report",
        f"/assessments/{second}/review",
        f"/assessments/{first}/targets",
    ):
        text = client.get(page + "?lang=en").get_data(as_text=True)
        assert "Hangzhou · round" in text, page
        assert not re.search(rf"#{first}\b|#{second}\b", text), page


def test_create_user_takes_a_display_name_shown_instead_of_the_email(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    created = runner.invoke(
        args=[
            "create-user",
            "--email",
            "li.na@hz.example",
            "--password",
            PASSWORD,
            "--role",
            "official",
            "--city",
            "杭州 Hangzhou",
            "--name",
            "李娜",
        ]
    )
    assert created.exit_code == 0, created.output
    client.post("/login", data={"email": "li.na@hz.example", "password": PASSWORD})
    page = client.get("/assessments?lang=zh").get_data(as_text=True)
    assert '<span class="who">李娜' in page


def test_a_too_long_name_is_refused_by_create_user(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "--email", "a@b.example", "--password", PASSWORD, "--role", "admin"]
        + ["--name", "x" * 81]
    )
    assert result.exit_code != 0
    assert "--name has at most 80 characters" in result.output


def test_the_admins_user_form_sets_the_name(
    client: FlaskClient, admin: int, make_user: Callable[..., int]
) -> None:
    user_id = make_user(OFFICIAL)
    edited = client.post(
        f"/admin/users/{user_id}",
        data={"display_name": " 王芳 ", "email": OFFICIAL, "role": "official", "city": "0"}
        | {"new_city": "宁波 Ningbo"},
    )
    assert edited.status_code == 302
    form = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert 'value="王芳"' in form
    too_long = client.post(
        f"/admin/users/{user_id}",
        data={"display_name": "x" * 81, "email": OFFICIAL, "role": "official"}
        | {"new_city": "宁波 Ningbo"},
    )
    assert too_long.status_code == 200
    assert "Field cannot be longer than 80 characters." in too_long.get_data(as_text=True)
