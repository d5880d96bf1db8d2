"""Every city's assessments as reviewers query them: filtered, sorted, paged and exported.

The list page, its CSV download and the API's admin export all build their query here from
one ``SubmissionFilters``, so the three never disagree about which rows a filter keeps.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Assessment, City, User
from app.submission_filters import Page, SubmissionFilters

_SORT_COLUMNS: dict[str, so.InstrumentedAttribute[Any]] = {
    "date": Assessment.submitted_at,
    "overall": Assessment.overall_score,
    "planning": Assessment.planning_score,
    "environment": Assessment.environment_score,
    "participation": Assessment.participation_score,
}


def cities() -> list[City]:
    """Every city by name, for the filter's choices."""
    return list(db.session.scalars(sa.select(City).order_by(City.name)))


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _filtered(filters: SubmissionFilters, zone: tzinfo) -> sa.Select[Assessment]:
    """The assessments the filters keep, joined to their city and author (text matches either).

    The dates are days on the readers' clock, ``zone``: the day a submission shows on the page
    is the day that finds it.
    """
    query = sa.select(Assessment).join(Assessment.city).join(Assessment.author)
    if filters.city_id is not None:
        query = query.where(Assessment.city_id == filters.city_id)
    if filters.status is not None:
        query = query.where(Assessment.status == filters.status)
    if filters.level is not None:
        query = query.where(Assessment.level == filters.level)
    if filters.submitted_from is not None:
        query = query.where(Assessment.submitted_at >= _start_of(filters.submitted_from, zone))
    if filters.submitted_to is not None:
        end = _start_of(filters.submitted_to, zone) + timedelta(days=1)
        query = query.where(Assessment.submitted_at < end)
    if filters.text:
        query = query.where(
            sa.or_(
                sa.func.lower(City.name).contains(filters.text.lower(), autoescape=True),
                sa.func.lower(User.email).contains(filters.text.lower(), autoescape=True),
            )
        )
    return query


def _ordered(query: sa.Select[Assessment], filters: SubmissionFilters) -> sa.Select[Assessment]:
    """Sorted on the chosen column, rows without a value (drafts) last either way, then by id."""
    column = _SORT_COLUMNS[filters.sort]
    if filters.descending:
        return query.order_by(sa.nulls_last(column.desc()), Assessment.id.desc())
    return query.order_by(sa.nulls_last(column.asc()), Assessment.id.asc())


def _listed(query: sa.Select[Assessment]) -> sa.Select[Assessment]:
    """City and author come with the row from the join; the snapshot is never read by a list."""
    return query.options(
        so.contains_eager(Assessment.city),
        so.contains_eager(Assessment.author),
        so.defer(Assessment.score_snapshot),
    )


def submissions_page(
    filters: SubmissionFilters, per_page: int, zone: tzinfo
) -> tuple[Page, list[Assessment]]:
    """One page of the filtered, sorted list and the total: two statements whatever the size."""
    query = _filtered(filters, zone)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = Page.clamp(filters.page, per_page, total)
    rows = db.session.scalars(
        _listed(_ordered(query, filters)).limit(per_page).offset(page.offset)
    ).all()
    return page, list(rows)
