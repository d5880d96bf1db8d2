"""Sessions (OWASP ASVS 5.0 ch. 3, 6, 7): cookie flags, fresh sessions, sign-out that sticks,
timeouts, throttled password guessing."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.sessions import SEEN, SESSION_ID, STARTED
from app.extensions import db
from app.models import User
from tests.conftest import CHEAP_PASSWORD_HASH, PASSWORD

SESSION_COOKIE = "session"


def signed_in(client: FlaskClient) -> bool:
    return client.get("/assessments").status_code == 200


def basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_session_cookie_is_httponly_and_samesite_lax(
    client: FlaskClient, official_account: int, login: Callable[..., Any]
) -> None:
    cookie = login("official@a.example").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # tests run over plain HTTP


def test_sign_in_starts_a_fresh_session_keeping_the_language(
    client: FlaskClient, official_account: int, login: Callable[..., Any]
) -> None:
    client.get("/login?lang=zh")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    login("official@a.example")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["lang"] == "zh"
        assert after["_user_id"].endswith(":1")


def test_an_old_cookie_replayed_after_sign_out_is_refused(
    client: FlaskClient, official: int
) -> None:
    assert signed_in(client)
    stolen = client.get_cookie(SESSION_COOKIE)
    assert stolen is not None
    client.post("/logout")
    assert not signed_in(client)
    client.set_cookie(SESSION_COOKIE, stolen.value)
    assert not signed_in(client)


def test_signing_out_ends_this_devices_session_only(app: Flask, official_account: int) -> None:
    # Plain test clients: pytest-flask's `client` keeps its last request's context pushed.
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    assert signed_in(laptop) and signed_in(phone)
    laptop.post("/logout")
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_signing_out_everywhere_ends_every_session(app: Flask, official_account: int) -> None:
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    stolen = laptop.get_cookie(SESSION_COOKIE)
    assert stolen is not None
    ended = laptop.post("/logout/everywhere")
    assert ended.status_code == 302 and ended.headers["Location"] == "/login"
    assert not signed_in(laptop) and not signed_in(phone)
    laptop.set_cookie(SESSION_COOKIE, stolen.value)
    assert not signed_in(laptop)


def test_signing_out_everywhere_needs_a_csrf_token(app: Flask, official_account: int) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    device = app.test_client()
    page = device.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    device.post(
        "/login",
        data={"email": "official@a.example", "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in(device)
    assert device.post("/logout/everywhere").status_code == 400
    assert signed_in(device)


def test_a_cookie_from_before_sessions_had_ids_is_signed_out(
    client: FlaskClient, official: int
) -> None:
    with client.session_transaction() as session:
        del session[SESSION_ID]
    assert not signed_in(client)


def test_deactivation_refuses_a_replayed_cookie(
    app: Flask, client: FlaskClient, official: int
) -> None:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    with app.app_context():
        user = db.session.get(User, official)
        assert user is not None
        user.active = False
        user.end_sessions()
        db.session.commit()
    client.set_cookie(SESSION_COOKIE, cookie.value)
    assert not signed_in(client)
    with app.app_context():
        user = db.session.get(User, official)
        assert user is not None
        user.active = True
        db.session.commit()
    # Reactivated, the old cookie stays dead: it carries the old session version.
    client.set_cookie(SESSION_COOKIE, cookie.value)
    assert not signed_in(client)


@pytest.mark.parametrize("identity", ["1", "1:", ":1", "1:x", "abc", "1:1:1"])
def test_a_session_identity_without_the_right_version_loads_no_one(
    client: FlaskClient, official_account: int, identity: str
) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = identity
    assert not signed_in(client)


def age_session(client: FlaskClient, key: str, by: timedelta) -> None:
    """Travel in time: make the session look older than it is."""
    with client.session_transaction() as session:
        session[key] = session[key] - int(by.total_seconds())


def test_an_idle_session_ends(app: Flask, client: FlaskClient, official: int) -> None:
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    age_session(client, SEEN, idle - timedelta(minutes=2))
    assert signed_in(client)
    age_session(client, SEEN, idle)
    response = client.get("/assessments")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert b"Your session has ended" in client.get(response.headers["Location"]).data


def test_a_remembered_session_survives_idleness_but_not_the_absolute_timeout(
    app: Flask, client: FlaskClient, official_account: int
) -> None:
    response = client.post(
        "/login", data={"email": "official@a.example", "password": PASSWORD, "remember": "y"}
    )
    assert "Expires=" in response.headers["Set-Cookie"]  # kept across browser restarts
    assert client.get_cookie("remember_token") is None
    age_session(client, SEEN, app.config["SESSION_IDLE_TIMEOUT"] * 2)
    assert signed_in(client)
    age_session(client, STARTED, app.config["SESSION_ABSOLUTE_TIMEOUT"])
    assert not signed_in(client)


def test_an_unremembered_session_ends_with_the_browser(
    client: FlaskClient, official_account: int, login: Callable[..., Any]
) -> None:
    assert "Expires=" not in login("official@a.example").headers["Set-Cookie"]


class TestTinyTimeouts:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"SESSION_ABSOLUTE_TIMEOUT": timedelta(0)}

    def test_a_session_past_its_absolute_timeout_ends_at_once(
        self, client: FlaskClient, official_account: int, login: Callable[..., Any]
    ) -> None:
        assert login("official@a.example").status_code == 302
        assert not signed_in(client)


class TestThrottling:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
            "LOGIN_LIMIT_PER_ADDRESS": "5 per minute",
        }

    def test_failed_sign_ins_are_throttled_per_account_and_logged(
        self, client: FlaskClient, official_account: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING):
            for _ in range(3):
                page = client.post(
                    "/login", data={"email": "official@a.example", "password": "guess"}
                )
                assert page.status_code == 200
        assert caplog.text.count("Failed sign-in for 'official@a.example'") == 3
        refused = client.post("/login", data={"email": "official@a.example", "password": PASSWORD})
        assert refused.status_code == 429
        assert b"Too many failed sign-ins" in refused.data
        assert refused.headers["Retry-After"] == "60"
        assert not signed_in(client)

    def test_successful_sign_ins_do_not_count(
        self, client: FlaskClient, official_account: int, login: Callable[..., Any]
    ) -> None:
        for _ in range(6):
            assert login("official@a.example").status_code == 302
            client.post("/logout")

    def test_one_address_guessing_many_accounts_is_throttled(self, client: FlaskClient) -> None:
        codes = [
            client.post("/login", data={"email": f"u{n}@a.example", "password": "x"}).status_code
            for n in range(6)
        ]
        assert codes == [200] * 5 + [429]

    def test_api_tokens_share_the_count_with_the_sign_in_page(
        self, client: FlaskClient, official_account: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        client.post("/login", data={"email": "official@a.example", "password": "guess"})
        with caplog.at_level(logging.WARNING):
            for _ in range(2):
                wrong = client.post("/api/v1/tokens", headers=basic("official@a.example", "guess"))
                assert wrong.status_code == 401
        assert "Failed API sign-in for 'official@a.example'" in caplog.text
        refused = client.post("/api/v1/tokens", headers=basic("official@a.example", PASSWORD))
        assert refused.status_code == 429
        assert refused.is_json and "errors" in refused.get_json()
        assert refused.headers["Retry-After"] == "60"


def test_the_throttle_counts_across_workers_and_restarts(tmp_path: Any) -> None:
    """Workers and servers each build their own app, and a restarted worker a new one; on the
    embedded default (memory:// for other limits) they share the count through the database."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'throttle.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute",
    }
    guess = {"email": "someone@a.example", "password": "guess"}
    codes = []
    for _ in range(3):
        worker = create_app(settings)
        with worker.app_context():
            db.create_all()
        codes.append(worker.test_client().post("/login", data=guess).status_code)
        with worker.app_context():
            db.engine.dispose()
    assert codes == [200, 200, 429]
