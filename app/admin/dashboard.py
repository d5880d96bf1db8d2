"""Figures across every city for the reviewers' dashboard and comparison, in a few statements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.admin.filters import STATUS_CHOICES
from app.assessments.queries import in_scope, latest_rounds
from app.assessments.verification import assessment_verified_scores
from app.core.questionnaire import AREA_IDS, QuestionBank
from app.core.review_stats import WidespreadWeakness, widespread_weaknesses
from app.core.stats import mean
from app.core.verification import VerifiedScores
from app.extensions import db
from app.models import FINISHED_STATUSES, Answer, Assessment, City, User
from app.platform import data_version
from app.platform.caching import frozen_cache


def latest_finished_rounds(reviewer: User) -> sa.Select[int]:
    """The id of the most recent submitted or approved assessment of each city the reviewer
    oversees, picked city by city.

    Drafts and returned rounds may still change, and a city with ten rounds must count once,
    or the figures would follow how often a city reports rather than how ready it is.
    """
    return latest_rounds(FINISHED_STATUSES).where(in_scope(reviewer, City.id))


@dataclass(frozen=True)
class Dashboard:
    by_status: dict[str, int]
    """Every assessment, whatever its round, by status."""
    cities: int
    """Cities with a submitted or approved round: the figures below are over their latest."""
    by_level: dict[int, int]
    means: dict[str, float | None]
    """The mean overall score (key "overall") and the mean of each area's."""
    weaknesses: list[WidespreadWeakness]


def current_dashboard(bank: QuestionBank, reviewer: User) -> Dashboard:
    """The reviewer's dashboard, computed once per worker for each province and version of
    the data.

    Computing it reads every city's latest round and its answers, which grows with the
    rollout; reading the version does not.
    """
    version = data_version.current(db.session.connection())
    return frozen_cache.get_or_make(
        ("dashboard", bank.version, reviewer.province_id, *version),
        lambda: dashboard(bank, reviewer),
    )


def dashboard(bank: QuestionBank, reviewer: User) -> Dashboard:
    scope = in_scope(reviewer, Assessment.city_id)
    counted: dict[str, int] = dict(
        db.session.execute(
            sa.select(Assessment.status, sa.func.count()).where(scope).group_by(Assessment.status)
        ).all()
    )
    latest_ids = latest_finished_rounds(reviewer)
    latest = db.session.execute(
        sa.select(
            Assessment.level,
            Assessment.overall_score,
            Assessment.planning_score,
            Assessment.environment_score,
            Assessment.participation_score,
        ).where(Assessment.id.in_(latest_ids))
    ).all()
    levels = Counter(row.level for row in latest if row.level is not None)
    answer_counts = {
        (question_id, value): count
        for question_id, value, count in db.session.execute(
            sa.select(Answer.question_id, Answer.value, sa.func.count())
            .where(Answer.assessment_id.in_(latest_ids))
            .group_by(Answer.question_id, Answer.value)
        )
    }
    return Dashboard(
        by_status={status: counted.get(status, 0) for status in STATUS_CHOICES},
        cities=len(latest),
        by_level={level.number: levels.get(level.number, 0) for level in bank.maturity_levels},
        means={
            "overall": mean(row.overall_score for row in latest),
            **{area: mean(getattr(row, f"{area}_score") for row in latest) for area in AREA_IDS},
        },
        weaknesses=widespread_weaknesses(bank, answer_counts),
    )


@dataclass(frozen=True)
class Compared:
    assessment: Assessment
    round_number: int
    """Which of its city's assessments this is, the first started being 1."""
    answers: dict[str, str]
    verified: VerifiedScores
    """The scores as the reviewer's checks leave them (``app.assessments.verification``)."""


def compared_assessments(ids: Sequence[int], reviewer: User) -> tuple[list[Compared], list[int]]:
    """The assessments in the order asked for, each with its round and answers, and the ids that
    name none the reviewer may see; three statements whatever the number."""
    found = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.id.in_(ids), in_scope(reviewer, Assessment.city_id))
            .options(
                so.joinedload(Assessment.city),
                so.selectinload(Assessment.answers),
                so.defer(Assessment.score_snapshot),
            )
        )
    }
    rounds: dict[int, int] = dict(
        db.session.execute(
            sa.select(
                Assessment.id,
                sa.func.row_number().over(
                    partition_by=Assessment.city_id,
                    order_by=(Assessment.created_at, Assessment.id),
                ),
            ).where(Assessment.city_id.in_({a.city_id for a in found.values()}))
        ).all()
    )
    chosen = [
        Compared(
            found[i], rounds[i], found[i].answer_values(), assessment_verified_scores(found[i])
        )
        for i in ids
        if i in found
    ]
    return chosen, [i for i in ids if i not in found]
