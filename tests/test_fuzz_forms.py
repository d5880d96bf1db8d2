"""Fuzz the pages' form validators with hostile text, through the pages themselves.

NUL characters, lone surrogates (sent as the bytes a careless client would send), 10^6
characters, CJK, right-to-left text and marks, emoji: never a 5xx. What is refused is refused
for a reason the field states (or, for bytes that are not UTF-8, a 400), and nothing is stored;
what is accepted comes back unchanged from the database and, escaped, in the HTML. The PDF is
checked with text its fonts can draw (Latin, CJK, Hebrew, Arabic): the embedded fonts have no
emoji, so emoji cannot come back out of a PDF as text and are left out of that comparison.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from markupsafe import escape
from pypdf import PdfReader

from app.assessments.operations import (
    AnswerInput,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.core.uncertainty import evidence_problem
from app.extensions import content, db
from app.models import COMMENT_MAX_LENGTH, Answer, Assessment, StatusChange, User
from tests.conftest import answers_at
from tests.fuzz_support import (
    CASES,
    hostile_text,
    is_storable,
    long_texts,
    printable_words,
    report_cases,
    scaled,
)


@pytest.fixture(scope="module", autouse=True)
def _print_case_counts() -> Iterator[None]:
    yield
    print("\n" + report_cases())


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Failed sign-ins would soon be 429 from the throttle, and the fuzzing would stop there.
    return {"RATELIMIT_ENABLED": False}


def post_form(client: FlaskClient, url: str, fields: dict[str, str]) -> Any:
    """POST the fields form-encoded as a client would, lone surrogates as their raw bytes."""
    body = urlencode(fields, encoding="utf-8", errors="surrogatepass")
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def field_name(question_id: str, suffix: str) -> str:
    return f"q-{question_id.replace('.', '-')}-{suffix}"


@pytest.fixture
def official_draft(
    app: Flask,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> tuple[int, str]:
    assessment_id = make_assessment(make_user("official@a.example"), level=None)
    login("official@a.example")
    with app.app_context():
        return assessment_id, content.current.areas[0].questions[0].id


def stored_answer(app: Flask, assessment_id: int, question_id: str) -> Answer | None:
    with app.app_context():
        found = db.session.scalar(
            sa.select(Answer).where(
                Answer.assessment_id == assessment_id, Answer.question_id == question_id
            )
        )
        if found is not None:
            db.session.expunge(found)
        return found


def as_stored(answer: Answer | None) -> tuple[str, str, str | None, str] | None:
    return (
        None
        if answer is None
        else (answer.value, answer.comment, answer.confidence, answer.evidence)
    )


def test_answer_comment_and_evidence(
    app: Flask, client: FlaskClient, official_draft: tuple[int, str]
) -> None:
    assessment_id, qid = official_draft
    url = f"/assessments/{assessment_id}/areas/planning"

    @scaled(40)
    @given(comment=hostile_text, evidence=hostile_text)
    @example(comment=long_texts[0], evidence="")
    @example(comment=long_texts[1], evidence=long_texts[2])
    @example(comment="x" * COMMENT_MAX_LENGTH, evidence="智" * 2000)
    def check(comment: str, evidence: str) -> None:
        CASES["page: answer comment and evidence"] += 1
        before = stored_answer(app, assessment_id, qid)
        fields = {
            f"q-{qid.replace('.', '-')}": "3",
            field_name(qid, "comment"): comment,
            field_name(qid, "evidence"): evidence,
            "save": "Save draft",
        }
        response = post_form(client, url, fields)
        status = response.status_code
        assert status in (200, 302, 400, 413), status
        after = stored_answer(app, assessment_id, qid)
        if status != 302:
            # Refused: for a reason, and nothing of it stored.
            assert (
                not is_storable(comment + evidence)
                or len(comment) > COMMENT_MAX_LENGTH
                or evidence_problem(evidence) is not None
            )
            assert as_stored(after) == as_stored(before)
            if status == 200:
                assert 'aria-invalid="true"' in response.get_data(as_text=True)
            return
        assert after is not None
        assert after.comment == comment and after.evidence == evidence.strip()
        page = client.get(url).get_data(as_text=True)
        assert str(escape(comment)) in page and str(escape(evidence.strip())) in page

    check()


def test_the_admins_return_comment(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    admin: int,
) -> None:
    official_id = make_user("official@a.example")

    def submitted() -> int:
        with app.app_context():
            official = db.session.get(User, official_id)
            assert official is not None and official.city is not None
            assessment = start_assessment(official, official.city)
            save_answers(assessment, answers_at("3"))
            submit_assessment(assessment)
            db.session.commit()
            return assessment.id

    @scaled(25)
    @given(comment=hostile_text)
    @example(comment=long_texts[1])
    def check(comment: str) -> None:
        CASES["page: admin return comment"] += 1
        assessment_id = submitted()
        url = f"/admin/assessments/{assessment_id}"
        response = post_form(client, f"{url}/return", {"return-comment": comment})
        status = response.status_code
        assert status in (200, 302, 400, 413), status
        with app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            assert assessment is not None
            changes = db.session.scalars(
                sa.select(StatusChange.comment).where(
                    StatusChange.assessment_id == assessment_id,
                    StatusChange.to_status == "returned",
                )
            ).all()
            returned = assessment.status == "returned"
        if status != 302:
            assert not returned and not changes
            assert not is_storable(comment) or not comment.strip() or len(comment) > 5000
            return
        # Surrounding whitespace is trimmed on purpose (app/assessments/workflow.py); the rest
        # is kept.
        assert returned and changes == [comment.strip()]
        assert str(escape(comment.strip())) in client.get(url).get_data(as_text=True)

    check()


def test_the_login_form(app: Flask, client: FlaskClient, make_user: Callable[..., int]) -> None:
    make_user("official@a.example")

    @scaled(40)
    @given(email=hostile_text, password=hostile_text)
    @example(email="official@a.example\x00", password="correct horse battery staple")
    @example(email=long_texts[1], password=long_texts[0])
    def check(email: str, password: str) -> None:
        CASES["page: login"] += 1
        response = post_form(client, "/login", {"email": email, "password": password})
        assert response.status_code in (200, 400, 413), response.status_code

    check()


def test_accepted_text_comes_back_from_the_pdf(
    app: Flask, client: FlaskClient, official_draft: tuple[int, str]
) -> None:
    assessment_id, qid = official_draft
    url = f"/assessments/{assessment_id}/report.pdf"

    @scaled(4)
    @given(comment=printable_words)
    @example(comment="智慧城市 <b>&amp;</b> עיר חכמה مدينة ذكية")
    def check(comment: str) -> None:
        CASES["page: comment in the report PDF"] += 1
        with app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            assert assessment is not None
            save_answers(assessment, {qid: AnswerInput("3", comment)})
            db.session.commit()
        response = client.get(url)
        if response.status_code == 503:
            pytest.skip("this machine cannot render PDFs (Pango or the CJK font is missing)")
        assert response.status_code == 200
        pages = PdfReader(io.BytesIO(response.data)).pages
        text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pages))
        # A PDF holds glyphs in the order they are drawn: a line mixing directions comes out in
        # that visual order, so each word of one script is looked for on its own.
        for word in comment.split():
            assert word in text, (word, comment)

    check()
