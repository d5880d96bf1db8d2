"""Accounts: everyone's own password, the admin's user pages and the command line."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import ApiToken, User
from tests.conftest import PASSWORD, bearer, count_rows

NEW_PASSWORD = "a brand new passphrase"


def issue_token(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
    response = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {credentials}"})
    assert response.status_code == 200
    return str(response.get_json()["token"])


def signed_in(client: FlaskClient) -> bool:
    return client.get("/assessments").status_code == 200


def get_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


@pytest.fixture
def official(make_user: Callable[..., int]) -> int:
    return make_user("official@a.example")


def change(
    client: FlaskClient, current: str = PASSWORD, new: str = NEW_PASSWORD, **extra: str
) -> Any:
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "repeat_password": new, **extra},
    )


class TestOwnPassword:
    def test_a_visitor_is_sent_to_sign_in(self, client: FlaskClient) -> None:
        response = client.get("/account/password")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")

    def test_everyone_signed_in_finds_it_in_the_header(
        self, client: FlaskClient, official: int, login: Callable[..., Any]
    ) -> None:
        login("official@a.example")
        page = client.get("/assessments").get_data(as_text=True)
        assert 'href="/account/password"' in page
        form = client.get("/account/password").get_data(as_text=True)
        assert 'autocomplete="current-password"' in form
        assert 'autocomplete="new-password"' in form

    def test_a_change_keeps_this_session_and_ends_the_others(
        self, app: Flask, official: int
    ) -> None:
        # Plain clients: pytest-flask's `client` keeps its last request context pushed.
        here, elsewhere = app.test_client(), app.test_client()
        for device in (here, elsewhere):
            device.post("/login", data={"email": "official@a.example", "password": PASSWORD})
        token = issue_token(elsewhere, "official@a.example")
        assert elsewhere.get("/api/v1/assessments", headers=bearer(token)).status_code == 200
        response = change(here)
        assert response.status_code == 302
        page = here.get(response.headers["Location"], follow_redirects=True)
        assert b"Your password is changed" in page.data
        assert signed_in(here)
        assert not signed_in(elsewhere)
        assert here.get("/api/v1/assessments", headers=bearer(token)).status_code == 401
        assert count_rows(app, ApiToken) == 0
        assert get_user(app, official).check_password(NEW_PASSWORD)
        here.post("/logout")
        assert (
            here.post(
                "/login", data={"email": "official@a.example", "password": NEW_PASSWORD}
            ).status_code
            == 302
        )

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"current_password": "wrong password here"},
                "current_password",
                "This is not your current password.",
            ),
            ({"current_password": ""}, "current_password", "Enter your current password."),
            (
                {"new_password": "short", "repeat_password": "short"},
                "new_password",
                "Use at least 12 characters.",
            ),
            (
                {"new_password": "qwerty123456", "repeat_password": "qwerty123456"},
                "new_password",
                "one of the most common passwords",
            ),
            (
                {"new_password": "official@a.example", "repeat_password": "official@a.example"},
                "new_password",
                "Do not use the email address",
            ),
            (
                {"repeat_password": "something else entirely"},
                "repeat_password",
                "The two new passwords are not the same.",
            ),
        ],
    )
    def test_a_refused_change_says_why_beside_the_field_and_changes_nothing(
        self,
        app: Flask,
        client: FlaskClient,
        official: int,
        login: Callable[..., Any],
        data: dict[str, str],
        field: str,
        message: str,
    ) -> None:
        login("official@a.example")
        form = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
            **data,
        }
        page = client.post("/account/password", data=form).get_data(as_text=True)
        assert "<title>Error: Change password · CityReady</title>" in page
        assert f'id="{field}-error"' in page and message in page
        tag = re.search(rf'<input [^>]*id="{field}"[^>]*>', page)
        assert tag is not None
        assert f'{field}-error" aria-invalid="true"' in tag.group()
        # Passwords are never written back into the page.
        password_inputs = re.findall(r'<input [^>]*type="password"[^>]*>', page)
        assert len(password_inputs) == 3
        assert not any(re.search(r'value="[^"]', tag) for tag in password_inputs)
        assert get_user(app, official).check_password(PASSWORD)
        assert signed_in(client)

    def test_a_chinese_passphrase_is_accepted(
        self, app: Flask, client: FlaskClient, official: int, login: Callable[..., Any]
    ) -> None:
        login("official@a.example")
        assert change(client, new="智慧城市建设先规划后投资").status_code == 302
        assert get_user(app, official).check_password("智慧城市建设先规划后投资")

    def test_the_page_and_its_errors_are_in_chinese(
        self, client: FlaskClient, official: int, login: Callable[..., Any]
    ) -> None:
        login("official@a.example")
        client.get("/assessments?lang=zh")
        page = change(client, new="short").get_data(as_text=True)
        assert "修改密码" in page and "请至少使用 12 个字符" in page

    def test_guessing_the_current_password_is_throttled(
        self, app: Flask, client: FlaskClient, official: int, login: Callable[..., Any]
    ) -> None:
        login("official@a.example")
        limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
        for _ in range(limit):
            assert change(client, current="a wrong guess").status_code == 200
        assert change(client).status_code == 429
        assert get_user(app, official).check_password(PASSWORD)


class TestCommandLine:
    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("pw", "at least 12 characters"),
            ("password1234", "most common passwords"),
            ("new.user@a.example", "must not be the email address"),
        ],
    )
    def test_create_user_refuses_a_weak_password(
        self, app: Flask, runner: FlaskCliRunner, password: str, message: str
    ) -> None:
        result = runner.invoke(
            args=[
                "create-user",
                "--email",
                "New.User@a.example",
                "--password",
                password,
                "--role",
                "admin",
            ]
        )
        assert result.exit_code != 0
        assert message in result.output
        assert count_rows(app, User) == 0
