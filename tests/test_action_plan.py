"""Targets and the action plan: the pure rules, the pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from app.core.questionnaire import DONT_KNOW, NOT_APPLICABLE, load_content
from app.core.scoring import match_countermeasures, score_assessment
from app.core.targets import (
    ActionOutcome,
    action_outcome,
    level_score,
    resolve_targets,
    target_gaps,
    target_scores,
)
from app.extensions import db
from app.models import ActionItem, Assessment, Target
from app.reports.summary import report_context
from tests.conftest import bearer, count_rows

CONTENT = load_content()
BANK = CONTENT.current
FIRST = BANK.areas[0].questions[0]
CM = "cm.planning.long_term_top_level_design"


def all_at(value: str) -> dict[str, str]:
    return {q.id: value for q in BANK.questions()}


def test_a_questions_own_target_wins_over_its_areas() -> None:
    resolved = resolve_targets(BANK, {"planning": 3, FIRST.id: 5})
    assert resolved[FIRST.id] == 5
    assert all(resolved[q.id] == 3 for q in BANK.areas[0].questions[1:])
    assert not any(q.id in resolved for q in BANK.areas[1].questions)
    assert target_scores({FIRST.id: 5}) == {FIRST.id: 1.0}
    assert level_score(1) == 0 and level_score(3) == 0.5


def test_a_lower_target_stops_a_countermeasure_and_a_higher_one_calls_for_it() -> None:
    answers = all_at("3")
    card = score_assessment(BANK, answers)
    default = match_countermeasures(BANK, CONTENT.catalogue, answers, card)
    lowered = match_countermeasures(
        BANK,
        CONTENT.catalogue,
        answers,
        card,
        target_scores(resolve_targets(BANK, {a.id: 3 for a in BANK.areas})),
    )
    assert default.matches and not lowered.matches


def test_gaps_to_target_for_areas_and_questions() -> None:
    answers = {**all_at("3"), FIRST.id: DONT_KNOW}
    card = score_assessment(BANK, answers)
    areas, questions = target_gaps(BANK, answers, card, {"planning": 5, FIRST.id: 4})
    planning = next(g for g in areas if g.area_id == "planning")
    assert planning.target_level == 5 and planning.gap is not None and planning.gap > 0
    environment = next(g for g in areas if g.area_id == "environment")
    assert environment.target_level is None
    assert environment.target_score == pytest.approx(75)
    first = next(g for g in questions if g.question_id == FIRST.id)
    assert (first.target_level, first.gap_levels) == (4, 3)
    others = [g for g in questions if g.question_id != FIRST.id]
    assert all(g.gap_levels == 2 for g in others)


def test_gaps_are_met_when_above_and_unknown_when_not_countable() -> None:
    na_question = next(q for q in BANK.questions() if q.option(NOT_APPLICABLE) is not None)
    answers = {**all_at("5"), na_question.id: NOT_APPLICABLE}
    card = score_assessment(BANK, answers)
    areas, questions = target_gaps(BANK, answers, card, {na_question.id: 4, FIRST.id: 2})
    gaps = {g.question_id: g.gap_levels for g in questions}
    assert gaps == {na_question.id: None, FIRST.id: 0}
    assert all(g.gap == 0 for g in areas)
    empty_areas, _ = target_gaps(BANK, {}, score_assessment(BANK, {}), {})
    assert all(g.gap is None for g in empty_areas)


def test_a_dont_know_is_a_data_gap_not_a_measured_shortfall() -> None:
    answers = {**all_at("3"), FIRST.id: DONT_KNOW}
    _, questions = target_gaps(BANK, answers, score_assessment(BANK, answers), {"planning": 4})
    gaps = {g.question_id: g for g in questions}
    assert gaps[FIRST.id].dont_know and gaps[FIRST.id].gap_levels == 3
    assert not any(g.dont_know for qid, g in gaps.items() if qid != FIRST.id)


def test_the_targets_table_shows_a_dont_know_as_a_data_gap_on_the_page_pdf_and_api(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True, **{FIRST.id: DONT_KNOW})
    client.post(f"/assessments/{assessment_id}/targets", data={"t-planning": "5"})
    page = client.get(f"/assessments/{assessment_id}/report?lang=en").get_data(as_text=True)
    table = page[page.index('id="question-targets-summary"') :]
    table = table[: table.index("</table>")]
    assert table.count("don't know — data gap") == 1
    first_row = table[table.index(FIRST.text.en) :]
    first_row = first_row[: first_row.index("</tr>")]
    assert "data gap" in first_row and 'class="gap-short"' not in first_row
    with app.test_request_context("/?lang=en"):
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        printed = render_template("reports/report.html", **report_context(assessment))
    assert "data gap" in printed[printed.index(FIRST.text.en, printed.index("Levels short")) :]
    api = client.get(f"/api/v1/assessments/{assessment_id}", headers=bearer(official_token))
    questions = api.get_json()["target_gaps"]["questions"]
    assert questions[FIRST.id] == {"target_level": 5, "gap_levels": 4.0, "data_gap": True}
    assert not any(q["data_gap"] for qid, q in questions.items() if qid != FIRST.id)


@pytest.mark.parametrize(
    ("before", "after", "moved", "change"),
    [("2", "4", "up", 2.0), ("4", "3", "down", -1.0), ("3", "3", "same", 0.0)],
)
def test_an_actions_outcome_compares_its_questions(
    before: str, after: str, moved: str, change: float
) -> None:
    outcome = action_outcome(
        [FIRST.id, "gone.question"], (BANK, {FIRST.id: before}), (BANK, {FIRST.id: after})
    )
    assert outcome.moved == moved and outcome.change_levels == pytest.approx(change)


def test_the_catalogue_finds_a_countermeasure_by_id() -> None:
    found = CONTENT.catalogue.countermeasure(CM)
    assert found is not None and FIRST.id in found.question_ids
    assert CONTENT.catalogue.countermeasure("cm.nothing") is None


def test_an_outcome_is_unknown_without_answers_on_both_sides() -> None:
    assert action_outcome([FIRST.id], (BANK, {}), (BANK, {FIRST.id: "3"})).moved == "unknown"
    assert ActionOutcome(None, 0.5).change_levels is None


def test_an_official_sets_targets_and_the_report_shows_the_gap(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/targets")
    assert page.status_code == 200 and b"Target for the whole area" in page.data
    response = client.post(
        f"/assessments/{assessment_id}/targets",
        data={"t-planning": "5", f"t-{FIRST.id.replace('.', '-')}": "2", "t-environment": ""},
    )
    assert response.status_code == 302
    assert count_rows(app, Target) == 2
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Gap to target" in report and 'class="gap-short"' in report
    planning = BANK.area("planning")
    assert planning is not None
    assert f"{len(planning.questions)} questions have a target" in report
    again = client.get(f"/assessments/{assessment_id}/targets").get_data(as_text=True)
    assert '<option selected value="5">' in again
    client.post(f"/assessments/{assessment_id}/targets", data={"t-planning": ""})
    assert count_rows(app, Target) == 0


def test_targets_shape_a_new_rounds_countermeasures(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    first = make_assessment(official, level="3", submit=True)
    client.post(
        f"/assessments/{first}/targets",
        data={"t-planning": "3", "t-environment": "3", "t-participation": "3"},
    )
    second = make_assessment(official, level="3", submit=True)
    page = client.get(f"/assessments/{second}/report").get_data(as_text=True)
    assert 'class="card countermeasure' not in page
    assert page.count('class="card keep-doing') == 3


def test_a_countermeasure_becomes_an_action_and_the_next_round_follows_it_up(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    first = make_assessment(official, level="2", submit=True)
    page = client.get(f"/assessments/{first}/actions").get_data(as_text=True)
    assert "Add to the plan" in page
    cm_id = "cm.planning.long_term_top_level_design"
    prefix = "new-" + cm_id.replace(".", "-")
    response = client.post(
        f"/assessments/{first}/actions/{cm_id}",
        data={
            f"{prefix}-owner": "Data bureau",
            f"{prefix}-due_date": "2027-03-31",
            f"{prefix}-status": "in_progress",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        from app.extensions import db

        item = db.session.scalars(db.select(ActionItem)).one()
        action_id = item.id
        assert item.question_ids and item.owner == "Data bureau"
    report = client.get(f"/assessments/{first}/report").get_data(as_text=True)
    assert "Data bureau" in report and "2027-03-31" in report

    response = client.post(
        f"/actions/{action_id}",
        data={f"action-{action_id}-owner": "Data bureau", f"action-{action_id}-status": "done"},
    )
    assert response.status_code == 302
    second = make_assessment(official, level="4", submit=True)
    report = client.get(f"/assessments/{second}/report").get_data(as_text=True)
    assert "Actions from earlier rounds" in report
    assert "scores rose" in report and "+2.0" in report


def test_an_action_needs_an_owner_and_a_real_date(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    first = make_assessment(official, level="2", submit=True)
    cm_id = "cm.planning.long_term_top_level_design"
    prefix = "new-" + cm_id.replace(".", "-")
    response = client.post(
        f"/assessments/{first}/actions/{cm_id}",
        data={f"{prefix}-owner": "", f"{prefix}-due_date": "31/03/2027"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Name who carries it out." in page and "Not a valid date value." in page
    assert count_rows(app, ActionItem) == 0
    unknown = client.post(
        f"/assessments/{first}/actions/cm.nothing", data={"new-cm-nothing-owner": "x"}
    )
    assert unknown.status_code == 404


def test_another_citys_targets_and_actions_are_404(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    theirs = make_assessment(make_user("other@b.example"), level="2", submit=True)
    with app.app_context():
        from app.extensions import db

        item = ActionItem(
            city_id=1, assessment_id=theirs, countermeasure_id="cm.x", question_ids=[], owner="them"
        )
        db.session.add(item)
        db.session.commit()
        action_id = item.id
    make_user("official@a.example")
    login("official@a.example")
    assert client.get(f"/assessments/{theirs}/targets").status_code == 404
    assert client.get(f"/assessments/{theirs}/actions").status_code == 404
    assert client.post(f"/actions/{action_id}", data={}).status_code == 404


def _submitted(client: FlaskClient, token: str, value: str = "2") -> int:
    answers = {q.id: {"value": value} for q in BANK.questions()}
    body = client.post(
        "/api/v1/assessments", json={"answers": answers, "submit": True}, headers=bearer(token)
    ).get_json()
    return int(body["id"])


def test_the_api_sets_targets_and_plans_actions(client: FlaskClient, official_token: str) -> None:
    assessment_id = _submitted(client, official_token)
    response = client.put(
        f"/api/v1/assessments/{assessment_id}/targets",
        json={"targets": {"planning": 5, FIRST.id: 3}},
        headers=bearer(official_token),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["targets"] == {"planning": 5, FIRST.id: 3}
    assert body["target_gaps"]["areas"]["planning"]["gap"] > 0
    assert body["target_gaps"]["questions"][FIRST.id] == {
        "target_level": 3,
        "gap_levels": 1.0,
        "data_gap": False,
    }

    created = client.post(
        f"/api/v1/assessments/{assessment_id}/actions",
        json={
            "countermeasure_id": "cm.planning.long_term_top_level_design",
            "owner": "Data bureau",
            "due_date": "2027-03-31",
        },
        headers=bearer(official_token),
    )
    assert created.status_code == 201, created.get_json()
    action = created.get_json()
    assert action["status"] == "planned" and action["due_date"] == "2027-03-31"
    changed = client.patch(
        f"/api/v1/actions/{action['id']}", json={"status": "done"}, headers=bearer(official_token)
    )
    assert changed.get_json()["status"] == "done"
    assert changed.get_json()["owner"] == "Data bureau"

    later = _submitted(client, official_token, "3")
    follow_up = client.get(
        f"/api/v1/assessments/{later}", headers=bearer(official_token)
    ).get_json()
    assert follow_up["action_follow_up"][0]["moved"] == "up"
    assert follow_up["action_follow_up"][0]["status"] == "done"


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("targets", "put", {"targets": {"nowhere": 3}}, "targets"),
        ("targets", "put", {"targets": {"planning": 6}}, "targets"),
        ("targets", "put", {"targets": {"planning": True}}, "targets"),
        ("targets", "put", {"targets": []}, "targets"),
        ("actions", "post", {"owner": "x"}, "countermeasure_id"),
        (
            "actions",
            "post",
            {"countermeasure_id": CM},
            "owner",
        ),
        ("actions", "post", {"countermeasure_id": "cm.nothing", "owner": "x"}, "countermeasure_id"),
        (
            "actions",
            "post",
            {
                "countermeasure_id": "cm.planning.long_term_top_level_design",
                "owner": "x",
                "status": "finished",
            },
            "status",
        ),
        (
            "actions",
            "post",
            {
                "countermeasure_id": "cm.planning.long_term_top_level_design",
                "owner": "x",
                "due_date": "soon",
            },
            "due_date",
        ),
    ],
)
def test_the_api_refuses_bad_targets_and_actions(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    path: str,
    method: str,
    body: dict[str, Any],
    field: str,
) -> None:
    assessment_id = _submitted(client, official_token)
    call = getattr(client, method)
    response = call(
        f"/api/v1/assessments/{assessment_id}/{path}", json=body, headers=bearer(official_token)
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert count_rows(app, Target) == 0 and count_rows(app, ActionItem) == 0
    not_json = call(
        f"/api/v1/assessments/{assessment_id}/{path}", data="x", headers=bearer(official_token)
    )
    assert not_json.status_code == 400


def test_the_api_hides_another_citys_plan(
    client: FlaskClient,
    official_token: str,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    assessment_id = _submitted(client, official_token)
    created = client.post(
        f"/api/v1/assessments/{assessment_id}/actions",
        json={"countermeasure_id": CM, "owner": "x"},
        headers=bearer(official_token),
    ).get_json()
    make_user("other@b.example")
    other = api_token("other@b.example")
    assert (
        client.patch(
            f"/api/v1/actions/{created['id']}", json={"status": "done"}, headers=bearer(other)
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/api/v1/assessments/{assessment_id}/targets",
            json={"targets": {}},
            headers=bearer(other),
        ).status_code
        == 404
    )
