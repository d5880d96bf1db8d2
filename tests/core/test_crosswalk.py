"""The national-standard view: each first-level indicator of GB/T 33356 with its questions."""

from __future__ import annotations

from app.core.crosswalk import standard_view
from app.core.questionnaire import load_content

CONTENT = load_content()
BANK = CONTENT.current


def test_every_first_level_indicator_is_listed_with_the_mean_of_its_questions() -> None:
    answers = {q.id: "5" for q in BANK.questions()} | {"planning.information_infrastructure": "1"}
    view = {s.indicator.id: s for s in standard_view(BANK, CONTENT.standards, answers)}
    assert list(view) == [f"L{n}" for n in range(1, 9)]
    assert view["L4"].question_ids == ("planning.information_infrastructure",)
    assert view["L4"].score == 0
    assert view["L6"].score == 100 and len(view["L6"].question_ids) >= 4
    assert not view["L2"].covered and view["L2"].score is None


def test_a_second_level_indicator_counts_towards_its_first_level_once() -> None:
    view = {s.indicator.id: s for s in standard_view(BANK, CONTENT.standards, {})}
    l1 = view["L1"].question_ids
    assert "planning.data_sharing_platform" in l1 and len(l1) == len(set(l1))
    assert view["L1"].score is None


def test_an_older_bank_without_indicators_covers_none() -> None:
    view = standard_view(CONTENT.bank("2026.1"), CONTENT.standards, {})
    assert not any(s.covered for s in view)
    assert CONTENT.standards.first_level("L9") is None
    first = CONTENT.standards.first_level("L1P1-A2")
    assert first == CONTENT.standards.indicator("L1") and first is not None and first.confirmed
    assert CONTENT.catalogue_for("2026.1").version == "2026.1"
    assert CONTENT.catalogue_for("1999.1") is CONTENT.catalogue
