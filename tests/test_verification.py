"""A reviewer accepts or adjusts each answer: verified figures beside the self-assessed ones on
the review page, the report and the API; approval with unverified answers asks first."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from pypdf import PdfReader

from app.assessments.operations import AnswerInput, save_answers
from app.assessments.verification import verify_answer
from app.core.verification import verified_scores
from app.extensions import content, db
from app.models import Assessment, User
from tests.conftest import ADMIN, OFFICIAL, bearer, get_assessment
from tests.test_performance import statements_for

QUESTION = "planning.top_level_design"


def test_an_adjusted_answer_moves_only_the_verified_score(app: Flask) -> None:
    with app.app_context():
        bank = content.current
        given = {q.id: "4" for q in bank.questions()}
        own = verified_scores(bank, given, {})
        checked = verified_scores(bank, given, {QUESTION: ("adjusted", "1")})
        accepted = verified_scores(bank, given, {QUESTION: ("accepted", None)})
    assert checked.overall < own.overall
    assert checked.areas["planning"] < own.areas["planning"]  # type: ignore[operator]
    assert checked.areas["environment"] == own.areas["environment"]
    assert accepted.overall == own.overall
    assert QUESTION not in accepted.unverified and len(own.unverified) == len(given)
    assert checked.adjusted == (QUESTION,)


@pytest.fixture
def submitted(make_user: Callable[..., int], make_assessment: Callable[..., int]) -> int:
    return make_assessment(make_user(OFFICIAL), level="4", submit=True)


@pytest.fixture
def admin_token(make_user: Callable[..., int], api_token: Callable[..., str]) -> str:
    make_user(ADMIN, role="admin")
    return api_token(ADMIN)


def patch(
    client: FlaskClient, token: str, assessment_id: int, body: Any, question: str = QUESTION
) -> Any:
    return client.patch(
        f"/api/v1/assessments/{assessment_id}/answers/{question}/verification",
        headers=bearer(token),
        json=body,
    )


def test_the_api_records_a_check_and_shows_both_scores(
    app: Flask, client: FlaskClient, submitted: int, admin_token: str
) -> None:
    adjusted = patch(
        client,
        admin_token,
        submitted,
        {"status": "adjusted", "value": "2", "reason": "No plan document"},
    )
    assert adjusted.status_code == 200, adjusted.get_json()
    body = adjusted.get_json()
    assert body["verification"]["status"] == "adjusted"
    assert body["verification"]["value"] == "2"
    assert body["verification"]["by"] == ADMIN
    assert (
        patch(
            client, admin_token, submitted, {"status": "accepted"}, "planning.coordination"
        ).status_code
        == 200
    )

    shown = client.get(f"/api/v1/assessments/{submitted}", headers=bearer(admin_token)).get_json()
    assert shown["verified_scores"]["overall"] < shown["scores"]["overall"]
    assert shown["verified_level"]["number"] <= shown["level"]["number"]
    assert shown["answers"][QUESTION]["value"] == "4"
    assert shown["answers"][QUESTION]["verification"]["reason"] == "No plan document"
    assert shown["answers"]["planning.coordination"]["verification"]["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "adjusted", "value": "2"}, 422, "reason"),
        ({"status": "adjusted", "value": "9", "reason": "x"}, 422, "value"),
        ({"status": "maybe"}, 422, "status"),
        ({"status": 1}, 422, "status"),
    ],
)
def test_the_api_refuses_an_incomplete_check(
    app: Flask,
    client: FlaskClient,
    submitted: int,
    admin_token: str,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    refused = patch(client, admin_token, submitted, body)
    assert refused.status_code == status
    assert field in refused.get_json()["errors"]
    assert get_assessment(app, submitted).answer_for(QUESTION).verification_status is None  # type: ignore[union-attr]


def test_only_reviewers_verify_and_only_a_submitted_round(
    app: Flask,
    client: FlaskClient,
    submitted: int,
    admin_token: str,
    api_token: Callable[..., str],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> None:
    official = api_token(OFFICIAL)
    assert patch(client, official, submitted, {"status": "accepted"}).status_code == 403
    draft = make_assessment(make_user("other@a.example"), level="3")
    assert patch(client, admin_token, draft, {"status": "accepted"}).status_code == 409
    assert (
        patch(client, admin_token, submitted, {"status": "accepted"}, "planning.nope").status_code
        == 404
    )


def test_the_review_page_verifies_and_approval_asks_about_unverified_answers(
    app: Flask, client: FlaskClient, submitted: int, admin: int
) -> None:
    checked = client.post(
        f"/admin/assessments/{submitted}/answers/{QUESTION}/verification",
        data={"status": "adjusted", "value": "1", "reason": "The plan is a draft only"},
    )
    assert checked.status_code == 302
    missing_reason = client.post(
        f"/admin/assessments/{submitted}/answers/planning.coordination/verification",
        data={"status": "adjusted", "value": "1"},
        follow_redirects=True,
    )
    assert "Give the reason for adjusting the level." in missing_reason.get_data(as_text=True)
    page = client.get(f"/admin/assessments/{submitted}").get_data(as_text=True)
    assert "The plan is a draft only" in page
    assert "Self-assessed and verified scores" in page

    asked = client.post(f"/admin/assessments/{submitted}/approve", data={})
    assert asked.status_code == 200
    assert "not verified yet" in asked.get_data(as_text=True)
    assert get_assessment(app, submitted).status == "submitted"
    approved = client.post(
        f"/admin/assessments/{submitted}/approve", data={"approve-confirm_unverified": "y"}
    )
    assert approved.status_code == 302
    assert get_assessment(app, submitted).status == "approved"

    report = client.get(f"/assessments/{submitted}/report").get_data(as_text=True)
    assert "Self-assessed and verified scores" in report
    assert "(differs)" in report
    assert "The plan is a draft only" in report


def test_a_changed_answer_loses_its_check(
    app: Flask, client: FlaskClient, submitted: int, admin_token: str
) -> None:
    patch(client, admin_token, submitted, {"status": "accepted"})
    with app.app_context():
        assessment = db.session.get(Assessment, submitted)
        assert assessment is not None
        save_answers(assessment, {QUESTION: AnswerInput("2")})
        save_answers(assessment, {"planning.coordination": AnswerInput("4")})
        db.session.commit()
    assert get_assessment(app, submitted).answer_for(QUESTION).verification_status is None  # type: ignore[union-attr]


def test_the_comparison_shows_the_verified_figures(
    app: Flask,
    client: FlaskClient,
    submitted: int,
    admin: int,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> None:
    other = make_assessment(make_user("official@b.example"), level="3", submit=True)
    client.post(
        f"/admin/assessments/{submitted}/answers/{QUESTION}/verification",
        data={"status": "adjusted", "value": "1", "reason": "No adopted plan"},
    )
    page = client.get(f"/admin/compare?ids={submitted}&ids={other}").get_data(as_text=True)
    assert "Verified overall" in page and "(differs)" in page


def test_the_exports_carry_the_verified_figures(
    app: Flask, client: FlaskClient, submitted: int, admin_token: str
) -> None:
    patch(client, admin_token, submitted, {"status": "adjusted", "value": "1", "reason": "Draft"})
    exported = client.get("/api/v1/admin/assessments", headers=bearer(admin_token)).get_json()
    (record,) = exported["items"]
    assert record["verified_scores"]["overall"] < record["scores"]["overall"]
    assert record["verified_level"] <= record["level"]


def test_reading_verifications_costs_the_same_for_one_reviewer_or_six(
    app: Flask,
    client: FlaskClient,
    submitted: int,
    admin_token: str,
    login: Callable[..., Any],
    make_user: Callable[..., int],
) -> None:
    """Each answer names who verified it: the reviewers are loaded with the answers, not one
    query each (counted on the API's read, its list and the review page)."""
    reviewers = [make_user(f"reviewer{n}@x.example", role="admin") for n in range(6)]
    questions = [q.id for q in content.current.questions()][:6]
    login(ADMIN)
    paths = [f"/api/v1/assessments/{submitted}", "/api/v1/assessments"]

    def verify_by(pairs: list[tuple[int, str]]) -> None:
        with app.app_context():
            assessment = db.session.get(Assessment, submitted)
            assert assessment is not None
            for reviewer_id, question_id in pairs:
                reviewer = db.session.get(User, reviewer_id)
                assert reviewer is not None
                verify_answer(assessment, question_id, reviewer, "accepted")
            db.session.commit()

    def cost() -> list[int]:
        counts = [statements_for(app, client, path, headers=bearer(admin_token)) for path in paths]
        return [*counts, statements_for(app, client, f"/admin/assessments/{submitted}")]

    cost()  # whatever is loaded once per process is loaded here
    verify_by([(reviewers[0], questions[0])])
    one = cost()
    verify_by(list(zip(reviewers[1:], questions[1:], strict=True)))
    six = cost()
    shown = client.get(f"/api/v1/assessments/{submitted}", headers=bearer(admin_token))
    assert {shown.get_json()["answers"][q]["verification"]["by"] for q in questions} == {
        f"reviewer{n}@x.example" for n in range(6)
    }
    assert six == one


def answers_section(page: str) -> str:
    return page[page.index('id="answers-heading"') :]


@pytest.mark.parametrize(
    ("lang", "accepted", "adjusted", "unverified", "column"),
    [
        ("en", "Accepted", "Adjusted → ", "Not verified yet", "Verification"),
        ("zh", "已认可", "已调整 → ", "尚未核验", "核验"),
    ],
)
def test_the_answers_table_gives_each_answers_check_on_the_page_in_the_pdf_and_in_word(
    app: Flask,
    client: FlaskClient,
    submitted: int,
    admin_token: str,
    login: Callable[..., Any],
    lang: str,
    accepted: str,
    adjusted: str,
    unverified: str,
    column: str,
) -> None:
    patch(client, admin_token, submitted, {"status": "adjusted", "value": "1", "reason": "No plan"})
    patch(client, admin_token, submitted, {"status": "accepted"}, "planning.coordination")
    login(OFFICIAL)

    page = client.get(f"/assessments/{submitted}/report?lang={lang}").get_data(as_text=True)
    table = answers_section(page)
    assert f'<th scope="col">{column}</th>' in table
    assert accepted in table and adjusted in table and "No plan" in table
    adjusted_cell = table[: table.index("No plan")].rsplit('<td class="verification">', 1)[1]
    assert adjusted_cell.startswith(adjusted)
    assert re.match(r"<strong>\D*1\D*</strong>", adjusted_cell.removeprefix(adjusted))
    assert unverified in table
    # every question is answered, so each has a check, made or not
    assert table.count('class="verification"') == len(list(content.current.questions()))

    pdf = client.get(f"/assessments/{submitted}/report.pdf?lang={lang}")
    assert pdf.status_code == 200
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    appendix = text[text.rindex("".join(answers_heading(app, lang).split())) :]
    assert "".join(accepted.split()) in appendix and "Noplan" in appendix
    assert "".join(unverified.split()) in appendix

    docx = client.get(f"/assessments/{submitted}/report.docx?lang={lang}")
    word = Document(io.BytesIO(docx.data))
    answers = word.tables[-1]
    assert column in [c.text for c in answers.rows[0].cells]
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert accepted in cells
    assert any(c.startswith(adjusted) and c.endswith("No plan") for c in cells)


def answers_heading(app: Flask, lang: str) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return str(gettext("All answers"))


def test_a_draft_report_has_no_verification_column(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    draft = make_assessment(make_user(OFFICIAL), level="3")
    login(OFFICIAL)
    page = client.get(f"/assessments/{draft}/report?lang=en").get_data(as_text=True)
    assert '<th scope="col">Verification</th>' not in answers_section(page)
    word = Document(io.BytesIO(client.get(f"/assessments/{draft}/report.docx?lang=en").data))
    assert "Verification" not in [c.text for c in word.tables[-1].rows[0].cells]
