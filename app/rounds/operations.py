"""Opening and closing evaluation rounds."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from app.extensions import db
from app.models import EvaluationRound, RoundCity, User, utcnow
from app.platform import audit


class RoundClosed(ValueError):
    """The round was closed already."""


def open_round(
    reviewer: User,
    name: str,
    questionnaire_version: str,
    due_on: date,
    city_ids: Collection[int],
) -> EvaluationRound:
    """A new open round of the reviewer's province (none for a national reviewer) covering the
    cities given, which the caller has checked the reviewer may see."""
    evaluation_round = EvaluationRound(
        name=name,
        province_id=reviewer.province_id,
        questionnaire_version=questionnaire_version,
        due_on=due_on,
        opened_by=reviewer,
        covered=[RoundCity(city_id=city_id) for city_id in sorted(set(city_ids))],
    )
    db.session.add(evaluation_round)
    db.session.flush()
    audit.record("round_change", obj=evaluation_round, detail="opened")
    return evaluation_round


def close_round(evaluation_round: EvaluationRound) -> None:
    """No assessment started from now on joins the round; those in it may still be filed."""
    if evaluation_round.closed_at is not None:
        raise RoundClosed(evaluation_round.name)
    evaluation_round.closed_at = utcnow()
    db.session.flush()
    audit.record("round_change", obj=evaluation_round, detail="closed")
