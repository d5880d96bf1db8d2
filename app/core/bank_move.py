"""Which answers of a draft survive its move to a newer question bank.

A question carries its answer only when the newer bank asks it unchanged: the same id and the
same options (ladder, "don't know", "not applicable"), so an answer never silently changes
meaning. Pure: the assessments package applies the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.questionnaire import QuestionBank


@dataclass(frozen=True)
class BankMove:
    source: str
    target: str
    carried: dict[str, str]
    """Question id to answer value, for every answer the newer bank keeps."""
    dropped: tuple[str, ...]
    """Question ids answered on the older bank whose answers would be lost, in its order."""


def plan_bank_move(
    source: QuestionBank, target: QuestionBank, answers: Mapping[str, str]
) -> BankMove:
    """Split a draft's answers into those the target bank carries and those it drops."""
    carried: dict[str, str] = {}
    dropped: list[str] = []
    for question in source.questions():
        if question.id not in answers:
            continue
        newer = target.question(question.id)
        if newer is not None and newer.options == question.options:
            carried[question.id] = answers[question.id]
        else:
            dropped.append(question.id)
    return BankMove(source.version, target.version, carried, tuple(dropped))
