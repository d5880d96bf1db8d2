"""The dashboard's table of cities: each with its latest submitted or approved round, sortable.

A provincial reviewer's first question is which cities lag; every city is listed, those that
have not reported yet too, as that is itself an answer. A national reviewer oversees thousands,
so the table is shown a page at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.admin.filters import PER_PAGE, Page, positive_int
from app.assessments.queries import in_scope, newest_round_of_city
from app.extensions import db
from app.models import FINISHED_STATUSES, Assessment, City, User
from app.platform import data_version
from app.platform.caching import frozen_cache

CITY_SORT_KEYS = ("city", "index", "level", "submitted")
"""The table's columns, each sortable; the first direction offered is the one people want."""
DEFAULT_SORT = "index"
FIRST_DESCENDING = frozenset({"index", "level", "submitted"})
CITIES_PER_PAGE = PER_PAGE
"""As many as a page of the reviewers' list."""


@dataclass(frozen=True)
class CitySort:
    key: str
    descending: bool

    def link_args(self, key: str) -> dict[str, str]:
        """The query that sorts by ``key``: reversed if it is the current column."""
        descending = not self.descending if key == self.key else key in FIRST_DESCENDING
        return {"cities": key, "order": "desc" if descending else "asc"}


def parse_city_page(args: Mapping[str, str]) -> int:
    """The page of the table asked for; anything but a page number is the first page."""
    return positive_int(args.get("cities_page", "1")) or 1


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


def city_standings(sort: CitySort, user: User, page_number: int) -> tuple[Page, list[CityStanding]]:
    """One page of the table: every city the reviewer oversees, sorted once per worker for each
    province, order and version of the data (a national list has thousands)."""
    version = data_version.current(db.session.connection())
    every = frozen_cache.get_or_make(
        ("city_standings", sort, user.province_id, *version), lambda: _all_standings(sort, user)
    )
    page = Page.clamp(page_number, CITIES_PER_PAGE, len(every))
    return page, list(every[page.offset : page.offset + CITIES_PER_PAGE])


def _all_standings(sort: CitySort, user: User) -> tuple[CityStanding, ...]:
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
        .outerjoin(Assessment, Assessment.id == newest_round_of_city(City.id, FINISHED_STATUSES))
        .where(in_scope(user, City.id))
        .order_by(sa.nulls_last(ordered), City.name)
    ).all()
    return tuple(CityStanding(*row) for row in rows)
