"""Every city's assessments as reviewers query them: filtered, sorted, paged and exported.

The list page, its CSV download and the API's admin export all build their query here from
one ``SubmissionFilters``, so the three never disagree about which rows a filter keeps, and
each within the reviewer's reach (``in_scope``): a provincial reviewer's lists and downloads hold
their province's cities only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup

from app.admin.filters import Page, SubmissionFilters
from app.assessments.queries import in_scope
from app.core.questionnaire import AREA_IDS
from app.core.verification import VerifiedScores, verified_scores
from app.divisions.records import city_record
from app.extensions import content, db
from app.models import Answer, Assessment, City, User, area_scores
from app.platform import data_version
from app.platform.caching import frozen_cache

EXPORT_BATCH_SIZE = 500
"""Rows read from the database at a time while an export streams out."""

_SORT_COLUMNS: dict[str, so.InstrumentedAttribute[Any]] = {
    "date": Assessment.submitted_at,
    "overall": Assessment.overall_score,
    "planning": Assessment.planning_score,
    "environment": Assessment.environment_score,
    "participation": Assessment.participation_score,
}


@dataclass(frozen=True)
class CityChoices:
    """Every city, as the filter checks a chosen id and as its drop-down lists them by name."""

    ids: frozenset[int]
    options: tuple[tuple[int, Markup, Markup], ...]
    """Each city's id and its ``<option>``, as it is and chosen, in order of name."""

    def html(self, chosen: int | None) -> Markup:
        # Every part was built by Markup.format, which escapes the name: a plain join spares
        # re-checking thousands of them.
        return Markup(  # noqa: S704  # nosec B704
            "".join(picked if id_ == chosen else plain for id_, plain, picked in self.options)
        )


def _city_choices(reviewer: User) -> CityChoices:
    rows = db.session.execute(
        sa.select(City.id, City.name).where(in_scope(reviewer, City.id)).order_by(City.name)
    ).all()
    options = tuple(
        (
            row.id,
            Markup('<option value="{0}">{1}</option>').format(row.id, row.name),
            Markup('<option value="{0}" selected>{1}</option>').format(row.id, row.name),
        )
        for row in rows
    )
    return CityChoices(frozenset(row.id for row in rows), options)


def city_choices(reviewer: User) -> CityChoices:
    """The reviewer's cities, built once per worker for each province and version of the data:
    a national list has thousands."""
    version = data_version.current(db.session.connection())
    return frozen_cache.get_or_make(
        ("city_choices", reviewer.province_id, *version), lambda: _city_choices(reviewer)
    )


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _filtered(filters: SubmissionFilters, zone: tzinfo, reviewer: User) -> sa.Select[Assessment]:
    """The assessments the filters keep (the text matches the city's name or the author's email).

    The dates are days on the readers' clock, ``zone``: the day a submission shows on the page
    is the day that finds it. Only the text reaches into other tables, through subqueries, so
    the count and the page are read from the assessment table's own indexes.
    """
    query = sa.select(Assessment).where(in_scope(reviewer, Assessment.city_id))
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
        text = filters.text.lower()
        query = query.where(
            sa.or_(
                Assessment.city_id.in_(
                    sa.select(City.id).where(
                        sa.func.lower(City.name).contains(text, autoescape=True)
                    )
                ),
                Assessment.author_id.in_(
                    sa.select(User.id).where(
                        sa.func.lower(User.email).contains(text, autoescape=True)
                    )
                ),
            )
        )
    return query


def _ordered(query: sa.Select[Assessment], filters: SubmissionFilters) -> sa.Select[Assessment]:
    """Sorted on the chosen column, rows without a value (drafts) last either way, then by id.

    With a status chosen, an ``ix_assessment_status_*`` index holds the rows in this order.
    """
    column = _SORT_COLUMNS[filters.sort]
    if filters.descending:
        return query.order_by(sa.nulls_last(column.desc()), Assessment.id.desc())
    return query.order_by(sa.nulls_last(column.asc()), Assessment.id.asc())


def _listed(query: sa.Select[Assessment]) -> sa.Select[Assessment]:
    """City and author come with the row; the snapshot is never read by a list."""
    return query.options(
        so.joinedload(Assessment.city),
        so.joinedload(Assessment.author),
        so.defer(Assessment.score_snapshot),
    )


def _scope_key(reviewer: User) -> tuple[object, ...]:
    """What ``in_scope`` keeps for this reviewer depends on: the province, or the city of an
    official."""
    return (
        reviewer.is_admin,
        reviewer.province_id,
        None if reviewer.is_admin else reviewer.city_id,
    )


def _count(
    query: sa.Select[Assessment], filters: SubmissionFilters, zone: tzinfo, reviewer: User
) -> int:
    """How many rows the filters keep, counted once per worker for each filter, province and
    version of the data: counting reads every row kept, and a national list keeps 100,000."""
    version = data_version.current(db.session.connection())
    kept = replace(filters, sort="date", descending=True, page=1)
    return frozen_cache.get_or_make(
        ("submissions_count", kept, str(zone), _scope_key(reviewer), *version),
        lambda: (
            db.session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True))
            or 0
        ),
    )


