"""The peer comparison: each city's latest approved round, as reports and reviewers read it.

Only reviewed assessments are compared between cities.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from app.assessments.queries import latest_rounds
from app.extensions import db
from app.models import PEER_STATUS, Assessment, City
from app.platform import data_version
from app.platform.caching import frozen_cache


class PeerScores(NamedTuple):
    """A city's latest approved round as the peer comparison reads it: headline figures only."""

    id: int
    city_id: int
    city_name: str
    overall_score: float | None
    planning_score: float | None
    environment_score: float | None
    participation_score: float | None
    province_id: int | None
    tier: str | None


def current_peers() -> tuple[PeerScores, ...]:
    """``latest_approved_per_city``, read again only after what it shows changes.

    Finding the version is one small aggregate, where the comparison itself reads every
    approved round; it reads only what ``data_version.SHOWN_TO_OTHER_CITIES`` names.
    """
    version = data_version.shared(db.session.connection())
    return frozen_cache.get_or_make(("peers", *version), lambda: tuple(latest_approved_per_city()))


def latest_approved_per_city() -> list[PeerScores]:
    """Each city's most recent approved assessment, by city name: one plain row per city."""
    rows = db.session.execute(
        sa.select(
            Assessment.id,
            Assessment.city_id,
            City.name,
            Assessment.overall_score,
            Assessment.planning_score,
            Assessment.environment_score,
            Assessment.participation_score,
            City.province_id,
            City.tier,
        )
        .join(Assessment.city)
        .where(Assessment.id.in_(latest_rounds((PEER_STATUS,))))
    )
    # Sorted here, not in SQL: the order of names must not depend on the database's collation.
    return sorted((PeerScores(*row) for row in rows), key=lambda peer: peer.city_name)
