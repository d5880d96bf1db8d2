"""Configuration: safe defaults, then ``instance/config.py``, then the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MIN_SECRET_KEY_LENGTH = 32
DEVELOPMENT = "development"

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "API_TOKEN_MAX_AGE_DAYS": 30,
    # werkzeug's default method, spelled out so production keeps it; the tests' config sets a
    # cheap one, as scrypt's fifth of a second per hash made the suite take minutes.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Submitted reports and API answers kept rendered per worker (app/platform/caching.py);
    # 0 turns off.
    "FROZEN_CACHE_SIZE": 512,
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": ("en", "zh"),
    # Pages and PDFs show times on this clock, with the zone named; exports and the API stay UTC.
    "DISPLAY_TIMEZONE": "Asia/Shanghai",
    # WTForms' own messages ("This field is required.") follow the page's language.
    "WTF_I18N_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    # Cookies: never readable by scripts, never sent on cross-site POSTs. The Secure flag is
    # switched on outside development in app.config.environment_overrides.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
    "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
    # Failed sign-ins (pages and API tokens) allowed per client address, and per account from
    # one client address (app/auth/throttling.py); counted in the database. Past the alert, one
    # account's failures from all addresses together are logged as a warning.
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "LOGIN_ALERT_PER_ACCOUNT": "50 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    # Resident survey answers one address may send, counted under a salted hash of it.
    "SURVEY_LIMIT_PER_ADDRESS": "5 per hour",
    # Online survey answers in one clock hour beyond which the survey is flagged to the city.
    "SURVEY_BURST_PER_HOUR": 20,
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host.
    "PROXY_FIX_HOPS": 0,
    # The address people reach the app at, e.g. "https://cityready.example.gov.cn": the links
    # handed out to departments and residents are built on it, never on a request's Host header,
    # and TRUSTED_HOSTS defaults to its host, so a request naming another host is a 400.
    "PUBLIC_URL": "",
    "TRUSTED_HOSTS": None,
    # The largest request body read, in bytes; a bigger one is answered 413 before it is parsed.
    # A full assessment with every comment at its longest is about 160 KB.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Evidence files: at most this much a file and, all files together, an assessment. Routes
    # that receive files (``input_guard.receives_files``) read bodies up to
    # UPLOAD_MAX_CONTENT_LENGTH instead, a file plus room for the form around it.
    "EVIDENCE_MAX_FILE_BYTES": 20 * 1024 * 1024,
    "EVIDENCE_MAX_ASSESSMENT_BYTES": 200 * 1024 * 1024,
    "UPLOAD_MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
    "PDF_RENDER_TIMEOUT": 25,
    "PDF_CACHE_ENTRIES": 32,
    # E-mail goes out through this SMTP server (Flask-Mailman's MAIL_* settings); with none set,
    # notifications reach the in-app inbox only.
    "MAIL_SERVER": None,
    "MAIL_DEFAULT_SENDER": "CityReady <noreply@cityready.example>",
    "MAIL_TIMEOUT": 10,
    # send-reminders writes to a city's officials this many days before a round's due date.
    "REMINDER_DAYS_BEFORE": 3,
    # Where background jobs (reports rendered before anyone asks) wait: a Redis URL such as
    # redis://127.0.0.1:6379/0 puts them on an RQ queue that `flask --app app worker` serves;
    # empty runs them on a thread in each app process.
    "JOB_QUEUE_URL": "",
    # How long a download waits for a report still being rendered before it answers 503 with
    # Retry-After: well below gunicorn's --timeout, so no worker is blocked past it.
    "DOCUMENT_WAIT_SECONDS": 10,
    # Render an assessment's reports when its status changes or its report page is read, before
    # anyone downloads them; off, each is rendered when first downloaded (the test suite, where
    # most reports are never printed).
    "DOCUMENTS_AHEAD": True,
    # Renders of one document tried before it is marked failed (the next download asks again).
    "DOCUMENT_RENDER_ATTEMPTS": 3,
}


class UnsafeConfiguration(RuntimeError):
    """The app was asked to serve in production with settings that would expose it."""


def _persistent_secret(instance_path: Path) -> str:
    """Return the secret key kept in the instance folder, generating it on first start.

    A fresh random key per start would sign everyone out on every restart; a hard-coded one
    would let anyone forge sessions. So one is made once and kept beside the database.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'cityready.sqlite'}"
    # Heroku-style URLs name the old scheme; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def environment_overrides(instance_path: Path, configured: Mapping[str, Any]) -> dict[str, object]:
    """Settings from the environment, which win over ``instance/config.py`` (``configured``)."""
    environment = os.environ.get("CITYREADY_ENV", configured.get("CITYREADY_ENV", "production"))
    # Outside development the app is served over HTTPS, so cookies never travel in clear.
    secure_cookies = environment != DEVELOPMENT
    overrides: dict[str, object] = {
        "CITYREADY_ENV": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY")
        or configured.get("SECRET_KEY")
        or _persistent_secret(instance_path),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
    }
    if os.environ.get("DATABASE_URL") or not configured.get("SQLALCHEMY_DATABASE_URI"):
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url(instance_path)
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        overrides["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    if os.environ.get("JOB_QUEUE_URL"):
        overrides["JOB_QUEUE_URL"] = os.environ["JOB_QUEUE_URL"]
    if os.environ.get("PROXY_FIX_HOPS"):
        overrides["PROXY_FIX_HOPS"] = int(os.environ["PROXY_FIX_HOPS"])
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER"):
        if os.environ.get(name):
            overrides[name] = os.environ[name]
    if os.environ.get("MAIL_PORT"):
        overrides["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    for limit in ("EVIDENCE_MAX_FILE_BYTES", "EVIDENCE_MAX_ASSESSMENT_BYTES"):
        if os.environ.get(limit):
            overrides[limit] = int(os.environ[limit])
    if "EVIDENCE_MAX_FILE_BYTES" in overrides:
        overrides["UPLOAD_MAX_CONTENT_LENGTH"] = int(os.environ["EVIDENCE_MAX_FILE_BYTES"]) + 2**20
    if os.environ.get("PUBLIC_URL"):
        overrides["PUBLIC_URL"] = os.environ["PUBLIC_URL"].strip()
    if os.environ.get("TRUSTED_HOSTS"):
        overrides["TRUSTED_HOSTS"] = [
            host.strip() for host in os.environ["TRUSTED_HOSTS"].split(",") if host.strip()
        ]
    return overrides


def host_settings(config: Mapping[str, Any]) -> dict[str, object]:
    """``PUBLIC_URL`` checked and trimmed, and ``TRUSTED_HOSTS`` defaulting to its host.

    Raises ``UnsafeConfiguration`` for an address that is not an origin such as
    https://cityready.example.gov.cn: links are built as it followed by the page's path.
    """
    public_url = (config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not public_url:
        return {}
    parts = urlsplit(public_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        raise UnsafeConfiguration(
            f"PUBLIC_URL {public_url!r} must be an address such as "
            "https://cityready.example.gov.cn, with no path."
        )
    return {"PUBLIC_URL": public_url, "TRUSTED_HOSTS": config["TRUSTED_HOSTS"] or [parts.hostname]}


def production_problems(config: Mapping[str, Any], debug: bool) -> list[str]:
    """Name what makes this configuration unsafe to serve in production; empty when it is safe.

    Development (``CITYREADY_ENV=development``) and tests may run with debug and any key.
    """
    if config.get("TESTING") or config.get("CITYREADY_ENV") == DEVELOPMENT:
        return []
    problems = []
    if debug:
        problems.append(
            "debug mode is on (FLASK_DEBUG or DEBUG); the debugger would run code for anyone. "
            "Turn it off, or set CITYREADY_ENV=development on a developer's machine."
        )
    if not config.get("PUBLIC_URL") and not config.get("TRUSTED_HOSTS"):
        problems.append(
            "PUBLIC_URL is not set: the private links sent to departments and residents would "
            "take their host from the request's Host header, which anyone can forge. Set "
            "PUBLIC_URL=https://<the address people use> (or TRUSTED_HOSTS=<host>,<host>)."
        )
    key = config.get("SECRET_KEY") or ""
    if not isinstance(key, str | bytes) or len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_LENGTH} characters, "
            'e.g. python -c "import secrets; print(secrets.token_hex(32))"; '
            "or leave it unset to use the key generated in instance/secret_key."
        )
    return problems
