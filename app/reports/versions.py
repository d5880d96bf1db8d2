"""The version of what a submitted assessment's report shows, which its cached forms key on.

A report shows its own city's data and, from other cities, what the peer comparison reads. So
the key is its city's ``data_version``, which every write to that city's rows advances, and the
version of what is shown across cities (``app.platform.data_version.SHOWN_TO_OTHER_CITIES``),
read in the same statement that checks the reader may see the assessment. Nothing here lists
what a report reads, so a new section of its own city's data cannot be left out of the key; a
filing or a saved setting in another city leaves it, its cached pages and its stored documents
as they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import abort

from app.assessments.queries import may_see_city
from app.extensions import db
from app.models import EDITABLE_STATUSES, Assessment, City, User
from app.platform import data_version


class FrozenVersion(NamedTuple):
    """A visible assessment as its cache keys need it, read without loading the assessment."""

    city_name: str
    key: tuple[Hashable, ...] | None
    """Everything a cached report or JSON of it is built from; None while it can change."""

    def cache_key(self, kind: str, *reader: Hashable) -> tuple[Hashable, ...] | None:
        """The key of one cached form of the report (``kind``) for one kind of reader."""
        return None if self.key is None else (kind, *self.key, *reader)

    @property
    def digest(self) -> str | None:
        """The key as short text, for a stored document's row and an HTTP ETag."""
        return None if self.key is None else _digest(self.key)


def _digest(key: tuple[Hashable, ...]) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def frozen_version(user: User, assessment_id: int) -> FrozenVersion:
    """The assessment's version in one query; another city's is a plain 404, as with
    ``assessment_or_404``.

    Today's date is in the key because a residents' survey closes on a date.
    """
    # Plain Core through the connection: the ORM has no entity to build here, only its overhead.
    row = db.session.connection().execute(_VERSION, {"assessment_id": assessment_id}).one_or_none()
    if row is None or not may_see_city(user, row.city_id):
        abort(404)
    return FrozenVersion(row.name, _key(row, assessment_id))


def document_version(connection: sa.Connection, assessment_id: int) -> str | None:
    """``FrozenVersion.digest`` read for no one in particular, as a background render needs it;
    None for an assessment that can still change or no longer exists."""
    row = connection.execute(_VERSION, {"assessment_id": assessment_id}).one_or_none()
    key = None if row is None else _key(row, assessment_id)
    return None if key is None else _digest(key)


def _key(row: Any, assessment_id: int) -> tuple[Hashable, ...] | None:
    if row.status in EDITABLE_STATUSES:
        return None
    return (assessment_id, row.own_writes, row.cities, row.shared_writes, date.today())


_VERSION: sa.Select[Any] = (
    sa.select(
        Assessment.city_id,
        Assessment.status,
        City.name,
        City.data_version.label("own_writes"),
        data_version.CITY_COUNT.label("cities"),
        data_version.SHARED_WRITES.label("shared_writes"),
    )
    .join(City, City.id == Assessment.city_id)
    .where(Assessment.id == sa.bindparam("assessment_id"))
)
