"""The weakest-link levels, area levels and "don't know" as the report and the API show them,
and the frozen figures of assessments submitted before the scoring changed."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content, db
from app.models import Assessment
from tests.conftest import OFFICIAL, bearer

CYBER = "participation.cybersecurity"


def _cyber_countermeasure_anchor() -> str:
    """The anchor of a countermeasure that addresses cybersecurity, whatever the catalogue."""
    measure = next(m for m in content.catalogue.countermeasures if CYBER in m.question_ids)
    return f'id="cm-{measure.id}"'


def _question_text(question_id: str, lang: str = "en") -> str:
    question = content.current.question(question_id)
    assert question is not None
    return question.text.get(lang)


def test_a_floor_behind_a_perfect_average_is_named_on_the_report(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="5", submit=True, **{CYBER: "1"})
    page = unescape(client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True))
    assert f"Level 3: held back from 4 by “{_question_text(CYBER)}”" in page
    assert "Level 3 of 5" in page
    assert _cyber_countermeasure_anchor() in page
    chinese = unescape(
        client.get(f"/assessments/{assessment_id}/report?lang=zh").get_data(as_text=True)
    )
    assert f"第3级：因“{_question_text(CYBER, 'zh')}”未达标，未能达到第4级" in chinese


def test_the_api_gives_each_area_its_level_and_what_holds_it_back(
    client: FlaskClient,
    official_account: int,
    official_token: str,
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = make_assessment(official_account, level="5", submit=True, **{CYBER: "1"})
    body = client.get(
        f"/api/v1/assessments/{assessment_id}", headers=bearer(official_token)
    ).get_json()
    assert body["level"]["number"] == 3
    assert body["level"]["from_score"] == 5
    assert body["level"]["held_back_by"] == [CYBER]
    areas = {a["id"]: a for a in body["areas"]}
    assert areas["planning"]["level"]["number"] == 5
    assert areas["participation"]["level"]["held_back_by"] == [CYBER]
    assert areas["participation"]["score"] == body["scores"]["areas"]["participation"]
    assert any(CYBER in cm["questions"] for cm in body["countermeasures"])


def test_dont_know_asks_first_who_holds_the_facts(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="5", **{CYBER: "dont_know"})
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "First: find out who holds the facts" in page
    assert _cyber_countermeasure_anchor() not in page


def test_an_assessment_submitted_before_the_change_keeps_its_frozen_figures(
    app: Flask,
    client: FlaskClient,
    official_account: int,
    official_token: str,
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    """Its snapshot, frozen under the old model (a Leading 96.2 with no area levels), stands."""
    assessment_id = make_assessment(official_account, level="5", submit=True, **{CYBER: "1"})
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None and assessment.score_snapshot is not None
        old = {
            k: v
            for k, v in assessment.score_snapshot.items()
            if k not in {"level_from_score", "level_held_back_by", "area_levels"}
        }
        assessment.score_snapshot = {**old, "level": 5, "strong_areas": ["participation"]}
        assessment.level = 5
        db.session.commit()
    body = client.get(
        f"/api/v1/assessments/{assessment_id}", headers=bearer(official_token)
    ).get_json()
    assert body["questionnaire_version"] == content.current.version
    assert body["level"] == {
        "number": 5,
        "name": "Leading",
        "from_score": None,
        "held_back_by": [],
    }
    assert all(area["level"] is None for area in body["areas"])
    assert body["answers"][CYBER]["value"] == "1"
    assert login(OFFICIAL).status_code == 302
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Level 5 of 5" in page
    assert "held back" not in page


def test_the_questionnaire_api_publishes_the_level_rules_and_critical_questions(
    client: FlaskClient,
) -> None:
    body = client.get("/api/v1/questionnaire").get_json()
    rules = {r["level"]: r for r in body["level_rules"]}
    assert rules[5] == {"level": 5, "min_answer_level": 3, "min_critical_level": 4}
    critical = {q["id"] for a in body["areas"] for q in a["questions"] if q["critical"]}
    assert CYBER in critical
