"""The figures a reviewer's checks leave: each answer as accepted, or at the level the reviewer
set instead, scored by the same rules as the city's own answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.questionnaire import QuestionBank
from app.core.scoring import score_assessment

VERIFICATION_STATUSES = ("accepted", "adjusted")


@dataclass(frozen=True)
class VerifiedScores:
    overall: float
    areas: dict[str, float | None]
    level: int
    unverified: tuple[str, ...]
    """Answered questions no reviewer has checked yet: their value counts as the city gave it."""
    adjusted: tuple[str, ...]


def verified_scores(
    bank: QuestionBank,
    given: Mapping[str, str],
    checks: Mapping[str, tuple[str, str | None]],
) -> VerifiedScores:
    """Score the answers with each adjusted one replaced by the reviewer's value.

    ``checks`` maps a question id to its verification: ("accepted", None) or ("adjusted", value).
    """
    adjusted = {
        question_id: value
        for question_id, (status, value) in checks.items()
        if status == "adjusted" and value is not None and question_id in given
    }
    card = score_assessment(bank, {**given, **adjusted})
    return VerifiedScores(
        overall=round(card.overall, 1),
        areas={a.area_id: None if a.score is None else round(a.score, 1) for a in card.areas},
        level=card.level.number,
        unverified=tuple(q for q in given if q not in checks),
        adjusted=tuple(sorted(adjusted)),
    )
