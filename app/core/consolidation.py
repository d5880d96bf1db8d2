"""Several departments answer one assessment: a consolidated answer set and where they disagree.

Pure functions over the frozen content objects, no Flask; the rule is in ``docs/scoring.md``:
per question, the median of the departments' levels rounded down, and a *coordination gap*
wherever two departments are two levels or more apart (the paper's §3.1: departments that do not
coordinate and build information islands).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median_low

from app.core.questionnaire import DONT_KNOW, NOT_APPLICABLE, QuestionBank

COORDINATION_GAP_LEVELS = 2


@dataclass(frozen=True)
class CoordinationGap:
    question_id: str
    answers: dict[str, str]
    """Each respondent's answer value, by respondent name."""
    spread: int
    """Highest level minus lowest level given."""


@dataclass(frozen=True)
class Consolidated:
    answers: dict[str, str]
    """One answer per question, scored like any assessment's answers."""
    gaps: tuple[CoordinationGap, ...]


def consolidate_question(values: list[str]) -> str | None:
    """The median level rounded down; without levels, "don't know" beats "not applicable"."""
    levels = sorted(int(v) for v in values if v.isdigit())
    if levels:
        return str(median_low(levels))
    if DONT_KNOW in values:
        return DONT_KNOW
    if NOT_APPLICABLE in values:
        return NOT_APPLICABLE
    return None


def consolidate(bank: QuestionBank, answer_sets: Mapping[str, Mapping[str, str]]) -> Consolidated:
    """Merge the respondents' answer sets (by respondent name) question by question."""
    answers: dict[str, str] = {}
    gaps: list[CoordinationGap] = []
    for question in bank.questions():
        given = {
            name: values[question.id]
            for name, values in answer_sets.items()
            if question.id in values and question.option(values[question.id]) is not None
        }
        merged = consolidate_question(list(given.values()))
        if merged is not None:
            answers[question.id] = merged
        levels = [int(v) for v in given.values() if v.isdigit()]
        if levels and max(levels) - min(levels) >= COORDINATION_GAP_LEVELS:
            gaps.append(CoordinationGap(question.id, given, max(levels) - min(levels)))
    gaps.sort(key=lambda g: (-g.spread, g.question_id))
    return Consolidated(answers, tuple(gaps))
