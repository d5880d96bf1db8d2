"""Answer levels on ladders of any length, and which answers a move to a newer bank carries."""

from __future__ import annotations

import dataclasses

import pytest

from app.core.bank_move import plan_bank_move
from app.core.questionnaire import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Content,
    Option,
    QuestionBank,
    Text,
    load_content,
    maturity_of_rung,
)

BANK = load_content().current


@pytest.mark.parametrize(
    ("rungs", "levels"),
    [
        (5, [1, 2, 3, 4, 5]),
        (3, [1, 3, 5]),
        (4, [1, 2, 3, 5]),
        (6, [1, 1, 2, 3, 4, 5]),
        (2, [1, 5]),
        (1, [5]),
    ],
)
def test_a_ladder_maps_onto_the_five_levels_lowest_to_1_top_to_5(
    rungs: int, levels: list[int]
) -> None:
    assert [maturity_of_rung(i, rungs) for i in range(rungs)] == levels


def test_dont_know_counts_as_level_1_and_not_applicable_as_none() -> None:
    question = next(q for q in BANK.questions() if q.option(NOT_APPLICABLE) is not None)
    assert question.answer_level(DONT_KNOW) == 1
    assert question.answer_level(NOT_APPLICABLE) is None
    assert question.answer_level(None) is None
    assert question.answer_level("9") is None
    assert [question.answer_level(o.value) for o in question.levels] == [1, 2, 3, 4, 5]


def _with_changed_ladder(bank: QuestionBank, question_id: str, version: str) -> QuestionBank:
    areas = []
    for area in bank.areas:
        questions = []
        for q in area.questions:
            if q.id == question_id:
                first = q.options[0]
                relabelled = Option(first.value, Text("Changed", "已修改"), first.kind, first.score)
                q = dataclasses.replace(q, options=(relabelled, *q.options[1:]))
            questions.append(q)
        areas.append(dataclasses.replace(area, questions=tuple(questions)))
    return QuestionBank(version, tuple(areas), bank.maturity_levels, bank.level_rules)


def test_a_move_carries_unchanged_questions_and_drops_changed_ones() -> None:
    changed, kept = [q.id for q in BANK.questions()][:2]
    newer = _with_changed_ladder(BANK, changed, "2099.1")
    move = plan_bank_move(BANK, newer, {changed: "3", kept: DONT_KNOW})
    assert move.carried == {kept: DONT_KNOW}
    assert move.dropped == (changed,)
    assert (move.source, move.target) == (BANK.version, "2099.1")


def test_a_question_the_newer_bank_no_longer_asks_is_dropped() -> None:
    gone = next(BANK.questions())
    first = BANK.areas[0]
    newer = QuestionBank(
        "2099.1",
        (dataclasses.replace(first, questions=first.questions[1:]), *BANK.areas[1:]),
        BANK.maturity_levels,
    )
    move = plan_bank_move(BANK, newer, {gone.id: "5"})
    assert move.carried == {} and move.dropped == (gone.id,)


def test_newer_banks_are_found_by_version_number_not_by_spelling() -> None:
    content = load_content()
    banks = {v: dataclasses.replace(BANK, version=v) for v in ("2025.9", "2026.1", "2026.10")}
    catalogues = dict.fromkeys(banks, content.catalogue)
    everything = Content(banks, banks["2026.10"], catalogues, content.standards)
    assert [b.version for b in everything.newer_banks("2025.9")] == ["2026.1", "2026.10"]
    assert [b.version for b in everything.newer_banks("2026.1")] == ["2026.10"]
    assert everything.newer_banks("2026.10") == ()
