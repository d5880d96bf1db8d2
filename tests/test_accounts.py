"""Accounts: everyone's own password, the admin's user pages and the command line."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.accounts import operations as accounts
from app.admin import user_forms
from app.extensions import db
from app.models import ApiToken, AuditEvent, User
from tests.conftest import ADMIN, PASSWORD, bearer, count_rows

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
        self, client: FlaskClient, official: int
    ) -> None:
        page = client.get("/assessments").get_data(as_text=True)
        assert 'href="/account/password"' in page
        form = client.get("/account/password").get_data(as_text=True)
        assert 'autocomplete="current-password"' in form
        assert 'autocomplete="new-password"' in form

    def test_a_change_keeps_this_session_and_ends_the_others(
        self, app: Flask, official_account: int
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
        assert get_user(app, official_account).check_password(NEW_PASSWORD)
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
        data: dict[str, str],
        field: str,
        message: str,
    ) -> None:
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
        self, app: Flask, client: FlaskClient, official: int
    ) -> None:
        assert change(client, new="智慧城市建设先规划后投资").status_code == 302
        assert get_user(app, official).check_password("智慧城市建设先规划后投资")

    def test_the_page_and_its_errors_are_in_chinese(
        self, client: FlaskClient, official: int
    ) -> None:
        client.get("/assessments?lang=zh")
        page = change(client, new="short").get_data(as_text=True)
        assert "修改密码" in page and "请至少使用 12 个字符" in page

    def test_guessing_the_current_password_is_throttled(
        self, app: Flask, client: FlaskClient, official: int
    ) -> None:
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


def find_user(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            _ = user.city
            db.session.expunge(user)
        return user


def account_changes(app: Flask) -> list[str]:
    with app.app_context():
        query = sa.select(AuditEvent.detail).where(AuditEvent.action == "account_change")
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def new_user_form(**fields: str) -> dict[str, str]:
    return {
        "email": "li.na@b.example",
        "role": "official",
        "city": "0",
        "new_city": "宁波 Ningbo",
        "password": NEW_PASSWORD,
        **fields,
    }


class TestUserList:
    def test_admins_see_every_user_and_the_link_to_it(
        self, app: Flask, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        assert 'href="/admin/users"' in client.get("/admin").get_data(as_text=True)
        page = client.get("/admin/users").get_data(as_text=True)
        assert "official@a.example" in page and ADMIN in page
        assert "City of official@a.example" in page
        assert "2 users" in page and "Last change" in page and "Active" in page

    def test_officials_have_no_link(self, client: FlaskClient, official: int) -> None:
        assert 'href="/admin/users"' not in client.get("/assessments").get_data(as_text=True)
        assert client.get("/admin/users").status_code == 403


class TestCreate:
    def test_an_official_in_a_new_city(self, app: Flask, client: FlaskClient, admin: int) -> None:
        response = client.post("/admin/users/new", data=new_user_form(email=" Li.Na@B.example "))
        assert response.status_code == 302
        user = find_user(app, "li.na@b.example")
        assert user is not None and user.role == "official" and user.active
        assert user.city is not None and user.city.name == "宁波 Ningbo"
        assert user.check_password(NEW_PASSWORD)
        assert account_changes(app) == ["created"]
        listing = client.get("/admin/users").get_data(as_text=True)
        assert "Created li.na@b.example." in listing and "宁波 Ningbo" in listing

    def test_an_official_in_an_existing_city_and_an_admin_in_none(
        self, app: Flask, client: FlaskClient, admin: int, make_city: Callable[..., int]
    ) -> None:
        city = make_city("杭州 Hangzhou")
        form = new_user_form(city=str(city), new_city="")
        assert client.post("/admin/users/new", data=form).status_code == 302
        official = find_user(app, "li.na@b.example")
        assert official is not None and official.city_id == city
        form = new_user_form(email="boss@b.example", role="admin", new_city="")
        assert client.post("/admin/users/new", data=form).status_code == 302
        reviewer = find_user(app, "boss@b.example")
        assert reviewer is not None and reviewer.role == "admin" and reviewer.city_id is None

    def test_a_generated_password_is_shown_once_and_works(
        self, app: Flask, client: FlaskClient, admin: int
    ) -> None:
        response = client.post("/admin/users/new", data=new_user_form(password=""))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        shown = re.search(r'<code lang="en">([^<]+)</code>', response.get_data(as_text=True))
        assert shown is not None
        user = find_user(app, "li.na@b.example")
        assert user is not None and user.check_password(shown.group(1))
        with client.session_transaction() as session:
            assert shown.group(1) not in str(dict(session))

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"new_city": ""}, "city", "Choose the official's city"),
            ({"role": "admin"}, "city", "Admins belong to no city"),
            ({"city": "CITY"}, "city", "not both"),
            ({"email": "not an email"}, "email", "Enter an email address like"),
            ({"password": "short"}, "password", "Use at least 12 characters."),
            ({"password": "password1234"}, "password", "one of the most common passwords"),
            ({"password": "LI.NA@b.example"}, "password", "Do not use the email address"),
            (
                {"password": "li.na.example", "email": "li.na.example@b.example"},
                "password",
                "Do not use the email address",
            ),
            ({"role": "boss"}, "role", "Not a valid choice"),
        ],
    )
    def test_a_refused_form_says_why_and_keeps_what_was_typed(
        self,
        app: Flask,
        client: FlaskClient,
        admin: int,
        make_city: Callable[..., int],
        fields: dict[str, str],
        field: str,
        message: str,
    ) -> None:
        city = make_city("杭州 Hangzhou")
        fields = {k: str(city) if v == "CITY" else v for k, v in fields.items()}
        form = new_user_form(**fields)
        response = client.post("/admin/users/new", data=form)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<title>Error: New user · CityReady</title>" in page
        assert f'id="{field}-error"' in page and message in page
        assert f'value="{form["email"]}"' in page
        if form["new_city"]:
            assert f'value="{form["new_city"]}"' in page
        password_input = re.search(r'<input [^>]*type="password"[^>]*>', page)
        assert password_input is not None and 'value=""' in password_input.group()
        assert find_user(app, form["email"].lower()) is None

    def test_a_chinese_passphrase_is_accepted(
        self, app: Flask, client: FlaskClient, admin: int
    ) -> None:
        form = new_user_form(password="智慧城市建设先规划后投资")
        assert client.post("/admin/users/new", data=form).status_code == 302
        user = find_user(app, "li.na@b.example")
        assert user is not None and user.check_password("智慧城市建设先规划后投资")

    def test_a_taken_email_is_refused_beside_the_field_whatever_its_case(
        self, app: Flask, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        response = client.post("/admin/users/new", data=new_user_form(email="OFFICIAL@A.example"))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="email-error"' in page and "Another account has this email address." in page
        assert count_rows(app, User) == 2

    def test_a_taken_email_is_refused_even_in_a_race(
        self,
        app: Flask,
        client: FlaskClient,
        admin: int,
        official_account: int,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Two admins create the same email at once: the check passes for both, the database
        refuses the second; it gets the message, not a 500."""
        for checked_before_writing in (user_forms, accounts):
            monkeypatch.setattr(checked_before_writing, "email_taken", lambda *_args, **_kw: False)
        response = client.post("/admin/users/new", data=new_user_form(email="official@a.example"))
        assert response.status_code == 200
        assert "Another account has this email address." in response.get_data(as_text=True)
        assert count_rows(app, User) == 2
        assert account_changes(app) == []


