"""Score ranges, the data-gap counts and evidence links, tested without Flask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.questionnaire import DONT_KNOW, Question, load_content
from app.core.scoring import score_assessment
from app.core.uncertainty import (
    CONFIDENCES,
    AnswerCertainty,
    assess_uncertainty,
    evidence_problem,
    is_link,
    question_range,
    safe_link,
    uncertainty_json,
)

BANK = load_content().current
QUESTIONS = list(BANK.questions())

certain_answers = st.fixed_dictionaries(
    {
        q.id: st.builds(
            AnswerCertainty,
            st.sampled_from([o.value for o in q.options]),
            st.sampled_from([None, *CONFIDENCES]),
            st.sampled_from(["", "Bureau of statistics 2025"]),
        )
        for q in QUESTIONS
    }
)


def values(answers: dict[str, AnswerCertainty]) -> dict[str, str]:
    return {qid: a.value for qid, a in answers.items()}


@given(certain_answers)
def test_every_range_holds_its_score(answers: dict[str, AnswerCertainty]) -> None:
    card = score_assessment(BANK, values(answers))
    found = assess_uncertainty(BANK, answers)
    assert found.overall.low - 1e-9 <= card.overall <= found.overall.high + 1e-9
    assert 0 <= found.overall.low <= found.overall.high <= 100
    assert found.levels[0] <= card.level.number <= found.levels[1]
    for area in card.areas:
        bounds = found.area(area.area_id).range
        if area.score is None:
            assert bounds is None
        else:
            assert bounds is not None
            assert bounds.low - 1e-9 <= area.score <= bounds.high + 1e-9


@given(certain_answers, st.sampled_from(QUESTIONS))
def test_less_confidence_never_narrows_a_range(
    answers: dict[str, AnswerCertainty], question: Question
) -> None:
    qid = question.id
    widths = []
    for confidence in ("high", "medium", "low"):
        changed = {**answers, qid: AnswerCertainty(answers[qid].value, confidence)}
        bounds = assess_uncertainty(BANK, changed).overall
        widths.append(bounds.high - bounds.low)
    assert widths[0] <= widths[1] + 1e-9 <= widths[2] + 2e-9


@pytest.mark.parametrize("confidence", [None, "high"])
def test_sure_answers_give_a_point_not_a_range(confidence: str | None) -> None:
    answers = {q.id: AnswerCertainty("3", confidence) for q in QUESTIONS}
    found = assess_uncertainty(BANK, answers)
    assert found.overall.low == pytest.approx(found.overall.high) == pytest.approx(50)
    assert found.levels == (3, 3)


def test_dont_know_could_be_anything_and_is_counted() -> None:
    first = QUESTIONS[0]
    answers = {q.id: AnswerCertainty("3", "high", "doc") for q in QUESTIONS}
    answers[first.id] = AnswerCertainty(DONT_KNOW)
    found = assess_uncertainty(BANK, answers)
    area = found.area(first.area_id)
    assert area.dont_know == 1 and area.without_evidence == 1
    assert area.range is not None and area.range.low < 50 < area.range.high
    assert question_range(0.0, DONT_KNOW, "high").high == 1.0


@pytest.mark.parametrize(
    ("score", "confidence", "low", "high"),
    [(0.5, "medium", 0.25, 0.75), (0.5, "low", 0.0, 1.0), (0.0, "low", 0.0, 0.5), (1, None, 1, 1)],
)
def test_a_question_spreads_by_its_confidence(
    score: float, confidence: str | None, low: float, high: float
) -> None:
    bounds = question_range(score, "3", confidence)
    assert (bounds.low, bounds.high) == (low, high)


def test_an_empty_assessment_has_no_ranges_and_serialises() -> None:
    found = assess_uncertainty(BANK, {})
    body = uncertainty_json(found)
    assert body["overall"] == {"low": 0.0, "high": 0.0}
    assert all(a["range"] is None and a["answered"] == 0 for a in body["areas"].values())


@pytest.mark.parametrize(
    ("evidence", "problem"),
    [
        ("", None),
        ("Statistics bureau yearbook 2025, table 4", None),
        ("Note: see the 2024 plan", None),
        ("https://data.example.gov.cn/plan.pdf", None),
        ("http://example.org/a?b=c#d", None),
        ("javascript:alert(1)", "http"),
        ("JavaScript:alert(1)", "http"),
        ("data:text/html,<b>x</b>", "http"),
        ("ftp://example.org/file", "http"),
        ("https://", "host"),
        ("https://example.org/a b", "spaces"),
        ("x" * 2001, "at most"),
        ("a\x00b", "NUL"),
    ],
)
def test_evidence_links_must_be_http(evidence: str, problem: str | None) -> None:
    found = evidence_problem(evidence)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_only_valid_links_become_hrefs() -> None:
    assert safe_link(" https://example.org/x ") == "https://example.org/x"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("a plain note") is None
    assert is_link("https://x.example") and not is_link("Source: bureau")


@pytest.mark.parametrize(("confidence", "levels"), [("high", (3, 3)), ("low", (3, 4))])
def test_the_level_range_obeys_the_weakest_link_rules(
    confidence: str, levels: tuple[int, int]
) -> None:
    answers = {q.id: AnswerCertainty("5", "high") for q in QUESTIONS}
    answers["participation.cybersecurity"] = AnswerCertainty("1", confidence)
    assert assess_uncertainty(BANK, answers).levels == levels
