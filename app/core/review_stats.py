"""Figures reviewers read across cities: widespread weak points and where rounds differ.

Pure functions over answer values and scores, with no Flask and no database, so the numbers
on the dashboard and the comparison page can be checked by hand on small cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.core.questionnaire import DONT_KNOW, Question, QuestionBank

LOWEST_LEVELS = ("1", "2")
"""Answers that say a practice is absent or only starting: the paper's problems, still open."""


@dataclass(frozen=True)
class WidespreadWeakness:
    """How many cities answered one question at the lowest levels, of those that answered it."""

    question: Question
    lowest: int
    dont_know: int
    answered: int
    """Answered with a level or "don't know"; "not applicable" is left out."""

    @property
    def share(self) -> float:
        return self.lowest / self.answered if self.answered else 0.0


def widespread_weaknesses(
    bank: QuestionBank, counts: Mapping[tuple[str, str], int], limit: int = 10
) -> list[WidespreadWeakness]:
    """The questions most often answered at level 1 or 2, as a share of the cities answering.

    ``counts`` maps (question id, answer value) to how many assessments gave it. Ties go to the
    question more cities answered low, then to the heavier question, then to the bank's order.
    """
    found = []
    for order, question in enumerate(bank.questions()):
        levels = {o.value for o in question.levels}
        lowest = sum(counts.get((question.id, value), 0) for value in LOWEST_LEVELS)
        dont_know = counts.get((question.id, DONT_KNOW), 0)
        answered = dont_know + sum(counts.get((question.id, value), 0) for value in levels)
        if lowest:
            found.append((order, WidespreadWeakness(question, lowest, dont_know, answered)))
    found.sort(
        key=lambda item: (-item[1].share, -item[1].lowest, -item[1].question.weight, item[0])
    )
    return [weakness for _, weakness in found[:limit]]


def level_number(value: str | None) -> int | None:
    """The level an answer value names (1 to 5), or None for "don't know", n/a or no answer."""
    return int(value) if value is not None and value.isdigit() else None


@dataclass(frozen=True)
class AnswerDifference:
    """One question's answers in the compared assessments, and how far apart their levels lie."""

    question: Question
    values: tuple[str | None, ...]
    spread: int


def largest_differences(
    bank: QuestionBank, answer_sets: Sequence[Mapping[str, str]], limit: int = 10
) -> list[AnswerDifference]:
    """The questions whose answered levels lie furthest apart (highest minus lowest level).

    Questions where fewer than two assessments gave a level, or all gave the same, are left
    out; ties go to the heavier question, then to the bank's order.
    """
    found = []
    for order, question in enumerate(bank.questions()):
        values = tuple(answers.get(question.id) for answers in answer_sets)
        levels = [n for n in map(level_number, values) if n is not None]
        if len(levels) >= 2 and max(levels) > min(levels):
            spread = max(levels) - min(levels)
            found.append((order, AnswerDifference(question, values, spread)))
    found.sort(key=lambda item: (-item[1].spread, -item[1].question.weight, item[0]))
    return [difference for _, difference in found[:limit]]
