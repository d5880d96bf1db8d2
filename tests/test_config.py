"""Configuration from the environment: secure cookies outside development, no start in
production with debug on or a guessable secret, and werkzeug's scrypt for passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.config import UnsafeConfiguration, environment_overrides, production_problems
from app.models import User

LONG_SECRET = "k" * 40


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A production-like environment with a database of its own and a real secret."""
    for name in (
        "FLASK_DEBUG",
        "CITYREADY_ENV",
        "RATELIMIT_STORAGE_URI",
        "PROXY_FIX_HOPS",
        "PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost")
    return monkeypatch


def test_production_cookies_are_secure(environment: pytest.MonkeyPatch) -> None:
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    cookie = app.test_client().get("/login?lang=zh").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CITYREADY_ENV", "development")
    app = create_app()
    assert not app.config["SESSION_COOKIE_SECURE"]
    assert "Secure" not in app.test_client().get("/login?lang=zh").headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "changeme", "SECRET_KEY must be a random value"),
        ("FLASK_DEBUG", "1", "debug mode is on"),
    ],
)
def test_production_refuses_to_start_unsafe(
    environment: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    environment.setenv(variable, value)
    with pytest.raises(UnsafeConfiguration, match=message):
        create_app()


def test_development_may_debug_with_any_key(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CITYREADY_ENV", "development")
    environment.setenv("FLASK_DEBUG", "1")
    environment.setenv("SECRET_KEY", "dev")
    assert create_app().debug


def test_the_generated_instance_secret_is_real(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = environment_overrides(tmp_path, {})
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert production_problems({**config, "PUBLIC_URL": "https://a.example"}, debug=False) == []
    assert environment_overrides(tmp_path, {})["SECRET_KEY"] == config["SECRET_KEY"]


def test_proxy_fix_trusts_the_configured_number_of_proxies(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("PROXY_FIX_HOPS", "1")
    app = create_app()
    response = app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" in response.headers


def test_without_a_proxy_forwarded_headers_are_ignored(environment: pytest.MonkeyPatch) -> None:
    response = create_app().test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_production_hashes_passwords_with_scrypt(environment: pytest.MonkeyPatch) -> None:
    """The tests' cheap method (conftest) must not leak into what production stores."""
    with create_app().app_context():
        user = User(email="someone@a.example")
        user.set_password("a long enough passphrase")
    assert user.password_hash.startswith("scrypt:")
