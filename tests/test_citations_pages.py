"""Citations on the pages: a question shows where its problem and its levels come from and the
GB/T 33356 indicators it relates to; the report shows the national-standard view; an assessment
filed on bank 2026.1 still loads and renders with its own countermeasures."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.assessments.operations import AnswerInput, save_answers, submit_assessment
from app.extensions import content, db
from app.models import Assessment


def test_a_question_shows_its_problem_its_ladder_and_its_standard(
    client: FlaskClient, draft_area_url: str
) -> None:
    page = client.get(draft_area_url).get_data(as_text=True)
    assert "Problem: paper §3.1 · Levels: paper §4.1 · GB/T 33356: L7" in page
    assert "GB/T 36333-2018" in page
    environment = client.get(draft_area_url.replace("planning", "environment"))
    assert "Problem: paper §2.3 · Levels: paper §2.3 · GB/T 33356: L1P2" in environment.get_data(
        as_text=True
    )


def test_the_report_shows_the_national_standard_view_and_marks_beyond_the_paper(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="1", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert 'id="national-standard"' in page
    assert "L4 Smart infrastructure" in page and "Not covered by this questionnaire" in page
    assert "Beyond the paper (answers the problem of §3.1)" in page
    assert "国办函〔2023〕115号" in page


def test_the_chinese_report_uses_one_term_for_readiness(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report?lang=zh").get_data(as_text=True)
    assert "对照国家标准 GB/T 33356" in page
    assert "就绪度" not in page


def test_an_assessment_filed_on_2026_1_still_loads_and_renders(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        assessment.questionnaire_version = "2026.1"
        filed = content.bank("2026.1")
        save_answers(assessment, {q.id: AnswerInput("1") for q in filed.questions()})
        submit_assessment(assessment)
        db.session.commit()
        recommended = {cm["id"] for cm in assessment.score_snapshot["countermeasures"]}
        assert recommended == {m.id for m in content.catalogue_for("2026.1").countermeasures}
    page = client.get(f"/assessments/{assessment_id}/report")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="national-standard"' not in text
    assert "Beyond the paper (answers the problem of §3.2)" in text
