"""SQLite settings that make the embedded default safe under several workers, and its backup.

Every connection gets WAL (readers never wait for the writer), ``busy_timeout`` (a writer waits
up to 10 s for the lock instead of failing), ``foreign_keys=ON`` and ``synchronous=NORMAL`` (in
WAL a commit survives a crash of the app; only a power cut may lose the last few).

How write transactions start. Python's sqlite3 (pysqlite) opens a transaction only in front of
an INSERT, UPDATE or DELETE, so the SELECTs a change depends on ran outside it: two requests
could read the same row and both write, one overwriting the other. SQLAlchemy's pysqlite docs
fix this by turning pysqlite's handling off and emitting BEGIN on every transaction. Done
literally it is wrong either way here: a plain (deferred) BEGIN fails a writer that read first
with "database is locked" at once, busy_timeout or not, as soon as another writer committed
after its read (a WAL read snapshot cannot be upgraded); ``BEGIN IMMEDIATE`` on every
transaction queues every page view behind every other, as each request keeps one open.

So the choice is targeted, by what a transaction is for:

* The first transaction of a request that may change something (POST, PUT, PATCH, DELETE), and
  every transaction outside a request (CLI commands, scripts), begins with ``BEGIN IMMEDIATE``:
  it takes the write lock before its first read, waiting for it under busy_timeout, so what it
  reads is still true when it writes.
* A view marked ``reads_first`` (one that checks a password, a fifth of a second of scrypt,
  before it writes) reads without the lock, so no writer in the app queues behind the hash;
  its writes then wait for the lock as below.
* Anything else — a GET, or a write request after its commit, which only renders the answer —
  reads without a transaction, as before, and pysqlite's ``isolation_level = "IMMEDIATE"`` makes
  the implicit BEGIN before a write (an audit row for a download, a saved language) an
  IMMEDIATE one as well, so even those wait for the lock instead of failing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

try:
    import fcntl
except ImportError:  # Windows: writers wait in SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 10_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_BEGUN = "cityready.sqlite_write_begun"
_READS_FIRST = "cityready_reads_first"
_QUEUE_FILE = "cityready.writers_queue"

_registered = False


def _is_sqlite(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


def _file_of(url: sa.URL) -> str | None:
    """The database file a SQLite URL names; None for an in-memory database."""
    return None if url.database in (None, "", ":memory:") else url.database


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        # A read-only database cannot change its journal; reads still work, writes get a 503.
        logging.getLogger(__name__).warning("SQLite journal left as it is: %s", error)
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.isolation_level = "IMMEDIATE"


View = TypeVar("View", bound=Callable[..., Any])


def reads_first(view: View) -> View:
    """Mark a view whose request reads before it takes the write lock (see the module's notes);
    apply it below the route and ``login_required``, whose wrappers carry the mark on."""
    setattr(view, _READS_FIRST, True)
    return view


def takes_write_lock_first() -> bool:
    """Whether the transaction starting now should take the write lock before it reads."""
    if not has_request_context():
        return True
    # Kept on the request itself: tests may run several requests in one app context.
    if request.method in READ_ONLY_METHODS or request.environ.get(_WRITE_BEGUN):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, _READS_FIRST, False):
        return False
    request.environ[_WRITE_BEGUN] = True
    return True


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and takes_write_lock_first():
        _wait_in_line(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _wait_in_line(connection: Connection) -> None:
    """Queue a request's write behind the others, to be woken the moment the one before ends.

    Left to itself, a writer that finds the lock taken sleeps in SQLite's busy handler: 1, 2,
    5, … then 100 ms at a time between tries, so under a burst of filings each waits far longer
    than the lock is held (a p99 of a second with ten at once). A blocking ``flock`` on a file
    beside the database is a queue the kernel wakes at once. Only a request's first
    transaction queues, before it holds any SQLite lock, so no one waits in line while holding
    what the one ahead needs; a crashed worker's place is freed with its file descriptors.
    """
    database = _file_of(connection.engine.url)
    if fcntl is None or not has_request_context() or database is None:
        return
    info = connection.connection.info
    line = info.get(_QUEUE_FILE)
    if line is None:
        line = info[_QUEUE_FILE] = open(f"{database}-queue", "ab")  # noqa: SIM115 (kept open)
    fcntl.flock(line, fcntl.LOCK_EX)


def _leave_line(_dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool has committed or rolled back: let the next writer in."""
    line = record.info.get(_QUEUE_FILE)
    if line is not None and fcntl is not None:
        fcntl.flock(line, fcntl.LOCK_UN)


def _close_line(_dbapi_connection: Any, record: Any, *_: Any) -> None:
    line = record.info.pop(_QUEUE_FILE, None)
    if line is not None:
        line.close()


def tune_connections() -> None:
    """Set the pragmas and the way transactions begin on every SQLite connection, once."""
    global _registered
    if not _registered:
        sa.event.listen(Engine, "connect", _on_connect)
        sa.event.listen(Engine, "begin", _on_begin)
        sa.event.listen(Pool, "checkin", _leave_line)
        sa.event.listen(Pool, "close", _close_line)
        sa.event.listen(Pool, "invalidate", _close_line)
        _registered = True


class NotSQLite(ValueError):
    """A backup was asked for of a database that SQLite's backup API cannot copy."""


def backup(url: sa.URL, target: Path) -> int:
    """Copy the SQLite database at ``url`` to ``target`` while the app keeps serving.

    SQLite's online backup copies one consistent snapshot in a single step: in WAL, writers
    carry on meanwhile. The copy is checked with ``PRAGMA integrity_check`` and switched out of
    WAL, so it is one self-contained file; it replaces ``target`` only once complete. Returns
    the size of the copy in bytes.
    """
    database = _file_of(url)
    if url.get_backend_name() != "sqlite" or database is None:
        raise NotSQLite(
            f"{url.get_backend_name()} database: the SQLite backup API cannot copy it. For "
            'PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=cityready.dump "$DB"'
        )
    source_path = Path(database).resolve()
    target = target.resolve()
    if target == source_path:
        raise ValueError("the backup would overwrite the database itself")
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_MS / 1000)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if verdict != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {verdict}")
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target.stat().st_size
