"""The dashboard's table of cities: each with its latest submitted or approved round, sortable.

A provincial reviewer's first question is which cities lag; every city is listed, those that
have not reported yet too, as that is itself an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.admin.dashboard import latest_finished_rounds
from app.assessments.queries import in_scope
from app.extensions import db
from app.models import Assessment, City, User

CITY_SORT_KEYS = ("city", "index", "level", "submitted")
"""The table's columns, each sortable; the first direction offered is the one people want."""
DEFAULT_SORT = "index"
FIRST_DESCENDING = frozenset({"index", "level", "submitted"})


@dataclass(frozen=True)
class CitySort:
    key: str
    descending: bool

    def link_args(self, key: str) -> dict[str, str]:
        """The query that sorts by ``key``: reversed if it is the current column."""
        descending = not self.descending if key == self.key else key in FIRST_DESCENDING
        return {"cities": key, "order": "desc" if descending else "asc"}


def parse_city_sort(args: Mapping[str, str]) -> CitySort:
    """A sort from the query string; anything unknown is the default, as a link may be old."""
    key = args.get("cities", DEFAULT_SORT)
    if key not in CITY_SORT_KEYS:
        key = DEFAULT_SORT
    order = args.get("order")
    descending = order == "desc" if order in ("asc", "desc") else key in FIRST_DESCENDING
    return CitySort(key, descending)


@dataclass(frozen=True)
class CityStanding:
    city_name: str
    assessment_id: int | None
    overall: float | None
    level: int | None
    status: str | None
    submitted_at: datetime | None


def city_standings(sort: CitySort, user: User) -> list[CityStanding]:
    """Every city the reviewer oversees with its latest finished round, in one statement;
    cities without one last."""
    column = {
        "city": City.name,
        "index": Assessment.overall_score,
        "level": Assessment.level,
        "submitted": Assessment.submitted_at,
    }[sort.key]
    ordered = column.desc() if sort.descending else column.asc()
    rows = db.session.execute(
        sa.select(
            City.name,
            Assessment.id,
            Assessment.overall_score,
            Assessment.level,
            Assessment.status,
            Assessment.submitted_at,
        )
        .select_from(City)
        .outerjoin(
            Assessment,
            sa.and_(Assessment.city_id == City.id, Assessment.id.in_(latest_finished_rounds())),
        )
        .where(in_scope(user, City.id))
        .order_by(sa.nulls_last(ordered), City.name)
    ).all()
    return [CityStanding(*row) for row in rows]
