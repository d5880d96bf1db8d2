"""The scoring model and countermeasure matching, tested without Flask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.questionnaire import DONT_KNOW, NOT_APPLICABLE, load_content
from app.core.scoring import (
    DEFAULT_TARGET,
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
    weak = BANK.areas[1].questions[0]
    answers[weak.id] = "1"
    card = score_assessment(BANK, answers)
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


def test_one_floor_holds_the_level_back_and_calls_for_its_countermeasure() -> None:
    """The review's case: cybersecurity at its lowest behind an otherwise perfect record."""
    weakest = "participation.cybersecurity"
    answers = {**all_at("5"), weakest: "1"}
    card = score_assessment(BANK, answers)
    assert card.overall > 95
    assert card.level_from_score is not None and card.level_from_score.number == 5
    assert card.level.number == 3
    assert card.held_back_by == (weakest,)
    participation = card.area("participation").verdict
    assert participation is not None and participation.held_back_by == (weakest,)
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    assert "participation" not in recs.strong_areas
    assert any(weakest in m.question_ids for m in recs.matches)


def test_a_critical_question_needs_a_higher_floor_than_the_others() -> None:
    critical = next(q for q in QUESTIONS if q.critical)
    ordinary = next(q for q in QUESTIONS if not q.critical)
    assert score_assessment(BANK, {**all_at("5"), ordinary.id: "3"}).level.number == 5
    held = score_assessment(BANK, {**all_at("5"), critical.id: "3"})
    assert held.level.number == 4
    assert held.held_back_by == (critical.id,)


def test_the_level_rules_are_written_in_the_bank() -> None:
    assert [(r.level, r.min_answer_level, r.min_critical_level) for r in BANK.level_rules] == [
        (4, 2, 3),
        (5, 3, 4),
    ]
    critical = {q.id for q in QUESTIONS if q.critical}
    assert {
        "planning.top_level_design",
        "participation.privacy_law",
        "participation.cybersecurity",
    } <= critical


def test_dont_know_is_a_data_gap_not_every_countermeasure() -> None:
    question = QUESTIONS[0]
    answers = {**all_at("5"), question.id: DONT_KNOW}
    card = score_assessment(BANK, answers)
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    assert card.data_gaps == (question.id,)
    assert all(question.id not in m.question_ids for m in recs.matches)
    assert question.area_id not in recs.strong_areas
    assert card.level.number < 5


@given(answers=answer_sets, data=st.data())
def test_a_question_at_its_lowest_level_is_always_recommended_for(
    answers: dict[str, str], data: st.DataObject
) -> None:
    question = data.draw(st.sampled_from(QUESTIONS))
    answers = {**answers, question.id: question.levels[0].value}
    card = score_assessment(BANK, answers)
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    assert any(question.id in m.question_ids for m in recs.matches)
    assert question.area_id not in recs.strong_areas
    verdict = card.area(question.area_id).verdict
    assert verdict is not None and verdict.level.number <= 3


@given(answers=answer_sets, data=st.data())
def test_raising_an_answer_never_lowers_any_level(
    answers: dict[str, str], data: st.DataObject
) -> None:
    question = data.draw(st.sampled_from(QUESTIONS))
    before_level = question.answer_level(answers[question.id])
    if before_level is None:
        return
    higher = [
        o.value for o in question.levels if (question.answer_level(o.value) or 0) > before_level
    ]
    if not higher:
        return
    raised = {**answers, question.id: data.draw(st.sampled_from(higher))}
    before, after = score_assessment(BANK, answers), score_assessment(BANK, raised)
    assert after.level.number >= before.level.number
    for old, new in zip(before.areas, after.areas, strict=True):
        old_level = 0 if old.verdict is None else old.verdict.level.number
        new_level = 0 if new.verdict is None else new.verdict.level.number
        assert new_level >= old_level


@given(answers=answer_sets)
def test_keep_doing_only_where_no_question_is_below_target(answers: dict[str, str]) -> None:
    card = score_assessment(BANK, answers)
    recs = match_countermeasures(BANK, CATALOGUE, answers, card)
    for area_id in recs.strong_areas:
        area = BANK.area(area_id)
        assert area is not None
        for question in area.questions:
            score = score_question(question, answers[question.id])
            assert score is None or score >= DEFAULT_TARGET


def test_all_best_and_all_worst_give_every_area_its_extreme_level() -> None:
    best, worst = score_assessment(BANK, all_at("5")), score_assessment(BANK, all_at("1"))
    assert all(a.verdict is not None and a.verdict.level.number == 5 for a in best.areas)
    assert all(a.verdict is not None and a.verdict.level.number == 1 for a in worst.areas)
    assert best.held_back_by == () and worst.held_back_by == ()


def test_snapshot_freezes_the_levels_and_what_holds_them_back() -> None:
    answers = {**all_at("5"), "participation.cybersecurity": "1"}
    card = score_assessment(BANK, answers)
    frozen = snapshot(card, match_countermeasures(BANK, CATALOGUE, answers, card))
    assert frozen["level"] == 3
    assert frozen["level_from_score"] == 5
    assert frozen["level_held_back_by"] == ["participation.cybersecurity"]
    assert frozen["area_levels"]["planning"] == {"level": 5, "from_score": 5, "held_back_by": []}
    participation = frozen["area_levels"]["participation"]
    assert participation is not None and participation["level"] == 3


def test_an_area_without_a_score_has_no_level_yet() -> None:
    first = QUESTIONS[0]
    card = score_assessment(BANK, {first.id: "5"})
    frozen = snapshot(card, match_countermeasures(BANK, CATALOGUE, {first.id: "5"}, card))
    others = [a.id for a in BANK.areas if a.id != first.area_id]
    assert all(frozen["area_levels"][area_id] is None for area_id in others)
    assert card.area(others[0]).verdict is None
