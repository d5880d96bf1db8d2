"""A database that cannot store anything (read-only, disk full) is answered 503 with a clear
message and a log line naming the cause, nothing is half-stored, and all works again once the
fault is fixed."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Assessment
from app.platform.storage_faults import storage_fault
from tests.conftest import OFFICIAL, PASSWORD, bearer
from tests.test_bounded_input import basic

READ_ONLY = "attempt to write a readonly database"
DISK_FULL = "database or disk is full"
POSTGRESQL_ERRORS = {
    READ_ONLY: psycopg.errors.ReadOnlySqlTransaction,
    DISK_FULL: psycopg.errors.DiskFull,
}


@pytest.fixture
def storage_fails(app: Flask) -> Iterator[Callable[[str | None], None]]:
    """Make every write fail as the database's driver would for a fault (SQLite's message, or
    PostgreSQL's error class); None makes writes work again."""
    fault: list[str] = []
    with app.app_context():
        engine = db.engine

    def refuse_writes(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if fault and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            if engine.dialect.name == "sqlite":
                raise sqlite3.OperationalError(fault[0])
            raise POSTGRESQL_ERRORS[fault[0]](fault[0])

    def set_fault(message: str | None) -> None:
        fault[:] = [message] if message else []

    sa.event.listen(engine, "before_cursor_execute", refuse_writes)
    yield set_fault
    sa.event.remove(engine, "before_cursor_execute", refuse_writes)


@pytest.mark.parametrize(("fault", "cause"), [(READ_ONLY, "read-only"), (DISK_FULL, "full")])
def test_signing_in_on_a_database_that_cannot_store_is_503_then_works_again(
    client: FlaskClient,
    official_account: int,
    storage_fails: Callable[[str | None], None],
    caplog: pytest.LogCaptureFixture,
    fault: str,
    cause: str,
) -> None:
    storage_fails(fault)
    response = client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "the database cannot store changes" in response.get_data(as_text=True)
    [logged] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert cause in logged and fault in logged
    storage_fails(None)
    assert client.post("/login", data={"email": OFFICIAL, "password": PASSWORD}).status_code == 302


def test_the_api_answers_a_full_disk_in_json_and_keeps_nothing(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    storage_fails: Callable[[str | None], None],
) -> None:
    storage_fails(DISK_FULL)
    refused = client.post("/api/v1/tokens", headers=basic(OFFICIAL))
    assert refused.status_code == 503
    assert "cannot store changes" in refused.get_json()["errors"]["request"]
    filed = client.post("/api/v1/assessments", json={"answers": {}}, headers=bearer(official_token))
    assert filed.status_code == 503
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0
    storage_fails(None)
    assert client.post("/api/v1/tokens", headers=basic(OFFICIAL)).status_code == 200


@pytest.mark.parametrize(
    ("message", "sqlstate", "expected"),
    [
        ("cannot execute INSERT in a read-only transaction", "25006", "read-only"),
        ("could not extend file: No space left on device", "53100", "disk is full"),
        ("no such table: user", None, None),
    ],
)
def test_postgresql_faults_are_told_from_bugs(
    message: str, sqlstate: str | None, expected: str | None
) -> None:
    class DriverError(Exception):
        pass

    original = DriverError(message)
    original.sqlstate = sqlstate  # type: ignore[attr-defined]
    cause = storage_fault(sa.exc.OperationalError("INSERT …", {}, original))
    assert (cause is None) if expected is None else (expected in (cause or ""))
