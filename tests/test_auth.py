"""Signing in and out through the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


def test_login_page_shows_the_form(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="email"' in page.data and b'name="password"' in page.data


def test_pages_need_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/assessments")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_then_out(
    client: FlaskClient, make_user: Callable[..., int], login: Callable[..., Any]
) -> None:
    make_user("official@a.example")
    response = login("Official@A.example ")
    assert response.status_code == 302
    assert client.get("/assessments").status_code == 200
    client.post("/logout")
    assert client.get("/assessments").status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("official@a.example", "wrong password!", b"Wrong email or password."),
        ("nobody@a.example", PASSWORD, b"Wrong email or password."),
        ("not-an-email", PASSWORD, b"Enter an email address like name@city.gov.cn."),
        ("", PASSWORD, b"Enter your email address."),
    ],
)
def test_failed_sign_in_keeps_the_email_and_explains(
    client: FlaskClient, make_user: Callable[..., int], email: str, password: str, message: bytes
) -> None:
    make_user("official@a.example")
    page = client.post("/login", data={"email": email, "password": password})
    assert page.status_code == 200
    assert message in page.data
    assert f'value="{email}"'.encode() in page.data


def test_a_deactivated_user_cannot_sign_in(
    client: FlaskClient, make_user: Callable[..., int], login: Callable[..., Any]
) -> None:
    make_user("gone@a.example", active=False)
    assert b"Wrong email or password." in login("gone@a.example").data


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/assessments", "/assessments"),
        ("https://evil.example/x", "/assessments"),
        ("//evil.example", "/assessments"),
        ("javascript:alert(1)", "/assessments"),
    ],
)
def test_next_redirects_only_to_local_paths(
    client: FlaskClient, make_user: Callable[..., int], target: str, expected: str
) -> None:
    make_user("official@a.example")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "official@a.example", "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_deactivation_ends_an_open_session(app: Flask, client: FlaskClient, official: int) -> None:
    assert client.get("/assessments").status_code == 200
    with app.app_context():
        user = db.session.get(User, official)
        assert user is not None
        user.active = False
        db.session.commit()
    assert client.get("/assessments").status_code == 302
