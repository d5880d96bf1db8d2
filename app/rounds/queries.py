"""Which evaluation rounds a user may see, the round a city is called to now, and how far
each covered city has got."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.extensions import db
from app.models import Assessment, City, EvaluationRound, RoundCity, User

PROGRESS = ("not_started", "draft", "submitted", "returned", "approved", "overdue")
"""How far a covered city has got: its assessment's status, or none started; a city that has
not submitted by the due date is overdue, whatever it has begun."""


def visible_rounds(user: User) -> sa.Select[EvaluationRound]:
    """National reviewers see every round; a provincial reviewer their province's. Officials
    see rounds only through their city (``open_round_for``)."""
    query = sa.select(EvaluationRound)
    if not user.is_national_reviewer:
        query = query.where(
            EvaluationRound.province_id.is_not(None),
            EvaluationRound.province_id == user.province_id,
        )
    return query


def round_or_404(user: User, round_id: int) -> EvaluationRound:
    """The round if the user may see it; another province's is a plain 404."""
    found = db.session.scalar(
        visible_rounds(user)
        .where(EvaluationRound.id == round_id)
        .options(so.joinedload(EvaluationRound.province))
    )
    if found is None:
        abort(404)
    return found


def open_round_for(city_id: int) -> EvaluationRound | None:
    """The open round that covers the city, the newest if several do."""
    return db.session.scalar(
        sa.select(EvaluationRound)
        .join(RoundCity, RoundCity.round_id == EvaluationRound.id)
        .where(RoundCity.city_id == city_id, EvaluationRound.closed_at.is_(None))
        .order_by(EvaluationRound.opened_at.desc(), EvaluationRound.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class CityProgress:
    city: City
    progress: str
    """One of ``PROGRESS``."""
    assessment: Assessment | None
    """The city's latest assessment in the round; None when it has started none."""

    @property
    def late(self) -> bool:
        return self.assessment is not None and self.assessment.filed_late


def round_progress(evaluation_round: EvaluationRound, today: date) -> list[CityProgress]:
    """Every covered city, by name, with its latest assessment in the round: two statements."""
    cities = db.session.scalars(
        sa.select(City)
        .join(RoundCity, RoundCity.city_id == City.id)
        .where(RoundCity.round_id == evaluation_round.id)
        .options(so.joinedload(City.province))
        .order_by(City.name)
    ).all()
    latest: dict[int, Assessment] = {}
    for assessment in db.session.scalars(
        sa.select(Assessment)
        .where(Assessment.round_id == evaluation_round.id)
        .options(so.defer(Assessment.score_snapshot))
        .order_by(Assessment.created_at, Assessment.id)
    ):
        latest[assessment.city_id] = assessment
    overdue = evaluation_round.is_overdue(today)
    rows = []
    for city in cities:
        found = latest.get(city.id)
        progress = "not_started" if found is None else found.status
        if overdue and progress in ("not_started", "draft", "returned"):
            progress = "overdue"
        rows.append(CityProgress(city, progress, found))
    return rows


def progress_counts(rows: list[CityProgress]) -> dict[str, int]:
    counted = Counter(row.progress for row in rows)
    return {progress: counted.get(progress, 0) for progress in PROGRESS}