class TestEdit:
    def test_email_role_and_city_change(
        self, app: Flask, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        form = {"email": "Wang@A.example", "role": "official", "city": "0", "new_city": "温州"}
        assert client.post(f"/admin/users/{official_account}", data=form).status_code == 302
        user = get_user(app, official_account)
        assert user.email == "wang@a.example"
        assert find_user(app, "wang@a.example").city.name == "温州"  # type: ignore[union-attr]
        assert (
            client.post(
                f"/admin/users/{official_account}",
                data={"email": "wang@a.example", "role": "admin", "city": "0"},
            ).status_code
            == 302
        )
        promoted = get_user(app, official_account)
        assert promoted.role == "admin" and promoted.city_id is None
        assert account_changes(app) == ["edited: email, city", "edited: role, city"]

    def test_the_form_shows_the_account_as_it_is(
        self, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        page = client.get(f"/admin/users/{official_account}").get_data(as_text=True)
        assert 'value="official@a.example"' in page
        assert re.search(r'<option selected value="\d+">City of official@a.example', page)
        assert re.search(r'<input checked[^>]*value="official"', page)

    def test_a_taken_email_is_refused(
        self, app: Flask, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        form = {"email": ADMIN.upper(), "role": "official", "city": "0", "new_city": "温州"}
        page = client.post(f"/admin/users/{official_account}", data=form).get_data(as_text=True)
        assert "Another account has this email address." in page
        assert get_user(app, official_account).email == "official@a.example"

    def test_an_admin_cannot_demote_themselves(
        self, app: Flask, client: FlaskClient, admin: int
    ) -> None:
        form = {"email": ADMIN, "role": "official", "city": "0", "new_city": "温州"}
        page = client.post(f"/admin/users/{admin}", data=form).get_data(as_text=True)
        assert "You cannot change your own role" in page and 'id="role-error"' in page
        assert get_user(app, admin).role == "admin"
        assert count_rows(app, AuditEvent) == 1  # the sign-in only

    def test_an_unknown_user_is_404(self, client: FlaskClient, admin: int) -> None:
        assert client.get("/admin/users/999").status_code == 404
        assert client.post("/admin/users/999/deactivate").status_code == 404


class TestDeactivation:
    def test_it_cuts_an_open_session_and_an_api_token_at_once(
        self, app: Flask, official_account: int, make_user: Callable[..., int]
    ) -> None:
        make_user(ADMIN, role="admin")
        reviewer, city_laptop = app.test_client(), app.test_client()
        reviewer.post("/login", data={"email": ADMIN, "password": PASSWORD})
        city_laptop.post("/login", data={"email": "official@a.example", "password": PASSWORD})
        token = issue_token(city_laptop, "official@a.example")
        assert signed_in(city_laptop)
        response = reviewer.post(f"/admin/users/{official_account}/deactivate")
        assert response.status_code == 302
        assert not signed_in(city_laptop)
        assert city_laptop.get("/api/v1/assessments", headers=bearer(token)).status_code == 401
        assert (
            b"Wrong email or password."
            in city_laptop.post(
                "/login", data={"email": "official@a.example", "password": PASSWORD}
            ).data
        )
        listing = reviewer.get("/admin/users").get_data(as_text=True)
        assert "Deactivated official@a.example" in listing and "Deactivated" in listing
        assert account_changes(app) == ["deactivated"]

        assert reviewer.post(f"/admin/users/{official_account}/reactivate").status_code == 302
        assert get_user(app, official_account).active
        # Reactivated, the old session and token stay dead; a new sign-in works.
        assert not signed_in(city_laptop)
        assert city_laptop.get("/api/v1/assessments", headers=bearer(token)).status_code == 401
        city_laptop.post("/login", data={"email": "official@a.example", "password": PASSWORD})
        assert signed_in(city_laptop)
        assert account_changes(app) == ["deactivated", "reactivated"]

    def test_an_admin_cannot_deactivate_themselves(
        self, app: Flask, client: FlaskClient, admin: int
    ) -> None:
        response = client.post(f"/admin/users/{admin}/deactivate", follow_redirects=True)
        assert "You cannot deactivate your own account" in response.get_data(as_text=True)
        assert get_user(app, admin).active
        assert signed_in(client)


class TestReset:
    def test_an_admin_sets_a_new_password_and_the_sessions_end(
        self, app: Flask, official_account: int, make_user: Callable[..., int]
    ) -> None:
        make_user(ADMIN, role="admin")
        reviewer, city_laptop = app.test_client(), app.test_client()
        reviewer.post("/login", data={"email": ADMIN, "password": PASSWORD})
        city_laptop.post("/login", data={"email": "official@a.example", "password": PASSWORD})
        url = f"/admin/users/{official_account}/password"
        assert b"official@a.example" in reviewer.get(url).data
        weak = reviewer.post(url, data={"password": "official@a.example"})
        assert b"Do not use the email address" in weak.data
        assert signed_in(city_laptop)
        assert reviewer.post(url, data={"password": NEW_PASSWORD}).status_code == 302
        assert not signed_in(city_laptop)
        assert get_user(app, official_account).check_password(NEW_PASSWORD)
        assert account_changes(app) == ["password reset"]

    def test_a_generated_one_is_shown_once(
        self, app: Flask, client: FlaskClient, admin: int, official_account: int
    ) -> None:
        response = client.post(f"/admin/users/{official_account}/password", data={"password": ""})
        shown = re.search(r'<code lang="en">([^<]+)</code>', response.get_data(as_text=True))
        assert shown is not None and get_user(app, official_account).check_password(shown.group(1))
        assert response.headers["Cache-Control"] == "no-store"

    def test_an_admin_changes_their_own_on_their_own_page(
        self, client: FlaskClient, admin: int
    ) -> None:
        response = client.get(f"/admin/users/{admin}/password")
        assert response.headers["Location"] == "/account/password"


EMAILS_ONE_RULE = [
    ("li.na@city.gov.cn", True),
    ("  Li.Na@City.Gov.CN ", True),
    ("张伟@杭州.中国", True),
    ("admin@localhost", False),
    ("no-at-sign.example", False),
    ("two@@a.example", False),
    ("trailing.dot.@a.example", False),
    ("x" * 250 + "@a.example", False),
]


class TestOneRuleForEmails:
    """An account that can be created can sign in: the command line, the admin's form and the
    sign-in page apply one rule (app.accounts.emails)."""

    @pytest.mark.parametrize(("email", "acceptable"), EMAILS_ONE_RULE)
    def test_create_user_then_sign_in(
        self, app: Flask, runner: FlaskCliRunner, client: FlaskClient, email: str, acceptable: bool
    ) -> None:
        created = runner.invoke(
            args=["create-user", "--email", email, "--password", NEW_PASSWORD, "--role", "admin"]
        )
        assert (created.exit_code == 0) is acceptable, created.output
        if not acceptable:
            assert "not an email address the sign-in page accepts" in created.output
            assert count_rows(app, User) == 0
        signing_in = client.post("/login", data={"email": email, "password": NEW_PASSWORD})
        assert (signing_in.status_code == 302) is acceptable
        if not acceptable:
            assert "Enter an email address like name@city.gov.cn." in signing_in.get_data(
                as_text=True
            )

    @pytest.mark.parametrize(("email", "acceptable"), EMAILS_ONE_RULE)
    def test_the_admins_form_applies_the_same_rule(
        self, app: Flask, client: FlaskClient, admin: int, email: str, acceptable: bool
    ) -> None:
        response = client.post("/admin/users/new", data=new_user_form(email=email))
        assert (response.status_code == 302) is acceptable
        if not acceptable:
            assert "Enter an email address like name@city.gov.cn." in response.get_data(
                as_text=True
            )
            assert count_rows(app, User) == 1