def submissions_page(
    filters: SubmissionFilters, per_page: int, zone: tzinfo, reviewer: User, clamp: bool = True
) -> tuple[Page, list[Assessment]]:
    """One page of the filtered, sorted list and the total: two statements whatever the size.

    ``clamp`` turns a page beyond the end into the last one, as a person paging expects; a
    program paging until it gets no items asks for ``clamp=False``.
    """
    query = _filtered(filters, zone, reviewer)
    total = _count(query, filters, zone, reviewer)
    page = (
        Page.clamp(filters.page, per_page, total) if clamp else Page(filters.page, per_page, total)
    )
    rows = db.session.scalars(
        _listed(_ordered(query, filters)).limit(per_page).offset(page.offset)
    ).all()
    return page, list(rows)


def stream_submissions(
    filters: SubmissionFilters, zone: tzinfo, reviewer: User
) -> Iterator[tuple[Assessment, dict[str, str], VerifiedScores | None]]:
    """Every filtered assessment in list order with its answer values and verified figures,
    read in batches.

    Rows come from the database ``EXPORT_BATCH_SIZE`` at a time and leave the session once
    yielded, so an export of any length holds about one batch in memory.
    """
    rows = db.session.scalars(
        _listed(_ordered(_filtered(filters, zone, reviewer), filters)).execution_options(
            yield_per=EXPORT_BATCH_SIZE
        )
    )
    for batch in rows.partitions():
        answers, checks = answers_and_checks_of([a.id for a in batch])
        verified = verified_of(batch, answers, checks)
        for assessment in batch:
            yield assessment, answers[assessment.id], verified[assessment.id]
            db.session.expunge(assessment)


Checks = dict[int, dict[str, tuple[str, str | None]]]
"""Reviewers' checks by assessment id, then question id: (status, adjusted value)."""


def answers_and_checks_of(
    assessment_ids: Sequence[int],
) -> tuple[dict[int, dict[str, str]], Checks]:
    """The answer values of each assessment, and the reviewers' checks of them, by question id,
    in one statement."""
    answers: dict[int, dict[str, str]] = {i: {} for i in assessment_ids}
    checks: Checks = {i: {} for i in assessment_ids}
    for assessment_id, question_id, value, status, verified_value in db.session.execute(
        sa.select(
            Answer.assessment_id,
            Answer.question_id,
            Answer.value,
            Answer.verification_status,
            Answer.verified_value,
        ).where(Answer.assessment_id.in_(assessment_ids))
    ):
        answers[assessment_id][question_id] = value
        if status is not None:
            checks[assessment_id][question_id] = (status, verified_value)
    return answers, checks


def verified_of(
    assessments: Sequence[Assessment], answers: Mapping[int, Mapping[str, str]], checks: Checks
) -> dict[int, VerifiedScores | None]:
    """The verified figures of each submitted assessment, None for one never submitted."""
    return {
        a.id: None
        if a.overall_score is None
        else verified_scores(content.bank(a.questionnaire_version), answers[a.id], checks[a.id])
        for a in assessments
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


EXPORT_FIELDS = (
    "id",
    "city",
    "status",
    "created_at",
    "submitted_at",
    "reviewed_at",
    "overall",
    *AREA_IDS,
    "level",
    "verified_overall",
    "verified_level",
)
"""The CSV's columns before one column per question of the current bank."""


def export_row(
    assessment: Assessment,
    answers: Mapping[str, str],
    question_ids: Sequence[str],
    verified: VerifiedScores | None,
) -> list[object]:
    """One CSV row: the fields of ``EXPORT_FIELDS``, then each question's answer value."""
    return [
        assessment.id,
        assessment.city.name,
        assessment.status,
        _iso(assessment.created_at),
        _iso(assessment.submitted_at),
        _iso(assessment.reviewed_at),
        assessment.overall_score,
        *area_scores(assessment).values(),
        assessment.level,
        None if verified is None else verified.overall,
        None if verified is None else verified.level,
        *(answers.get(question_id, "") for question_id in question_ids),
    ]


def export_record(
    assessment: Assessment, answers: Mapping[str, str], verified: VerifiedScores | None
) -> dict[str, Any]:
    """The same as ``export_row``, as JSON for the API, with every answer the assessment has."""
    return {
        "id": assessment.id,
        "city": city_record(assessment.city),
        "round_id": assessment.round_id,
        "status": assessment.status,
        "questionnaire_version": assessment.questionnaire_version,
        "created_at": _iso(assessment.created_at),
        "submitted_at": _iso(assessment.submitted_at),
        "reviewed_at": _iso(assessment.reviewed_at),
        "scores": {
            "overall": assessment.overall_score,
            "areas": area_scores(assessment),
        },
        "level": assessment.level,
        "verified_scores": None
        if verified is None
        else {"overall": verified.overall, "areas": verified.areas},
        "verified_level": None if verified is None else verified.level,
        "answers": dict(answers),
    }
