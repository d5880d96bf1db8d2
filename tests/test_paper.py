"""Offline surveys: the printable blank questionnaire, form ids, and keying a paper response in."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app.extensions import content, db
from app.models import Assessment
from app.paper.form_ids import (
    ALPHABET,
    SERIAL_LENGTH,
    is_legacy_form_id,
    new_form_id,
    parse_form_id,
    version_code,
)
from app.paper.operations import issue_form_ids
from tests.conftest import bearer, count_rows, get_assessment

FORM_ID = re.compile(r"\d+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def current_form_id(app: Flask) -> str:
    """A form id of the current bank as an admin prints it, for any city to key in."""
    with app.app_context():
        [form_id] = issue_form_ids(content.current.version, 1, None)
        db.session.commit()
        return form_id


def test_form_ids_name_the_bank_and_catch_typing_mistakes() -> None:
    assert version_code("2026.1") == "261"
    form_id = new_form_id("2026.1")
    assert FORM_ID.fullmatch(form_id)
    assert parse_form_id(form_id, ["2026.1"]) == (form_id, "2026.1")
    assert parse_form_id(f" {form_id.lower().replace('-', ' ')} ", ["2026.1"]) == (
        form_id,
        "2026.1",
    )
    body = form_id.replace("-", "")
    for position in range(len(body)):
        for replacement in ALPHABET:
            if replacement != body[position]:
                typo = body[:position] + replacement + body[position + 1 :]
                assert parse_form_id(typo, ["2026.1"]) is None, typo
    for position in range(len(body) - 1):
        if body[position] != body[position + 1]:
            swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
            assert parse_form_id(swapped, ["2026.1"]) is None, swapped
    assert parse_form_id(form_id, ["2027.1"]) is None
    assert parse_form_id("", ["2026.1"]) is None
    assert parse_form_id("261-!!!!!", ["2026.1"]) is None


def test_look_alike_letters_read_as_the_digits_meant() -> None:
    for _ in range(50):
        form_id = new_form_id("2026.1")
        if "0" in form_id or "1" in form_id:
            blurred = form_id.replace("0", "O").replace("1", "l")
            assert parse_form_id(blurred, ["2026.1"]) == (form_id, "2026.1")
            return
    pytest.skip("no 0 or 1 drawn")


def test_the_blank_questionnaire_has_every_question_tick_boxes_and_the_form_id_on_every_page(
    app: Flask, client: FlaskClient, hangzhou_official: int, login: Callable[..., Any]
) -> None:
    login("official@hangzhou.example")
    response = client.get("/paper/questionnaire.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = pages_text(response.data)
    form_ids = set(FORM_ID.findall(pages[0]))
    assert len(form_ids) == 1
    form_id = form_ids.pop()
    assert all(form_id in page for page in pages)
    whole = "".join("".join(pages).split())
    assert "杭州" in whole
    with app.app_context():
        for question in content.current.questions():
            assert "".join(question.text.en.split()) in whole, question.id


def test_the_blank_questionnaire_in_chinese(app: Flask, client: FlaskClient, official: int) -> None:
    response = client.get("/paper/questionnaire.pdf?lang=zh")
    whole = "".join("".join(pages_text(response.data)).split())
    with app.app_context():
        assert "".join(content.current.areas[2].questions[0].text.zh.split()) in whole
    assert "问卷编号" in whole


def test_each_printed_copy_gets_its_own_form_id(client: FlaskClient, official: int) -> None:
    response = client.get("/paper/questionnaire.pdf?copies=2")
    found = set(FORM_ID.findall("\n".join(pages_text(response.data))))
    assert len(found) == 2


@pytest.mark.parametrize("copies", ["0", "11", "x", "-1", "²", "9" * 5000, "010"])
def test_a_bad_number_of_copies_is_400(client: FlaskClient, official: int, copies: str) -> None:
    assert client.get(f"/paper/questionnaire.pdf?copies={copies}").status_code == 400


@pytest.mark.parametrize("url", ["/paper/questionnaire.pdf", "/paper/responses/new"])
def test_paper_pages_need_a_sign_in(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def key_in_data(app: Flask, form_id: str, value: str = "3", **extra: str) -> dict[str, str]:
    with app.app_context():
        data = {f"key-{q.id.replace('.', '-')}": value for q in content.current.questions()}
    data["form_id"] = form_id
    data.update(extra)
    return data


def test_a_complete_paper_response_is_keyed_in_and_submitted(
    app: Flask, client: FlaskClient, official: int, api_token: Callable[..., str]
) -> None:
    form_id = current_form_id(app)
    data = key_in_data(app, form_id.lower(), "4", submit="1")
    data["key-planning-top_level_design"] = "D"
    data["key-planning-top_level_design-comment"] = "From the paper: 市发改委 has the plan."
    response = client.post("/paper/responses/new", data=data)
    assert response.status_code == 302
    assessment_id = int(response.headers["Location"].split("/")[2])
    stored = get_assessment(app, assessment_id)
    assert stored.status == "submitted"
    assert stored.source == "paper"
    assert stored.paper_form_id == form_id
    assert stored.answer_values()["planning.top_level_design"] == "dont_know"
    assert stored.answer_values()["environment.iot_monitoring"] == "4"
    answer = stored.answer_for("planning.top_level_design")
    assert answer is not None and answer.comment == "From the paper: 市发改委 has the plan."

    report = client.get(f"/assessments/{assessment_id}/report")
    assert f"Keyed in from paper form {form_id}".encode() in report.data
    assert f"Paper form {form_id}".encode() in client.get("/assessments").data
    token = api_token("official@a.example")
    as_json = client.get(f"/api/v1/assessments/{assessment_id}", headers=bearer(token)).get_json()
    assert as_json["source"] == "paper" and as_json["paper_form_id"] == form_id


def test_a_partly_filled_paper_response_is_saved_as_a_draft(
    app: Flask, client: FlaskClient, official: int
) -> None:
    form_id = current_form_id(app)
    data = key_in_data(app, form_id, "", save="1")
    data["key-participation-offline_outreach"] = "2"
    response = client.post("/paper/responses/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review")
    stored = get_assessment(app, int(response.headers["Location"].split("/")[2]))
    assert stored.status == "draft" and stored.source == "paper"
    assert stored.answer_values() == {"participation.offline_outreach": "2"}


def test_keying_in_errors_are_shown_beside_the_fields_and_nothing_typed_is_lost(
    app: Flask, client: FlaskClient, official: int
) -> None:
    data = key_in_data(app, "261-NOTIT", "3", submit="1")
    data["key-planning-coordination"] = "7"
    data["key-planning-local_positioning"] = ""
    data["key-environment-iot_monitoring"] = "n"  # not offered for this question
    data["key-planning-coordination-comment"] = "Typed with care <b>and kept</b>"
    response = client.post("/paper/responses/new", data=data)
    assert response.status_code == 200
    page = response.data.decode()
    assert "not a form id from our questionnaires" in page
    assert "Type one of 1 2 3 4 5 d" in page
    assert "Needed to submit" in page
    assert "1 question has no answer yet" in page
    assert 'value="261-NOTIT"' in page
    assert re.search(r'name="key-planning-coordination"[^>]*value="7"', page)
    assert "Typed with care &lt;b&gt;and kept&lt;/b&gt;" in page
    assert 'value="n"' in page
    assert 'aria-invalid="true"' in page and 'aria-invalid="None"' not in page
    assert count_rows(app, Assessment) == 0


def test_the_same_paper_form_cannot_be_keyed_in_twice(
    app: Flask, client: FlaskClient, official: int
) -> None:
    form_id = current_form_id(app)
    assert client.post("/paper/responses/new", data=key_in_data(app, form_id)).status_code == 302
    again = client.post("/paper/responses/new", data=key_in_data(app, form_id))
    assert again.status_code == 200
    assert b"already been keyed in" in again.data
    assert count_rows(app, Assessment) == 1


def test_a_form_of_an_older_bank_is_refused(app: Flask, client: FlaskClient, official: int) -> None:
    with app.app_context():
        banks = dict(content.banks)
        banks["2025.1"] = content.current
        app.extensions["cityready_content"] = dataclasses.replace(
            app.extensions["cityready_content"], banks=banks
        )
    response = client.post("/paper/responses/new", data=key_in_data(app, new_form_id("2025.1")))
    assert response.status_code == 200
    assert b"printed for question bank 2025.1" in response.data


def test_an_admin_keys_in_for_a_chosen_city(
    app: Flask,
    client: FlaskClient,
    make_city: Callable[..., int],
    admin: int,
) -> None:
    city_id = make_city("兰州 Lanzhou")
    page = client.get("/paper/responses/new")
    assert "兰州 Lanzhou".encode() in page.data
    data = key_in_data(app, current_form_id(app), city=str(city_id), save="1")
    response = client.post("/paper/responses/new", data=data)
    stored = get_assessment(app, int(response.headers["Location"].split("/")[2]))
    assert stored.city_id == city_id and stored.source == "paper"


def test_the_key_in_page_is_one_compact_form_in_question_order(
    app: Flask, client: FlaskClient, official: int
) -> None:
    page = client.get("/paper/responses/new").data.decode()
    assert 'name="form_id"' in page and "autofocus" in page
    names = re.findall(r'name="(key-[a-z_-]+?)"', page)
    with app.app_context():
        expected = []
        for question in content.current.questions():
            name = f"key-{question.id.replace('.', '-')}"
            expected += [name, f"{name}-comment"]
    assert names == expected
    assert 'maxlength="1"' in page
    assert 'aria-invalid="None"' not in page
    assert "key-in.js" in page
    listing = client.get("/assessments").data
    assert b"/paper/questionnaire.pdf" in listing and b"/paper/responses/new" in listing


def test_form_ids_are_long_enough_that_100000_printed_forms_almost_never_clash() -> None:
    serials = len(ALPHABET) ** SERIAL_LENGTH
    assert 100_000**2 / (2 * serials) < 1e-6
    assert len(new_form_id("2026.1")) <= 20, "fits Assessment.paper_form_id"


def legacy_form_id(version: str = "2026.1") -> str:
    """A form id as printed before ids were recorded: a four-symbol serial and a check letter."""
    code = version_code(version)
    return next(
        f"{code}-7KP3{check}"
        for check in ALPHABET
        if parse_form_id(f"{code}-7KP3{check}", [version])
    )


def test_forms_printed_before_still_read_and_key_in(
    app: Flask, client: FlaskClient, official: int
) -> None:
    old = legacy_form_id()
    assert parse_form_id(old.lower().replace("-", " "), ["2026.1"]) == (old, "2026.1")
    assert is_legacy_form_id(old) and not is_legacy_form_id(new_form_id("2026.1"))
    with app.app_context():
        form_id = legacy_form_id(content.current.version)
    response = client.post("/paper/responses/new", data=key_in_data(app, form_id, save="1"))
    assert response.status_code == 302


def printed_form_id(client: FlaskClient) -> str:
    """The form id on a questionnaire printed by whoever is signed in on ``client``."""
    printed = client.get("/paper/questionnaire.pdf")
    assert printed.status_code == 200
    return str(FORM_ID.findall(pages_text(printed.data)[0])[0])


def test_only_the_city_a_form_was_printed_for_keys_it_in(
    app: Flask,
    client: FlaskClient,
    hangzhou_official: int,
    make_user: Callable[..., int],
    switch_user: Callable[..., Any],
) -> None:
    switch_user("official@hangzhou.example")
    form_id = printed_form_id(client)
    make_user("official@shenzhen.example")
    switch_user("official@shenzhen.example")
    refused = client.post("/paper/responses/new", data=key_in_data(app, form_id, save="1"))
    assert refused.status_code == 200
    assert b"This form was not printed for this city." in refused.data
    with app.app_context():
        made_up = new_form_id(content.current.version)
    never_printed = client.post("/paper/responses/new", data=key_in_data(app, made_up, save="1"))
    assert b"This form was not printed for this city." in never_printed.data
    assert count_rows(app, Assessment) == 0
    switch_user("official@hangzhou.example")
    kept = client.post("/paper/responses/new", data=key_in_data(app, form_id, save="1"))
    assert kept.status_code == 302, "not used up by the other city's attempt"
