"""Nothing lost: SQLite's settings on every connection, writers that wait, online backups, and
(marked ``durability``) gunicorn under 100+ concurrent submissions and SIGKILLed mid-stream."""

from __future__ import annotations

import fcntl
import http.client
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app import create_app
from app.assessments.forms import answer_field_name
from app.extensions import db
from app.models import City
from app.platform import sqlite
from tests.live_servers import (
    Client,
    Server,
    fresh_database,
    full_answers,
    location_path,
    migrate,
    running,
    seed_officials,
    server_environment,
    stored_submissions,
)

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's own settings and backup API")


@sqlite_only
def test_every_connection_has_wal_busy_timeout_and_foreign_keys(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()
        # Held at once, so each is a connection of its own, not one reused from the pool; raw
        # DBAPI connections, so no transaction holds the write lock while the next one opens.
        connections = [db.engine.raw_connection() for _ in range(3)]
        try:
            for connection in connections:
                cursor = connection.cursor()
                pragmas = {
                    name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
                }
                assert pragmas == {
                    "journal_mode": "wal",
                    "busy_timeout": sqlite.BUSY_TIMEOUT_MS,
                    "foreign_keys": 1,
                    "synchronous": 1,  # NORMAL
                }
        finally:
            for connection in connections:
                connection.close()


def test_write_requests_take_the_lock_before_reading_and_only_once(app: Flask) -> None:
    with app.app_context():
        assert sqlite.takes_write_lock_first()  # CLI commands and scripts
    with app.test_request_context(method="POST"):
        assert sqlite.takes_write_lock_first()
        assert not sqlite.takes_write_lock_first()  # after its commit it only renders
    for method in ("GET", "HEAD"):
        with app.test_request_context(method=method):
            assert not sqlite.takes_write_lock_first()


@sqlite_only
def test_a_write_request_holds_its_place_in_line_until_it_ends(app: Flask) -> None:
    """Writers queue on a lock file beside the database, so a waiting one wakes at once."""
    with app.app_context():
        queue = Path(str(db.engine.url.database) + "-queue")

    def line_is_free() -> bool:
        with queue.open("ab") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(other, fcntl.LOCK_UN)
            return True

    with app.test_request_context(method="POST"):
        db.session.execute(sa.select(City.id)).all()
        assert not line_is_free()
        db.session.commit()
        assert line_is_free()
        db.session.execute(sa.select(City.id)).all()  # rendering the answer: no queueing
        assert line_is_free()
    with app.test_request_context(method="POST"):
        db.session.execute(sa.select(City.id)).all()
        assert not line_is_free()
        db.session.rollback()
        assert line_is_free()
    with app.test_request_context(method="GET"):
        db.session.execute(sa.select(City.id)).all()
        assert line_is_free()


@pytest.fixture
def city_id(app: Flask) -> int:
    with app.app_context():
        city = City(name="")
        db.session.add(city)
        db.session.commit()
        return city.id


@sqlite_only
def test_writers_that_read_first_wait_for_each_other_instead_of_losing_an_update(
    app: Flask, city_id: int
) -> None:
    """Two read-then-write transactions at once: both changes are kept, in turn.

    Without BEGIN IMMEDIATE both read "" and the second write overwrites the first: "x".
    """
    errors: list[BaseException] = []

    def append_x() -> None:
        try:
            with app.app_context():
                city = db.session.get(City, city_id)
                assert city is not None
                seen = city.name
                time.sleep(0.3)
                city.name = seen + "x"
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    writers = [threading.Thread(target=append_x) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    with app.app_context():
        assert db.session.get(City, city_id).name == "xx"  # type: ignore[union-attr]


@sqlite_only
def test_a_page_view_that_writes_waits_for_the_lock_instead_of_failing(
    app: Flask, city_id: int
) -> None:
    holding, released = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with app.app_context():
            db.session.execute(sa.update(City).values(name="held"))
            holding.set()
            time.sleep(0.5)
            db.session.commit()
            released.set()

    holder = threading.Thread(target=hold_the_write_lock)
    with app.test_request_context(method="GET"):
        assert db.session.get(City, city_id) is not None  # read outside a transaction
        holder.start()
        holding.wait(5)
        db.session.add(City(name="written by a GET"))
        db.session.commit()  # waits for the holder's commit instead of "database is locked"
        assert released.is_set()
    holder.join()


@pytest.fixture
def writing(app: Flask) -> Iterator[list[int]]:
    """Cities added one per transaction in the background while the test runs; yields how many."""
    stop, written = threading.Event(), [0]

    def write() -> None:
        with app.app_context():
            while not stop.is_set():
                db.session.add(City(name=f"city {written[0]:05d}"))
                db.session.commit()
                written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    while written[0] < 20:
        time.sleep(0.01)
    yield written
    stop.set()
    writer.join()


@sqlite_only
def test_backup_while_writing_then_restore_by_copying_the_file(
    app: Flask, runner: FlaskCliRunner, writing: list[int], tmp_path: Path
) -> None:
    backup = tmp_path / "backups" / "cityready.sqlite"
    backup.parent.mkdir()
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    written_by_then = writing[0]
    time.sleep(0.1)
    assert writing[0] > written_by_then  # the app kept writing during and after the backup
    assert not Path(f"{backup}-wal").exists()  # one self-contained file

    # Restore as docs/deploy.md says: copy the file into place while the app is stopped.
    restored = tmp_path / "restored" / "cityready.sqlite"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    with sqlite3.connect(restored) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored}"}
    )
    with again.app_context():
        names = db.session.scalars(sa.select(City.name).order_by(City.id)).all()
        db.engine.dispose()
    # A consistent snapshot: every city up to some moment, none missing in between.
    assert 20 <= len(names) <= written_by_then
    assert names == [f"city {n:05d}" for n in range(len(names))]


