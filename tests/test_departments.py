"""Several departments per assessment: the consolidation rule, the private links, the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app.core.consolidation import consolidate, consolidate_question
from app.core.questionnaire import DONT_KNOW, NOT_APPLICABLE, load_content
from app.models import Department, DepartmentAnswer
from tests.conftest import bearer, count_rows

BANK = load_content().current
QUESTIONS = list(BANK.questions())
FIRST = QUESTIONS[0].id


@pytest.mark.parametrize(
    ("values", "merged"),
    [
        (["1", "2", "5"], "2"),
        (["2", "3"], "2"),
        (["4", DONT_KNOW], "4"),
        ([DONT_KNOW, NOT_APPLICABLE], DONT_KNOW),
        ([NOT_APPLICABLE], NOT_APPLICABLE),
        ([], None),
    ],
)
def test_a_question_takes_the_median_level_rounded_down(
    values: list[str], merged: str | None
) -> None:
    assert consolidate_question(values) == merged


def test_departments_two_levels_apart_are_a_coordination_gap() -> None:
    sets = {
        "lead": {FIRST: "4", QUESTIONS[1].id: "3"},
        "transport": {FIRST: "2"},
        "health": {FIRST: "3", QUESTIONS[1].id: "4", "unknown.q": "5"},
    }
    found = consolidate(BANK, sets)
    assert found.answers[FIRST] == "3" and found.answers[QUESTIONS[1].id] == "3"
    assert [(g.question_id, g.spread) for g in found.gaps] == [(FIRST, 2)]
    assert found.gaps[0].answers == {"lead": "4", "transport": "2", "health": "3"}


@given(st.lists(st.sampled_from(["1", "2", "3", "4", "5"]), min_size=1, max_size=6))
def test_the_consolidated_level_lies_between_the_departments(values: list[str]) -> None:
    merged = consolidate_question(values)
    assert merged is not None and min(values) <= merged <= max(values)


def _invite(client: FlaskClient, assessment_id: int, name: str) -> str:
    response = client.post(
        f"/assessments/{assessment_id}/departments", data={"name": name}, follow_redirects=True
    )
    found = re.search(r"/d/([A-Za-z0-9_-]+)", response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


def field(question_id: str) -> str:
    return "d-" + question_id.replace(".", "-")


def test_departments_answer_by_link_and_the_report_consolidates(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="4", submit=True)
    transport = _invite(client, assessment_id, "Transport bureau")
    health = _invite(client, assessment_id, "Health commission")
    client.post("/logout")

    page = client.get(f"/d/{transport}")
    assert page.status_code == 200 and b"Transport bureau" in page.data
    saved = client.post(
        f"/d/{transport}", data={field(q.id): "2" for q in QUESTIONS} | {"save": "1"}
    )
    assert saved.status_code == 302
    client.post(
        f"/d/{transport}",
        data={field(q.id): "2" for q in QUESTIONS} | {"submit": "1", "understood": "y"},
    )
    after = client.get(f"/d/{transport}").get_data(as_text=True)
    assert "were submitted" in after
    client.post(f"/d/{transport}", data={field(FIRST): "5", "submit": "1", "understood": "y"})
    with app.app_context():
        from app.extensions import db

        first = db.session.scalar(
            db.select(DepartmentAnswer).where(DepartmentAnswer.question_id == FIRST)
        )
        assert first is not None and first.value == "2"
    client.post(f"/d/{health}", data={field(FIRST): "3", "save": "1"})

    client.post(
        "/login", data={"email": "official@a.example", "password": "correct horse battery staple"}
    )
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Coordination gaps" in report and "Consolidated" in report
    assert "1 invited department has not submitted yet." in report
    assert "Transport bureau" in report
    # Lead at 4 and transport at 2: the median rounded down is 2 on every question.
    assert re.search(r"Consolidated</th>\s*<td class=\"num\"><strong>25.0</strong>", report)
    manage = client.get(f"/assessments/{assessment_id}/departments").get_data(as_text=True)
    assert "Not submitted yet" in manage and f"{len(QUESTIONS)} / {len(QUESTIONS)}" in manage


def test_submitting_needs_the_box_ticked_and_keeps_the_answers_until_then(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="4", submit=True)
    token = _invite(client, assessment_id, "Water bureau")
    client.post("/logout")
    page = client.get(f"/d/{token}").get_data(as_text=True)
    assert "cannot be changed once they are submitted" in page
    refused = client.post(f"/d/{token}", data={field(FIRST): "2", "submit": "1"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="understood-error"' in text and "Tick this box" in text
    assert re.search(
        rf'name="{field(FIRST)}"[^>]*value="2"[^>]*checked|checked[^>]*value="2"', text
    )
    assert "were submitted" not in client.get(f"/d/{token}").get_data(as_text=True)


def test_invitations_are_checked(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    _invite(client, assessment_id, "Transport bureau")
    for name, message in [
        ("Transport bureau", "invited already"),
        ("", "Name the department"),
        ("#lead", "cannot start with #"),
        ("x" * 81, "80"),
    ]:
        page = client.post(f"/assessments/{assessment_id}/departments", data={"name": name})
        assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert count_rows(app, Department) == 1


def test_a_new_link_replaces_the_old_one(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    old = _invite(client, assessment_id, "Transport bureau")
    response = client.post("/departments/1/link", follow_redirects=True)
    new = re.search(r"/d/([A-Za-z0-9_-]+)", response.get_data(as_text=True))
    assert new and new.group(1) != old
    assert client.get(f"/d/{old}").status_code == 404
    assert client.get(f"/d/{new.group(1)}").status_code == 200


def test_another_citys_departments_are_404(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    make_user("other@b.example")
    theirs = make_assessment(1, level="3", submit=True)
    login("other@b.example")
    _invite(client, theirs, "Transport bureau")
    client.post("/logout")
    make_user("official@a.example")
    login("official@a.example")
    assert client.get(f"/assessments/{theirs}/departments").status_code == 404
    assert client.post("/departments/1/link").status_code == 404
    assert client.get("/d/not-a-token").status_code == 404


def test_the_api_invites_and_reports_departments(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    assessment_id = make_assessment(make_user("official@a.example"), level="4", submit=True)
    headers = bearer(api_token("official@a.example"))
    url = f"/api/v1/assessments/{assessment_id}/departments"
    assert client.post(url, json={"name": "#x"}, headers=headers).status_code == 422
    created = client.post(url, json={"name": "Data bureau"}, headers=headers)
    assert created.status_code == 201
    assert client.post(url, json={"name": "Data bureau"}, headers=headers).status_code == 409
    token = created.get_json()["link"].rsplit("/", 1)[1]
    client.post(
        f"/d/{token}",
        data={field(q.id): "1" for q in QUESTIONS} | {"submit": "1", "understood": "y"},
    )
    body = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    departments = body["departments"]
    assert [r["name"] for r in departments["respondents"]] == [None, "Data bureau"]
    assert departments["consolidated"]["overall"] == 0.0
    assert departments["coordination_gaps"][0]["answers"] == {"lead": "4", "Data bureau": "1"}
