"""Targets a city sets itself, the gap to them, and whether planned actions moved the scores.

Pure functions over the frozen content objects, no Flask; the rules are in ``docs/scoring.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.questionnaire import DONT_KNOW, QuestionBank
from app.core.scoring import DEFAULT_TARGET, ScoreCard, score_question
from app.core.stats import mean

LEVELS = 5


def level_score(level: int) -> float:
    """The question score (0..1) of a level 1..5."""
    return (level - 1) / (LEVELS - 1)


def resolve_targets(bank: QuestionBank, chosen: Mapping[str, int]) -> dict[str, int]:
    """The target level of each question: its own, else its area's; absent when neither is set."""
    resolved = {}
    for question in bank.questions():
        level = chosen.get(question.id, chosen.get(question.area_id))
        if level is not None:
            resolved[question.id] = level
    return resolved


def target_scores(resolved: Mapping[str, int]) -> dict[str, float]:
    """Targets as the question scores ``scoring.match_countermeasures`` compares against."""
    return {qid: level_score(level) for qid, level in resolved.items()}


@dataclass(frozen=True)
class QuestionGap:
    question_id: str
    target_level: int
    score: float | None
    """0..1 as answered ("don't know" is 0), None when unanswered or not applicable."""
    dont_know: bool = False
    """A data gap: the level is unknown, so the levels short are no measure of the work to do."""

    @property
    def gap_levels(self) -> float | None:
        """How many levels short of the target (0 when met), None when it cannot be told."""
        if self.score is None:
            return None
        return max(0.0, (level_score(self.target_level) - self.score) * (LEVELS - 1))


@dataclass(frozen=True)
class AreaGap:
    area_id: str
    target_level: int | None
    """The area's own target; questions without one aim for level 4 in the area goal."""
    target_score: float
    """0..100: the weighted mean of its questions' targets."""
    score: float | None

    @property
    def gap(self) -> float | None:
        return None if self.score is None else max(0.0, self.target_score - self.score)


def target_gaps(
    bank: QuestionBank,
    answers: Mapping[str, str],
    card: ScoreCard,
    chosen: Mapping[str, int],
) -> tuple[tuple[AreaGap, ...], tuple[QuestionGap, ...]]:
    """The gap of every area to its target, and of every question that has a target."""
    resolved = resolve_targets(bank, chosen)
    areas = []
    for area in bank.areas:
        weights = sum(q.weight for q in area.questions)
        aimed = sum(
            q.weight * (level_score(resolved[q.id]) if q.id in resolved else DEFAULT_TARGET)
            for q in area.questions
        )
        areas.append(
            AreaGap(area.id, chosen.get(area.id), 100 * aimed / weights, card.area(area.id).score)
        )
    questions = tuple(
        QuestionGap(
            q.id,
            resolved[q.id],
            score_question(q, answers.get(q.id)),
            dont_know=answers.get(q.id) == DONT_KNOW,
        )
        for q in bank.questions()
        if q.id in resolved
    )
    return tuple(areas), questions


@dataclass(frozen=True)
class ActionOutcome:
    """How the questions an action aimed at changed between its round and a later one."""

    before: float | None
    after: float | None

    @property
    def change_levels(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return (self.after - self.before) * (LEVELS - 1)

    @property
    def moved(self) -> str:
        """'up', 'down', 'same', or 'unknown' when either round lacks a countable answer."""
        change = self.change_levels
        if change is None:
            return "unknown"
        if abs(change) < 1e-9:
            return "same"
        return "up" if change > 0 else "down"


def _mean_score(
    bank: QuestionBank, answers: Mapping[str, str], question_ids: list[str]
) -> float | None:
    questions = [bank.question(qid) for qid in question_ids]
    return mean(score_question(q, answers.get(q.id)) for q in questions if q is not None)


def action_outcome(
    question_ids: list[str],
    before: tuple[QuestionBank, Mapping[str, str]],
    after: tuple[QuestionBank, Mapping[str, str]],
) -> ActionOutcome:
    """Compare the mean score of an action's questions in its round and in a later round."""
    return ActionOutcome(
        _mean_score(before[0], before[1], question_ids),
        _mean_score(after[0], after[1], question_ids),
    )
