"""The answers workbook: downloaded pre-filled with drop-downs, read back whole or not at all,
refused when it belongs to another round, and safe from formulas both ways."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.assessments.operations import AnswerInput, save_answers
from app.extensions import db
from app.models import Assessment
from tests.conftest import get_assessment

QUESTION = "planning.top_level_design"


def download(client: FlaskClient, assessment_id: int) -> Any:
    response = client.get(f"/assessments/{assessment_id}/answers.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.data))


def upload(client: FlaskClient, assessment_id: int, book: Any) -> Any:
    out = io.BytesIO()
    book.save(out)
    return client.post(
        f"/assessments/{assessment_id}/answers.xlsx",
        data={"workbook": (io.BytesIO(out.getvalue()), "answers.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def row_of(sheet: Any, question_id: str) -> int:
    return next(c.row for c in sheet["A"] if c.value == question_id)


def test_the_workbook_is_prefilled_with_lists_and_hidden_ids(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        save_answers(assessment, {QUESTION: AnswerInput("3", '=HYPERLINK("http://x")')})
        db.session.commit()
    book = download(client, assessment_id)
    sheet = book["Answers"]
    row = row_of(sheet, QUESTION)
    assert sheet.cell(row, 4).value  # the answer's label
    comment = sheet.cell(row, 5)
    assert comment.data_type == "s" and comment.value.startswith("=HYPERLINK")
    assert sheet.data_validations.dataValidation  # the drop-down lists
    assert book["_cityready"].sheet_state == "veryHidden"
    assert book["_cityready"]["B1"].value == assessment_id


def test_a_filled_workbook_is_read_in_and_leaves_other_answers_alone(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2")
    book = download(client, assessment_id)
    sheet = book["Answers"]
    row = row_of(sheet, QUESTION)
    labels = book["_choices"]
    level_four = labels.cell(row, 5).value  # the question's options from column B, in order
    sheet.cell(row, 4).value = level_four
    sheet.cell(row, 5).value = "From the transport bureau"
    sheet.cell(row, 6).value = "high"
    for other in range(2, sheet.max_row + 1):
        if other != row:
            sheet.cell(other, 4).value = None
    answered = upload(client, assessment_id, book)
    assert "1 answer was read in from the workbook." in answered.get_data(as_text=True)
    stored = get_assessment(app, assessment_id)
    changed = stored.answer_for(QUESTION)
    assert changed is not None and changed.comment == "From the transport bureau"
    assert changed.confidence == "high"
    assert all(a.value == "2" for a in stored.answers if a.question_id != QUESTION)


def test_every_problem_is_listed_and_nothing_is_stored(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2")
    book = download(client, assessment_id)
    sheet = book["Answers"]
    sheet.cell(2, 4).value = "Level 9: nonsense"
    sheet.cell(3, 5).value = "=1+1"
    sheet.cell(4, 5).value = "fine, but in a refused workbook"
    refused = upload(client, assessment_id, book)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Sheet Answers, row 2, column D" in text
    assert "Sheet Answers, row 3, column E" in text
    assert all(a.comment == "" for a in get_assessment(app, assessment_id).answers)


def test_a_workbook_of_another_assessment_is_refused(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    first = make_assessment(official, level="2")
    second = make_assessment(official, level="2")
    refused = upload(client, second, download(client, first))
    assert refused.status_code == 422
    assert f"belongs to assessment #{first}" in refused.get_data(as_text=True)

    book = download(client, second)
    book["_cityready"]["B2"].value = "1999.1"
    refused = upload(client, second, book)
    assert "question bank 1999.1" in refused.get_data(as_text=True)


def test_another_citys_workbook_is_404(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    theirs = make_assessment(make_user("official@b.example"), level="2")
    make_user("official@a.example")
    assert login("official@a.example").status_code == 302
    assert client.get(f"/assessments/{theirs}/answers.xlsx").status_code == 404


def test_a_zip_that_inflates_too_far_or_no_workbook_is_refused(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"\x00" * (60 * 1024 * 1024))
    for data, message in (
        (bomb.getvalue(), "far larger than an answers workbook"),
        (b"not a workbook", "not an Excel workbook"),
    ):
        refused = client.post(
            f"/assessments/{assessment_id}/answers.xlsx",
            data={"workbook": (io.BytesIO(data), "answers.xlsx")},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422
        assert message in refused.get_data(as_text=True)
