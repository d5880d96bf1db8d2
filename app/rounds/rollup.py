"""The roll-up: national reviewers see each province, provincial reviewers each of their cities,
with the mean index, the levels reached and how far the open rounds have got."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.assessments.queries import in_scope, latest_rounds
from app.core.stats import mean
from app.extensions import db
from app.models import FINISHED_STATUSES, Assessment, City, EvaluationRound, Province, User
from app.rounds.queries import round_progress, visible_rounds


@dataclass
class RollupRow:
    name: str
    scores: list[float] = field(default_factory=list)
    levels: Counter[int] = field(default_factory=Counter)
    progress: Counter[str] = field(default_factory=Counter)

    @property
    def mean_overall(self) -> float | None:
        return mean(self.scores)


def rollup(reviewer: User, today: date) -> list[RollupRow]:
    """One row per province for a national reviewer (cities in none together under ""), one
    per city for a provincial one; over each city's latest submitted or approved assessment
    and the progress of the open rounds the reviewer sees."""
    by_province = reviewer.is_national_reviewer
    cities = db.session.execute(
        sa.select(City.id, City.name, Province.name.label("province"))
        .outerjoin(Province, City.province_id == Province.id)
        .where(in_scope(reviewer, City.id))
    ).all()
    group_of = {c.id: (c.province or "") if by_province else c.name for c in cities}
    rows: dict[str, RollupRow] = {}

    def row_for(city_id: int) -> RollupRow:
        name = group_of[city_id]
        return rows.setdefault(name, RollupRow(name))

    for city_id in group_of:
        row_for(city_id)
    latest = db.session.execute(
        sa.select(Assessment.city_id, Assessment.overall_score, Assessment.level).where(
            Assessment.id.in_(latest_rounds(FINISHED_STATUSES)),
            in_scope(reviewer, Assessment.city_id),
        )
    )
    for city_id, overall, level in latest:
        row = row_for(city_id)
        if overall is not None:
            row.scores.append(overall)
        if level is not None:
            row.levels[level] += 1
    open_rounds = db.session.scalars(
        visible_rounds(reviewer).where(EvaluationRound.closed_at.is_(None))
    ).all()
    progress: dict[int, Counter[str]] = defaultdict(Counter)
    for evaluation_round in open_rounds:
        for city in round_progress(evaluation_round, today):
            if city.city.id in group_of:
                progress[city.city.id][city.progress] += 1
    for city_id, counted in progress.items():
        row_for(city_id).progress.update(counted)
    return sorted(rows.values(), key=lambda row: (row.name == "", row.name))
