"""The scoring model and countermeasure matching, tested without Flask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.questionnaire import DONT_KNOW, NOT_APPLICABLE, load_content
from app.core.scoring import (
    DEFAULT_TARGET,
    STRONG_AREA_SCORE,
    match_countermeasures,
    score_assessment,
    score_question,
    snapshot,
)

CONTENT = load_content()
BANK = CONTENT.current
CATALOGUE = CONTENT.catalogue
QUESTIONS = list(BANK.questions())


def all_at(value: str) -> dict[str, str]:
    return {q.id: value for q in QUESTIONS}


answer_sets = st.fixed_dictionaries(
    {q.id: st.sampled_from([o.value for o in q.options]) for q in QUESTIONS}
)


def test_all_best_answers_give_100_and_level_5() -> None:
    card = score_assessment(BANK, all_at("5"))
    assert card.overall == pytest.approx(100)
    assert all(a.score == pytest.approx(100) for a in card.areas)
    assert card.level.number == 5


def test_all_worst_answers_give_0_and_level_1() -> None:
    card = score_assessment(BANK, all_at("1"))
    assert card.overall == 0
    assert card.level.number == 1


def test_dont_know_scores_zero_and_is_reported_as_a_data_gap() -> None:
    first = QUESTIONS[0].id
    with_gap = score_assessment(BANK, {**all_at("5"), first: DONT_KNOW})
    with_worst = score_assessment(BANK, {**all_at("5"), first: "1"})
    assert with_gap.overall == pytest.approx(with_worst.overall)
    assert with_gap.data_gaps == (first,)
    assert with_worst.data_gaps == ()


def test_not_applicable_is_left_out_of_the_denominator() -> None:
    question = next(q for q in QUESTIONS if q.option(NOT_APPLICABLE) is not None)
    answers = {**all_at("5"), question.id: NOT_APPLICABLE}
    card = score_assessment(BANK, answers)
    assert card.area(question.area_id).score == pytest.approx(100)
    assert card.not_applicable == (question.id,)


def test_area_score_is_the_weighted_mean_of_its_questions() -> None:
    area = BANK.areas[0]
    heavy = max(area.questions, key=lambda q: q.weight)
    answers = {**all_at("1"), heavy.id: "5"}
    total_weight = sum(q.weight for q in area.questions)
    card = score_assessment(BANK, answers)
    assert card.area(area.id).score == pytest.approx(100 * heavy.weight / total_weight)


def test_unanswered_questions_are_left_out_until_answered() -> None:
    first = QUESTIONS[0]
    card = score_assessment(BANK, {first.id: "5"})
    assert card.area(first.area_id).score == pytest.approx(100)
    assert len(card.unanswered) == len(QUESTIONS) - 1
    assert score_assessment(BANK, {}).overall == 0


def test_an_answer_that_is_not_an_option_does_not_count() -> None:
    assert score_question(QUESTIONS[0], "7") is None
    assert score_question(QUESTIONS[0], None) is None
    card = score_assessment(BANK, {QUESTIONS[0].id: "7"})
    assert QUESTIONS[0].id in card.unanswered


@given(answers=answer_sets)
def test_scores_stay_within_bounds(answers: dict[str, str]) -> None:
    card = score_assessment(BANK, answers)
    assert 0 <= card.overall <= 100
    assert 1 <= card.level.number <= 5
    for area in card.areas:
        assert area.score is None or 0 <= area.score <= 100


@given(answers=answer_sets, data=st.data())
def test_raising_an_answer_never_lowers_any_score(
    answers: dict[str, str], data: st.DataObject
) -> None:
    question = data.draw(st.sampled_from(QUESTIONS))
    current = answers[question.id]
    if current == NOT_APPLICABLE:
        return
    current_score = score_question(question, current)
    assert current_score is not None
    higher = [o.value for o in question.levels if o.score is not None and o.score > current_score]
    if not higher:
        return
    raised = {**answers, question.id: data.draw(st.sampled_from(higher))}
    before, after = score_assessment(BANK, answers), score_assessment(BANK, raised)
    assert after.overall >= before.overall - 1e-9
    assert after.level.number >= before.level.number
    for old, new in zip(before.areas, after.areas, strict=True):
        assert (new.score or 0) >= (old.score or 0) - 1e-9


@given(answers=answer_sets)
def test_matches_are_ranked_unique_and_only_for_weak_questions(answers: dict[str, str]) -> None:
    card = score_assessment(BANK, answers)
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    ids = [m.countermeasure.id for m in recs.matches]
    assert len(ids) == len(set(ids))
    priorities = [m.priority for m in recs.matches]
    assert priorities == sorted(priorities, reverse=True)
    for match in recs.matches:
        assert match.countermeasure.area_id not in recs.strong_areas
        for qid in match.question_ids:
            question = BANK.question(qid)
            assert question is not None
            score = score_question(question, answers[qid])
            assert score is not None and score < DEFAULT_TARGET


def test_all_best_answers_need_no_countermeasures_only_keep_doing() -> None:
    answers = all_at("5")
    recs = match_countermeasures(BANK, CATALOGUE, answers, score_assessment(BANK, answers))
    assert recs.matches == ()
    assert set(recs.strong_areas) == {a.id for a in BANK.areas}


def test_all_worst_answers_call_for_every_countermeasure() -> None:
    answers = all_at("1")
    recs = match_countermeasures(BANK, CATALOGUE, answers, score_assessment(BANK, answers))
    assert {m.countermeasure.id for m in recs.matches} == {c.id for c in CATALOGUE.countermeasures}
    assert recs.strong_areas == ()


def test_priority_is_weight_times_gap_to_target() -> None:
    answers = all_at("5")
    area = BANK.areas[1]
    for q in area.questions:
        answers[q.id] = "4"  # exactly on target: weak enough to keep the area below "strong"
    weak = area.questions[0]
    answers[weak.id] = "1"
    card = score_assessment(BANK, answers)
    assert card.area(area.id).score < STRONG_AREA_SCORE
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    expected_ids = {c.id for c in CATALOGUE.countermeasures if weak.id in c.question_ids}
    assert {m.countermeasure.id for m in recs.matches} == expected_ids
    for match in recs.matches:
        assert match.question_ids == (weak.id,)
        assert match.priority == pytest.approx(weak.weight * DEFAULT_TARGET)


def test_a_target_set_by_the_city_replaces_the_default() -> None:
    answers = all_at("4")
    card = score_assessment(BANK, answers)
    assert match_countermeasures(BANK, CATALOGUE, answers, card).matches == ()
    question = QUESTIONS[0]
    recs = match_countermeasures(BANK, CATALOGUE, answers, card, targets={question.id: 1.0})
    assert recs.matches
    assert all(m.question_ids == (question.id,) for m in recs.matches)


@given(answers=answer_sets)
def test_equal_priorities_put_the_weaker_area_first(answers: dict[str, str]) -> None:
    card = score_assessment(BANK, answers)
    matches = match_countermeasures(BANK, CATALOGUE, answers, card).matches
    for first, second in zip(matches, matches[1:], strict=False):
        if first.priority == second.priority:
            first_area = card.area(first.countermeasure.area_id).score or 0
            second_area = card.area(second.countermeasure.area_id).score or 0
            assert first_area <= second_area


def test_snapshot_is_json_ready_and_rounded() -> None:
    answers = all_at("3")
    card = score_assessment(BANK, answers)
    frozen = snapshot(card, match_countermeasures(BANK, CATALOGUE, answers, card))
    assert frozen["overall"] == 50.0
    assert frozen["level"] == card.level.number
    assert set(frozen["areas"]) == {"planning", "environment", "participation"}
    assert frozen["countermeasures"][0]["title"]["zh"]


def test_every_question_offers_five_levels_then_dont_know() -> None:
    for question in QUESTIONS:
        values = [o.value for o in question.options]
        assert values[:6] == ["1", "2", "3", "4", "5", DONT_KNOW]
        assert [o.score for o in question.levels] == [0, 0.25, 0.5, 0.75, 1]
