"""The residents' survey: its content, anonymous answers, abuse limits, the report and the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.core.questionnaire import ContentError
from app.core.resident_survey import (
    MIN_RESPONSES_SHOWN,
    SURVEY_FILE,
    ChannelResult,
    answer_problems,
    channel_of,
    load_resident_survey,
    publishable,
    summarise,
)
from app.extensions import content, db
from app.models import Survey, SurveyResponse
from app.surveys.operations import paper_responses, record_response, survey_results
from tests.conftest import bearer, count_rows

SURVEY = load_resident_survey()
FIRST = SURVEY.questions[0].id


def test_the_survey_content_is_bilingual_and_covers_three_topics() -> None:
    assert set(SURVEY.topics) == {"benefits", "ease", "trust"}
    assert len(SURVEY.scale) == 5
    assert all(q.text.zh and q.text.en for q in SURVEY.questions)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('version: "2026.1"', "version: 3", "'version'"),
        ("    topic: benefits\n", "    topic: comfort\n", "'topic' must be one of"),
        ('zh: "非常同意"', 'zh: ""', "'zh' must be a non-empty string"),
        ('paper_section: "3.3"', 'paper_section: "4.1"', "3.3 or 4.3"),
        ('  - {en: "Agree", zh: "同意"}\n', "", "exactly 5"),
        ("id: trust.clear_rules", "id: trust.protection", "used twice"),
    ],
)
def test_a_broken_survey_file_is_refused_on_load(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    text = SURVEY_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "resident_survey.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=problem):
        load_resident_survey(broken)


def test_results_leave_skipped_questions_out() -> None:
    results = summarise(SURVEY, [{FIRST: 5}, {FIRST: 3}, {}])
    first = results.questions[0]
    assert (results.responses, first.answers, first.counts) == (3, 2, (0, 0, 1, 0, 1))
    assert first.score == pytest.approx(75)
    assert results.questions[1].score is None
    assert summarise(SURVEY, []).resident_index is None
    assert answer_problems(SURVEY, {FIRST: 6, "nope": 3, SURVEY.questions[1].id: True}) == {
        FIRST: "must be a whole number from 1 to 5",
        "nope": "unknown question id",
        SURVEY.questions[1].id: "must be a whole number from 1 to 5",
    }


def test_results_count_and_score_each_channel_apart() -> None:
    sources = [("online", True), ("online", False), ("online", False), ("paper", False)]
    channels = [channel_of(source, verified) for source, verified in sources]
    assert channels == ["invited", "open", "open", "paper"]
    results = summarise(SURVEY, [{FIRST: 5}, {FIRST: 1}, {FIRST: 1}, {FIRST: 3}], channels)
    assert {name: found.responses for name, found in results.channels.items()} == {
        "invited": 1,
        "open": 2,
        "paper": 1,
    }
    assert results.channels["open"].resident_index == 0
    assert results.channels["invited"].resident_index == 100
    assert summarise(SURVEY, [{FIRST: 5}]).channels == {}


def _open(client: FlaskClient, assessment_id: int, days: int = 10) -> str:
    closes = (date.today() + timedelta(days=days)).isoformat()
    response = client.post(f"/assessments/{assessment_id}/survey", data={"closes_on": closes})
    assert response.status_code == 302
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    found = re.search(r"/s/([\w-]+)", page)
    assert found is not None
    return found.group(1)


def field(question_id: str) -> str:
    return "r-" + question_id.replace(".", "-")


def test_an_official_opens_a_survey_residents_answer_and_the_report_compares(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = make_assessment(official, level="4", submit=True)
    token = _open(client, assessment_id)
    client.post("/logout")
    form = client.get(f"/s/{token}")
    assert form.status_code == 200 and b"anonymous" in form.data
    for value in ("1", "2"):
        sent = client.post(f"/s/{token}", data={field(q.id): value for q in SURVEY.questions})
        assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
    assert client.get(f"/s/{token}/thanks").status_code == 200
    qr = client.get(f"/s/{token}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert "Tick one box" in client.get(f"/s/{token}/print").get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(sa.select(SurveyResponse)).all()
        assert len(rows) == 2 and {r.source for r in rows} == {"online"}
        columns = set(SurveyResponse.__table__.columns.keys())
        assert columns == {"id", "survey_id", "answers", "source", "received_on", "verified"}

    client.post(
        "/login", data={"email": "official@a.example", "password": "correct horse battery staple"}
    )
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Residents&#39; voice" in report or "Residents' voice" in report
    assert "2 residents answered" in report
    assert "Not enough responses yet" in report
    assert "points lower" not in report
    manage = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    assert "Not enough responses yet" in manage and "survey-results" not in manage
    _add_online_answers(app, MIN_RESPONSES_SHOWN - 2, 1)
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Not enough responses yet" not in report
    assert "points lower than its own participation score" in report
    assert "what the city reports of its own practice" in report


def _add_online_answers(app: Flask, how_many: int, value: int) -> None:
    with app.app_context():
        survey = db.session.scalars(sa.select(Survey)).one()
        for _ in range(how_many):
            record_response(survey, {q.id: value for q in SURVEY.questions}, date.today())
        db.session.commit()


def test_fewer_answers_than_the_minimum_show_nothing_but_their_number() -> None:
    few = summarise(SURVEY, [{FIRST: 5}] * (MIN_RESPONSES_SHOWN - 1), ["paper"] * 9)
    shown = publishable(SURVEY, few)
    assert shown.withheld and shown.responses == MIN_RESPONSES_SHOWN - 1
    assert shown.resident_index is None and shown.questions == ()
    assert all(v is None for v in shown.topics.values())
    assert shown.channels["paper"] == ChannelResult(MIN_RESPONSES_SHOWN - 1, None)


def test_a_question_or_channel_with_too_few_answers_is_withheld_and_left_out() -> None:
    second = SURVEY.questions[1].id
    responses = [{FIRST: 5}] * MIN_RESPONSES_SHOWN + [{second: 1}]
    channels = ["open"] * MIN_RESPONSES_SHOWN + ["paper"]
    shown = publishable(SURVEY, summarise(SURVEY, responses, channels))
    assert not shown.withheld
    by_id = {r.question_id: r for r in shown.questions}
    assert by_id[FIRST].score == 100 and not by_id[FIRST].withheld
    assert by_id[second].withheld and by_id[second].score is None
    assert by_id[second].counts == (0, 0, 0, 0, 0) and by_id[second].answers == 1
    assert shown.resident_index == 100
    assert shown.channels["paper"].resident_index is None
    assert shown.channels["open"].resident_index == 100


def test_paper_answers_are_typed_in_by_the_official(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="2", submit=True)
    _open(client, assessment_id)
    printed = client.post(f"/assessments/{assessment_id}/survey/forms", data={"forms-copies": "1"})
    assert printed.status_code == 200 and "Form no. 1" in printed.get_data(as_text=True)
    response = client.post(
        f"/assessments/{assessment_id}/survey/paper",
        data={"paper-" + field(FIRST): "5"},
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(sa.select(SurveyResponse)).one()
        assert (row.answers, row.source) == ({FIRST: 5}, "paper")


def test_answers_per_address_are_limited(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    app.config["SURVEY_LIMIT_PER_ADDRESS"] = "2 per hour"
    token = _open(client, make_assessment(official, level="3", submit=True))
    codes = [client.post(f"/s/{token}", data={field(FIRST): "3"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert count_rows(app, SurveyResponse) == 2
    other = client.post(
        f"/s/{token}", data={field(FIRST): "3"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other.status_code == 302


def test_a_closed_survey_takes_no_answers(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    token = _open(client, make_assessment(official, level="3", submit=True))
    with app.app_context():
        survey = db.session.scalars(sa.select(Survey)).one()
        survey.closes_on = date.today() - timedelta(days=1)
        db.session.commit()
    response = client.post(f"/s/{token}", data={field(FIRST): "3"})
    assert response.status_code == 410 and b"closed" in response.data
    assert count_rows(app, SurveyResponse) == 0


@pytest.mark.parametrize("closes_on", ["", "2020-01-01", "tomorrow"])
def test_opening_needs_a_future_closing_date(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    closes_on: str,
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    response = client.post(f"/assessments/{assessment_id}/survey", data={"closes_on": closes_on})
    assert response.status_code == 200 and b"field-errors" in response.data
    assert count_rows(app, Survey) == 0


def test_unknown_links_and_another_citys_survey_are_404(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    theirs = make_assessment(make_user("other@b.example"), level="3", submit=True)
    make_user("official@a.example")
    login("official@a.example")
    assert client.get("/s/not-a-token").status_code == 404
    assert client.get(f"/assessments/{theirs}/survey").status_code == 404
    assert client.post(f"/assessments/{theirs}/survey/paper", data={}).status_code == 404


def test_the_api_opens_a_survey_takes_paper_answers_and_reports(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    assessment_id = make_assessment(make_user("official@a.example"), level="4", submit=True)
    headers = bearer(api_token("official@a.example"))
    base = f"/api/v1/assessments/{assessment_id}/survey"
    bad = client.post(base, json={"closes_on": "2020-01-01"}, headers=headers)
    assert bad.status_code == 422 and "closes_on" in bad.get_json()["errors"]
    closes = (date.today() + timedelta(days=5)).isoformat()
    opened = client.post(base, json={"closes_on": closes}, headers=headers)
    assert opened.status_code == 201
    assert opened.get_json()["resident_survey"]["responses"] == 0
    with app.app_context():
        db.session.scalars(sa.select(Survey)).one().paper_forms_printed = 1
        db.session.commit()
    assert client.post(base, json={"closes_on": closes}, headers=headers).status_code == 409
    refused = client.post(f"{base}/responses", json={"answers": {FIRST: 9}}, headers=headers)
    assert refused.status_code == 422
    added = client.post(f"{base}/responses", json={"answers": {FIRST: 1}}, headers=headers)
    assert added.status_code == 201
    assert added.get_json() == {"responses": 1, "paper_responses": 1, "paper_forms_printed": 1}
    body = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    survey = body["resident_survey"]
    assert survey["withheld"] and survey["min_responses"] == MIN_RESPONSES_SHOWN
    assert survey["resident_index"] is None and survey["questions"] == {}
    assert survey["sources"]["paper"] == {"responses": 1, "resident_index": None}
    _add_online_answers(app, MIN_RESPONSES_SHOWN - 1, 1)
    body = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    survey = body["resident_survey"]
    assert not survey["withheld"]
    assert survey["resident_index"] == 0.0 and survey["participation_score"] == 75.0
    assert survey["difference"] == -75.0
    assert survey["questions"][FIRST]["counts"] == [MIN_RESPONSES_SHOWN, 0, 0, 0, 0]


def test_the_running_totals_give_the_results_of_every_response_read_whole(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    """Results come from ``SurveyTally``, kept with each answer; the responses, summed up the
    way they were before the totals existed, must give the very same figures."""
    assessment_id = make_assessment(official, level="3", submit=True)
    _open(client, assessment_id)
    second = SURVEY.questions[1].id
    answers = [
        ({FIRST: 5, second: 2}, "online", False),
        ({FIRST: 4}, "online", True),
        ({second: 1}, "paper", False),
        ({}, "online", False),
    ]
    with app.app_context():
        survey = db.session.scalars(sa.select(Survey)).one()
        for round_number in range(12):
            given, source, verified = answers[round_number % len(answers)]
            record_response(survey, given, date.today(), source, verified)
        db.session.commit()
        rows = db.session.execute(
            sa.select(SurveyResponse.source, SurveyResponse.verified, SurveyResponse.answers)
        ).all()
        # What the totals stand for: every response summed up, as before there were totals.
        from_responses = publishable(
            content.resident_survey,
            summarise(
                content.resident_survey,
                [r.answers for r in rows],
                [channel_of(r.source, r.verified) for r in rows],
            ),
        )
        from_totals = survey_results(survey)
        assert from_totals == from_responses
        assert from_totals.responses == 12 and from_totals.channels["paper"].responses == 3
        assert paper_responses(survey) == 3


def test_the_survey_page_and_the_report_read_the_totals_never_the_responses(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    _open(client, assessment_id)
    _add_online_answers(app, MIN_RESPONSES_SHOWN + 5, 4)
    with app.app_context():
        engine = db.engine
    read: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        read.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get(f"/assessments/{assessment_id}/survey")
        report = client.get(f"/assessments/{assessment_id}/report")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200
    assert f"{MIN_RESPONSES_SHOWN + 5} responses so far" in page.get_data(as_text=True)
    assert report.status_code == 200
    assert f"{MIN_RESPONSES_SHOWN + 5} residents" in report.get_data(as_text=True)
    assert not [s for s in read if "FROM survey_response" in s]