@sqlite_only
def test_backup_refuses_to_overwrite_the_database_or_write_nowhere(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(args=["backup", str(tmp_path / "test.sqlite")])
    assert result.exit_code != 0 and "overwrite the database itself" in result.output
    result = runner.invoke(args=["backup", str(tmp_path / "no such folder" / "copy.sqlite")])
    assert result.exit_code != 0 and "No such file or directory" in result.output


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    url = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://nobody@127.0.0.1:9/none"
    if not url.startswith("postgresql"):
        pytest.skip("needs a PostgreSQL URL")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not (tmp_path / "copy.sqlite").exists()


# --- gunicorn with four workers: concurrent submissions, then SIGKILL mid-stream -------------

CLIENT_THREADS = 24
SUBMISSIONS_PER_THREAD = 5  # 120 in all
OFFICIALS = 8
CRASH_ITERATIONS = 3 if ON_POSTGRESQL else 5
ANSWERS = full_answers()


@pytest.fixture
def live_database(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """A migrated, seeded database and the environment of a production server using it."""
    with fresh_database(tmp_path, "durability") as url:
        env = server_environment(url)
        migrate(env)
        yield url, env, seed_officials(url, OFFICIALS)


def submit_by_api(client: Client) -> int | None:
    """File a complete assessment and submit it; its id once the server acknowledged it."""
    answer = client.request(
        "POST",
        "/api/v1/assessments",
        body={"answers": {q: {"value": v} for q, v in ANSWERS.items()}, "submit": True},
    )
    return int(answer.json()["id"]) if answer.status == 201 else None


def submit_by_pages(client: Client, csrf: str) -> int | None:
    """Start, answer each area page, submit: as an official does in the browser."""
    started = client.request("POST", "/assessments/new", form={"csrf_token": csrf})
    if started.status != 302:
        return None
    assessment_url = location_path(started).rsplit("/areas/", 1)[0]
    areas = sorted({question.split(".")[0] for question in ANSWERS})
    for area in areas:
        form = {"csrf_token": csrf, "save": "Save draft"} | {
            answer_field_name(q): v for q, v in ANSWERS.items() if q.startswith(area + ".")
        }
        if client.request("POST", f"{assessment_url}/areas/{area}", form=form).status != 302:
            return None
    submitted = client.request("POST", f"{assessment_url}/submit", form={"csrf_token": csrf})
    if submitted.status != 302 or not location_path(submitted).endswith("/report"):
        return None
    return int(assessment_url.rsplit("/", 1)[1])


def assert_all_stored(url: str, acknowledged: list[int]) -> None:
    stored = stored_submissions(url, acknowledged)
    missing = sorted(set(acknowledged) - set(stored))
    assert missing == [], f"acknowledged but not stored: {missing}"
    wrong = {i: found for i, found in stored.items() if found != ("submitted", len(ANSWERS))}
    assert wrong == {}, f"stored but not submitted with every answer: {wrong}"


def assert_integrity(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(sa.make_url(url).database or "") as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.durability
def test_four_workers_store_every_one_of_120_concurrent_submissions(
    live_database: tuple[str, dict[str, str], list[str]], tmp_path: Path
) -> None:
    url, env, officials = live_database
    acknowledged: list[int] = []
    failures: list[str] = []

    def official_at_work(n: int, server: Server) -> None:
        client = Client(server)
        email = officials[n % OFFICIALS]
        try:
            # A third of the clients use the pages (with their read-then-write saves), the rest
            # the API; each signs in once and files its submissions one after another.
            if n % 3 == 0:
                assert client.sign_in(email).status == 302
                csrf = client.csrf_token("/assessments")
                filed = [submit_by_pages(client, csrf) for _ in range(SUBMISSIONS_PER_THREAD)]
            else:
                client.issue_token(email)
                filed = [submit_by_api(client) for _ in range(SUBMISSIONS_PER_THREAD)]
        except Exception as error:  # noqa: BLE001 - any failure is a finding
            failures.append(f"client {n}: {error!r}")
            return
        acknowledged.extend(i for i in filed if i is not None)
        failures.extend(f"client {n}: not acknowledged" for i in filed if i is None)

    with running(env, tmp_path / "gunicorn.log") as server:
        started = time.monotonic()
        clients = [
            threading.Thread(target=official_at_work, args=(n, server))
            for n in range(CLIENT_THREADS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        took = time.monotonic() - started
    expected = CLIENT_THREADS * SUBMISSIONS_PER_THREAD
    print(f"\nconcurrent submissions held: {len(acknowledged)}/{expected} in {took:.1f} s")
    assert failures == []
    assert len(acknowledged) == expected
    assert_all_stored(url, acknowledged)
    assert_integrity(url)
    log = (tmp_path / "gunicorn.log").read_text()
    assert "database is locked" not in log and "Traceback" not in log


@pytest.mark.durability
def test_every_acknowledged_submission_survives_sigkill_mid_stream(
    live_database: tuple[str, dict[str, str], list[str]], tmp_path: Path
) -> None:
    url, env, officials = live_database
    server = Server(env, tmp_path / "gunicorn.log").start()
    clients = [Client(server) for _ in officials]
    for client, email in zip(clients, officials, strict=True):
        client.issue_token(email)
    acknowledged: list[int] = []
    last_filed: dict[int, int] = {}  # client index -> its latest acknowledged submission
    try:
        for iteration in range(CRASH_ITERATIONS):
            before = len(acknowledged)
            streaming = threading.Event()
            streaming.set()

            def stream(n: int, streaming: threading.Event) -> None:
                while streaming.is_set():
                    try:
                        filed = submit_by_api(clients[n])
                    # The server died under this request, before or while sending its answer
                    # (a body cut short is an IncompleteRead): never acknowledged.
                    except (OSError, http.client.HTTPException):
                        return
                    if filed is not None:
                        acknowledged.append(filed)
                        last_filed[n] = filed

            streams = [
                threading.Thread(target=stream, args=(n, streaming)) for n in range(len(clients))
            ]
            for thread in streams:
                thread.start()
            deadline = time.monotonic() + 10
            while len(acknowledged) < before + 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            server.kill()  # master and workers, with requests in flight
            streaming.clear()
            for thread in streams:
                thread.join()
            assert len(acknowledged) > before, f"iteration {iteration}: nothing acknowledged"
            server.start()
            assert_all_stored(url, acknowledged)
            assert_integrity(url)
            # The restarted server serves each client's last acknowledged submission.
            for n, assessment_id in last_filed.items():
                shown = clients[n].request("GET", f"/api/v1/assessments/{assessment_id}")
                assert (shown.status, shown.json()["status"]) == (200, "submitted")
    finally:
        server.stop()
    print(
        f"\ncrash iterations survived: {CRASH_ITERATIONS}/{CRASH_ITERATIONS}, "
        f"{len(acknowledged)} acknowledged submissions all stored"
    )
