"""SQLite connection settings that make the embedded default safe under several workers."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_registered = False


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def tune_connections() -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection, once."""
    global _registered
    if not _registered:
        sa.event.listen(Engine, "connect", _on_connect)
        _registered = True
