"""Tell a database that cannot store anything (read-only, disk full) from a bug.

Such a fault is the operator's to fix, not a programming error: it is answered 503 with a clear
message rather than a 500, and logged once per request with the cause in words, so the log says
what to do. Nothing is kept: the request's transaction is rolled back, and the first request
after the fault is fixed works as before.
"""

from __future__ import annotations

import sqlalchemy as sa

_SQLITE_MESSAGES = {
    "attempt to write a readonly database": "the database is read-only",
    "database or disk is full": "the disk holding the database is full",
    "disk i/o error": "the disk holding the database fails to read or write",
    "unable to open database file": "the database file cannot be opened (permissions, or a "
    "read-only or missing folder)",
    "database is locked": "the database stayed locked by another writer",
}
_SQLSTATES = {
    "25006": "the database is read-only (a read-only transaction or a hot standby)",
    "53100": "the database server's disk is full",
    "53200": "the database server is out of memory",
    "53300": "the database server has too many connections",
    "57P03": "the database server is starting up or shutting down",
}


def storage_fault(error: BaseException) -> str | None:
    """What stops the database from storing anything, in words; None for any other error."""
    if not isinstance(error, sa.exc.DBAPIError):
        return None
    if (state := getattr(error.orig, "sqlstate", None)) in _SQLSTATES:
        return _SQLSTATES[state]
    text = str(error.orig).lower()
    return next((cause for message, cause in _SQLITE_MESSAGES.items() if message in text), None)
