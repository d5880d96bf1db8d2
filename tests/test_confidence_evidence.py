"""Confidence and evidence on answers: the area pages, the report's ranges, and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content, db
from app.models import Answer
from tests.conftest import bearer, get_assessment


def planning_form(app: Flask, **extra: str) -> dict[str, str]:
    with app.app_context():
        area = content.current.area("planning")
        assert area is not None
        data = {f"q-{q.id.replace('.', '-')}": "3" for q in area.questions}
    data.update(extra)
    return data


def test_confidence_and_evidence_are_saved_and_shown_again(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    data = planning_form(
        app,
        **{
            "q-planning-top_level_design-confidence": "low",
            "q-planning-top_level_design-evidence": "https://plan.example.gov/2025.pdf",
            "save": "1",
        },
    )
    response = client.post(f"/assessments/{assessment_id}/areas/planning", data=data)
    assert response.status_code == 302
    answer = get_assessment(app, assessment_id).answer_for("planning.top_level_design")
    assert answer is not None
    assert (answer.confidence, answer.evidence) == ("low", "https://plan.example.gov/2025.pdf")
    page = client.get(f"/assessments/{assessment_id}/areas/planning").get_data(as_text=True)
    assert 'value="https://plan.example.gov/2025.pdf"' in page
    assert '<option selected value="low">' in page


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example/x", "https://"])
def test_a_bad_link_is_refused_beside_the_field_and_nothing_is_saved(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int], link: str
) -> None:
    assessment_id = make_assessment(official, level=None)
    data = planning_form(app, **{"q-planning-top_level_design-evidence": link, "save": "1"})
    response = client.post(f"/assessments/{assessment_id}/areas/planning", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A link must start with http:// or https://" in page
    assert "q-planning-top_level_design-evidence-error" in page
    assert get_assessment(app, assessment_id).answers == []


def test_the_report_shows_ranges_gaps_and_safe_links(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    with app.app_context():
        rows = db.session.scalars(db.select(Answer).where(Answer.assessment_id == assessment_id))
        for row in rows:
            if row.question_id == "planning.top_level_design":
                row.confidence, row.evidence = "low", "https://plan.example.gov/x"
            elif row.question_id.startswith("environment."):
                row.confidence, row.evidence = "medium", "javascript:alert(1)"
        db.session.commit()
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "How sure these figures are" in page
    assert "Data-gap summary" in page
    assert 'href="https://plan.example.gov/x" rel="noopener noreferrer nofollow"' in page
    assert 'href="javascript' not in page
    assert "could be anywhere from level" in page


def test_the_report_says_so_when_nothing_is_uncertain(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report?lang=zh").get_data(as_text=True)
    assert page.count("50–50") >= 1


def test_the_api_takes_and_returns_confidence_evidence_and_ranges(
    client: FlaskClient, official_token: str
) -> None:
    answers = {
        "planning.top_level_design": {
            "value": "3",
            "confidence": "medium",
            "evidence": "https://plan.example.gov/x",
        },
        "planning.coordination": {"value": "dont_know"},
    }
    response = client.post(
        "/api/v1/assessments", json={"answers": answers}, headers=bearer(official_token)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["answers"]["planning.top_level_design"] == {
        "value": "3",
        "comment": "",
        "confidence": "medium",
        "evidence": "https://plan.example.gov/x",
        "standards": ["L7"],
        "carried_over": False,
        "verification": {
            "status": "unverified",
            "value": None,
            "reason": "",
            "by": None,
            "at": None,
        },
    }
    planning = body["uncertainty"]["areas"]["planning"]
    assert planning["dont_know"] == 1 and planning["answered"] == 2
    assert (
        planning["range"]["low"] < body["scores"]["areas"]["planning"] < planning["range"]["high"]
    )
    assert body["uncertainty"]["overall"]["low"] <= body["scores"]["overall"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"value": "3", "confidence": "sure"}, "'confidence' must be null or one of"),
        ({"value": "3", "confidence": 3}, "'confidence' must be null or one of"),
        ({"value": "3", "evidence": 5}, "'evidence' must be a string"),
        ({"value": "3", "evidence": "javascript:alert(1)"}, "http"),
        ({"value": "3", "evidence": "x" * 2001}, "at most 2000"),
    ],
)
def test_the_api_refuses_bad_confidence_or_evidence(
    app: Flask, client: FlaskClient, official_token: str, given: dict[str, Any], message: str
) -> None:
    body = {"answers": {"planning.top_level_design": given}}
    response = client.post("/api/v1/assessments", json=body, headers=bearer(official_token))
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["answers"]["planning.top_level_design"]
