"""Where an assessment stands against the national standard GB/T 33356, indicator by indicator.

A Chinese official reads a self-assessment against the national new-type smart-city evaluation;
this maps each first-level indicator of the standard to the questions that relate to it and
gives the mean of their scores. It is a crosswalk, not a GB/T 33356 score: the standard is
quantitative and weights its indicators, and many of them no question here touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.questionnaire import QuestionBank, StandardCatalogue, StandardIndicator
from app.core.scoring import score_question


@dataclass(frozen=True)
class IndicatorStanding:
    indicator: StandardIndicator
    question_ids: tuple[str, ...]
    score: float | None
    """Mean of the related questions' scores out of 100; None when none is covered or scored."""

    @property
    def covered(self) -> bool:
        return bool(self.question_ids)


def standard_view(
    bank: QuestionBank, standards: StandardCatalogue, answers: Mapping[str, str]
) -> tuple[IndicatorStanding, ...]:
    """Every first-level indicator with the questions that relate to it and their mean score."""
    related: dict[str, list[str]] = {i.id: [] for i in standards.first_levels()}
    for question in bank.questions():
        tops = {standards.first_level(s) for s in question.standards}
        for top in tops:
            if top is not None:
                related[top.id].append(question.id)
    standings = []
    for indicator in standards.first_levels():
        ids = related[indicator.id]
        scores = [
            score
            for qid in ids
            if (q := bank.question(qid)) is not None
            and (score := score_question(q, answers.get(qid, ""))) is not None
        ]
        mean = 100 * sum(scores) / len(scores) if scores else None
        standings.append(IndicatorStanding(indicator, tuple(ids), mean))
    return tuple(standings)
