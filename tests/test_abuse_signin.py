"""Password guessing as an attacker does it: from one address at one account, at many
accounts, or to lock the owner out; what it costs the log and the database's write lock."""

from __future__ import annotations

import fcntl
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import models
from app.extensions import db
from app.models import AuditEvent
from tests.conftest import OFFICIAL, PASSWORD
from tests.test_sessions import basic, signed_in

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
NEW_PASSWORD = "a brand new passphrase 2027"


def from_address(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def guess_on_the_page(client: FlaskClient, email: str, address: str = ATTACKER) -> int:
    page = client.post(
        "/login", data={"email": email, "password": "guess"}, **from_address(address)
    )
    return page.status_code


def failed_sign_in_rows(app: Flask) -> list[tuple[str, str, int]]:
    with app.app_context():
        query = sa.select(AuditEvent.email, AuditEvent.detail, AuditEvent.attempts).where(
            AuditEvent.action == "sign_in_failed"
        )
        return [tuple(row) for row in db.session.execute(query.order_by(AuditEvent.id))]


class TestAStrangerCannotLockTheOwnerOut:
    def test_on_the_sign_in_page(self, app: Flask, official_account: int) -> None:
        attacker, owner = app.test_client(), app.test_client()
        codes = [guess_on_the_page(attacker, OFFICIAL) for _ in range(50)]
        assert codes == [200] * 10 + [429] * 40
        signed = owner.post(
            "/login", data={"email": OFFICIAL, "password": PASSWORD}, **from_address(OWNER)
        )
        assert signed.status_code == 302
        assert signed_in(owner)

    def test_on_the_token_endpoint(self, app: Flask, official_account: int) -> None:
        client = app.test_client()
        wrong = basic(OFFICIAL, "guess")
        codes = [
            client.post("/api/v1/tokens", headers=wrong, **from_address(ATTACKER)).status_code
            for _ in range(50)
        ]
        assert codes == [401] * 10 + [429] * 40
        right = client.post(
            "/api/v1/tokens", headers=basic(OFFICIAL, PASSWORD), **from_address(OWNER)
        )
        assert right.status_code == 200 and right.get_json()["token"]

    def test_nor_stop_them_changing_their_password(self, app: Flask, official_account: int) -> None:
        attacker, owner = app.test_client(), app.test_client()
        owner.post("/login", data={"email": OFFICIAL, "password": PASSWORD}, **from_address(OWNER))
        for _ in range(50):
            guess_on_the_page(attacker, OFFICIAL)
        changed = owner.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "repeat_password": NEW_PASSWORD,
            },
            **from_address(OWNER),
        )
        assert changed.status_code == 302
        assert owner.post("/logout").status_code == 302
        assert guess_on_the_page(owner, OFFICIAL, OWNER) == 200  # the old password is gone
        assert (
            owner.post(
                "/login", data={"email": OFFICIAL, "password": NEW_PASSWORD}, **from_address(OWNER)
            ).status_code
            == 302
        )

    def test_an_ipv6_client_counts_as_its_64(self, app: Flask, official_account: int) -> None:
        """One subscriber commonly holds a whole /64: its 2⁶⁴ addresses are one client."""
        client = app.test_client()
        codes = [guess_on_the_page(client, OFFICIAL, f"2001:db8:1:2::{n:x}") for n in range(12)]
        assert codes == [200] * 10 + [429] * 2
        assert failed_sign_in_rows(app)[0] == (OFFICIAL, "", 10)
        signed = client.post(
            "/login",
            data={"email": OFFICIAL, "password": PASSWORD},
            **from_address("2001:db8:1:3::1"),
        )
        assert signed.status_code == 302

    @pytest.mark.parametrize("app_config", [{"LOGIN_ALERT_PER_ACCOUNT": "3 per minute"}])
    def test_many_addresses_guessing_one_account_are_reported(
        self, app: Flask, official_account: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        client = app.test_client()
        with caplog.at_level(logging.WARNING):
            for n in range(4):
                guess_on_the_page(client, OFFICIAL, f"203.0.113.{n}")
        assert caplog.text.count("someone may be guessing its password") == 1
        assert f"3 failed sign-ins for '{OFFICIAL}'" in caplog.text


class TestFailedSignInsKeepTheLogBounded:
    def test_one_account_guessed_200_times_is_two_rows(
        self, app: Flask, client: FlaskClient, official_account: int
    ) -> None:
        for _ in range(200):
            guess_on_the_page(client, OFFICIAL)
        assert failed_sign_in_rows(app) == [(OFFICIAL, "", 10), ("", "throttled", 190)]

    def test_200_accounts_guessed_from_one_address_are_bounded_by_its_limit(
        self, app: Flask, client: FlaskClient
    ) -> None:
        typed = "someone-with-a-very-long-name-{n}@" + "x" * 60 + "." + "y" * 60 + ".example"
        for n in range(200):
            guess_on_the_page(client, typed.format(n=n))
        rows = failed_sign_in_rows(app)
        per_address = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
        assert len(rows) == per_address + 1
        assert sum(attempts for _, _, attempts in rows) == 200
        assert max(len(email) for email, _, _ in rows) == 64


@pytest.fixture
def write_lock_while_hashing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[bool, bool]]:
    """Whether another request could take the SQLite write lock, and the writers' queue, at
    each password check of this test (a fifth of a second of scrypt in production)."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    database = str(url.database)
    seen: list[tuple[bool, bool]] = []
    real_check = models.check_password_hash

    def check_while_another_writes(password_hash: str, password: str) -> bool:
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free = True
        except sqlite3.OperationalError:
            lock_free = False
        finally:
            other.close()
        with open(f"{database}-queue", "ab") as line:
            try:
                fcntl.flock(line, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(line, fcntl.LOCK_UN)
                queue_free = True
            except BlockingIOError:
                queue_free = False
        seen.append((lock_free, queue_free))
        return real_check(password_hash, password)

    monkeypatch.setattr(models, "check_password_hash", check_while_another_writes)
    return seen


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(
            lambda client: client.post("/login", data={"email": OFFICIAL, "password": "guess"}),
            id="failed sign-in",
        ),
        pytest.param(
            lambda client: client.post("/login", data={"email": OFFICIAL, "password": PASSWORD}),
            id="sign-in",
        ),
        pytest.param(
            lambda client: client.post("/api/v1/tokens", headers=basic(OFFICIAL, PASSWORD)),
            id="API token",
        ),
    ],
)
def test_signing_in_checks_the_password_without_holding_the_write_lock(
    client: FlaskClient,
    official_account: int,
    write_lock_while_hashing: list[tuple[bool, bool]],
    attempt: Callable[[FlaskClient], Any],
) -> None:
    assert attempt(client).status_code in {200, 302}
    assert write_lock_while_hashing == [(True, True)]


def test_changing_the_password_checks_it_without_holding_the_write_lock(
    client: FlaskClient, official: int, write_lock_while_hashing: list[tuple[bool, bool]]
) -> None:
    client.post(
        "/account/password",
        data={
            "current_password": "a wrong guess",
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
    )
    assert write_lock_while_hashing == [(True, True)]


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/login", {"data": {"email": OFFICIAL, "password": "guess"}}),
        ("/login", {"data": {"email": OFFICIAL, "password": PASSWORD}}),
        ("/api/v1/tokens", {"headers": basic(OFFICIAL, "guess")}),
        ("/api/v1/tokens", {"headers": basic(OFFICIAL, PASSWORD)}),
    ],
)
def test_no_rate_limit_headers_tell_how_many_guesses_remain(
    client: FlaskClient, official_account: int, path: str, kwargs: dict[str, Any]
) -> None:
    response = client.post(path, **kwargs)
    assert not [
        name for name, _ in response.headers.items() if name.lower().startswith("x-ratelimit")
    ]
