"""Abuse of the residents' survey (issue 18, findings M3, M4, I6, I12), replayed through the
pages and the API against the fixed code: stuffing the open link from many addresses, reusing an
invitation code, empty answers, bursts, and paper answers typed in late, unaudited or beyond the
forms printed."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.core.resident_survey import load_resident_survey
from app.extensions import db
from app.models import AuditEvent, Survey, SurveyInvitation, SurveyResponse
from tests.conftest import OFFICIAL, bearer, count_rows

QUESTIONS = load_resident_survey().questions
FIRST = QUESTIONS[0].id
ALL_FIVES = {"r-" + q.id.replace(".", "-"): "5" for q in QUESTIONS}
PAPER_FIVE = {"paper-r-" + FIRST.replace(".", "-"): "5"}


@pytest.fixture
def survey_of_official(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> tuple[int, str]:
    """An open survey on the signed-in official's submitted round: (assessment id, token)."""
    assessment_id = make_assessment(official, level="3", submit=True)
    closes = (date.today() + timedelta(days=10)).isoformat()
    client.post(f"/assessments/{assessment_id}/survey", data={"closes_on": closes})
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    return assessment_id, page.split("/s/")[1].split('"')[0].split("/")[0]


def _from(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _api_survey(client: FlaskClient, api_token: Callable[..., str], assessment_id: int) -> Any:
    answer = client.get(f"/api/v1/assessments/{assessment_id}", headers=bearer(api_token(OFFICIAL)))
    return answer.get_json()["resident_survey"]


def _api_paper(
    client: FlaskClient, api_token: Callable[..., str], assessment_id: int, answers: Any
) -> Any:
    """An official types in a paper questionnaire through the API."""
    return client.post(
        f"/api/v1/assessments/{assessment_id}/survey/responses",
        json={"answers": answers},
        headers=bearer(api_token(OFFICIAL)),
    )


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.scalars(sa.select(Survey)).one().closes_on = date.today() - timedelta(days=1)
        db.session.commit()


def _print_forms(client: FlaskClient, assessment_id: int, copies: int) -> str:
    printed = client.post(
        f"/assessments/{assessment_id}/survey/forms", data={"forms-copies": str(copies)}
    )
    assert printed.status_code == 200
    return printed.get_data(as_text=True)


def _invitation_codes(client: FlaskClient, assessment_id: int, count: int) -> list[str]:
    page = client.post(
        f"/assessments/{assessment_id}/survey/invitations", data={"invite-count": str(count)}
    )
    assert page.status_code == 200 and page.data.count(b"<svg") == count
    return re.findall(r'class="invitation-code">([A-Z0-9-]+)<', page.get_data(as_text=True))


def test_forty_addresses_on_the_open_link_count_as_unverified_and_are_shown_apart(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, token = survey_of_official
    codes = _invitation_codes(client, assessment_id, 1)
    assert client.post(f"/s/{token}", data={**ALL_FIVES, "code": codes[0]}).status_code == 302
    for n in range(40):
        sent = client.post(f"/s/{token}", data=ALL_FIVES, **_from(f"10.0.5.{n + 1}"))
        assert sent.status_code == 302
    survey = _api_survey(client, api_token, assessment_id)
    assert survey["responses"] == 41
    assert (survey["verified_responses"], survey["unverified_responses"]) == (1, 40)
    assert (survey["online_responses"], survey["paper_responses"]) == (41, 0)
    assert survey["sources"]["open"] == {"responses": 40, "resident_index": 100.0}
    assert survey["invitations_printed"] == 1
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Online through the open link (unverified)" in report
    assert "Most answers came through the open link" in report


def test_an_invitation_code_counts_once_and_is_not_limited_by_a_shared_address(
    app: Flask, client: FlaskClient, survey_of_official: tuple[int, str]
) -> None:
    assessment_id, token = survey_of_official
    app.config["SURVEY_LIMIT_PER_ADDRESS"] = "1 per hour"
    codes = _invitation_codes(client, assessment_id, 3)
    assert len(set(codes)) == 3
    with app.app_context():
        stored = db.session.scalars(sa.select(SurveyInvitation.code_hash)).all()
        assert not any(code.replace("-", "") in stored for code in codes)
    prefilled = client.get(f"/s/{token}?code={codes[0]}").get_data(as_text=True)
    assert f'value="{codes[0]}"' in prefilled
    # One community centre's address: residents with codes are not held back by each other.
    for code in codes[:2]:
        typed = code.lower().replace("-", " ")
        assert client.post(f"/s/{token}", data={**ALL_FIVES, "code": typed}).status_code == 302
    again = client.post(f"/s/{token}", data={**ALL_FIVES, "code": codes[0]}, **_from("10.1.1.1"))
    assert again.status_code == 422 and b"has been used already" in again.data
    with app.app_context():
        rows = db.session.scalars(sa.select(SurveyResponse)).all()
        assert [r.verified for r in rows] == [True, True]
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    assert "3 codes printed, 2 used." in page


def test_a_wrong_code_stores_nothing_and_counts_against_the_address(
    app: Flask, client: FlaskClient, survey_of_official: tuple[int, str]
) -> None:
    _, token = survey_of_official
    app.config["SURVEY_LIMIT_PER_ADDRESS"] = "2 per hour"
    tries = [
        client.post(f"/s/{token}", data={**ALL_FIVES, "code": f"ABCDE-FGH{n}J"}).status_code
        for n in range(3)
    ]
    assert tries == [422, 422, 429]
    assert count_rows(app, SurveyResponse) == 0


def test_an_empty_answer_is_refused_online_on_paper_and_through_the_api(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, token = survey_of_official
    _print_forms(client, assessment_id, 2)
    online = client.post(f"/s/{token}", data={})
    assert online.status_code == 422 and b"empty questionnaire is not counted" in online.data
    paper = client.post(f"/assessments/{assessment_id}/survey/paper", data={})
    assert paper.status_code == 422 and b"empty questionnaire is not counted" in paper.data
    api = _api_paper(client, api_token, assessment_id, {})
    assert api.status_code == 422 and "answers" in api.get_json()["errors"]
    assert count_rows(app, SurveyResponse) == 0


@pytest.mark.parametrize(("answers", "flagged"), [(20, False), (21, True)])
def test_a_burst_of_online_answers_is_flagged_on_the_survey_page_and_in_the_report(
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
    answers: int,
    flagged: bool,
) -> None:
    assessment_id, token = survey_of_official
    for n in range(answers):
        assert (
            client.post(f"/s/{token}", data=ALL_FIVES, **_from(f"10.0.7.{n + 1}")).status_code
            == 302
        )
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert ("Burst of answers" in page) is flagged
    assert ("Burst of answers" in report) is flagged
    busiest = _api_survey(client, api_token, assessment_id)["busiest_hour"]
    assert (busiest["online_responses"], busiest["burst"]) == (answers, flagged)


def test_paper_answers_are_audited_and_shown_apart(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, token = survey_of_official
    assert "Form no. 3" in _print_forms(client, assessment_id, 3)
    assert client.post(f"/s/{token}", data=ALL_FIVES).status_code == 302
    web = client.post(f"/assessments/{assessment_id}/survey/paper", data=PAPER_FIVE)
    assert web.status_code == 302
    api = _api_paper(client, api_token, assessment_id, {FIRST: 1})
    assert api.status_code == 201 and api.get_json()["paper_responses"] == 2
    with app.app_context():
        details = db.session.scalars(
            sa.select(AuditEvent.detail)
            .where(AuditEvent.object_type == "survey")
            .order_by(AuditEvent.id)
        ).all()
    assert details == [
        "resident survey: 3 blank paper questionnaires printed (sheets 1-3)",
        "resident survey: 1 paper questionnaire typed in (1 of 3 printed)",
        "resident survey: 1 paper questionnaire typed in (2 of 3 printed)",
    ]
    survey = _api_survey(client, api_token, assessment_id)
    assert (survey["online_responses"], survey["paper_responses"]) == (1, 2)
    assert survey["paper_forms_printed"] == 3
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    assert "2 of 3 printed forms typed in." in page
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Paper, typed in by the city (3 forms printed)" in report


def test_paper_after_the_survey_closes_is_refused(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, _ = survey_of_official
    _print_forms(client, assessment_id, 5)
    _close(app)
    web = client.post(f"/assessments/{assessment_id}/survey/paper", data=PAPER_FIVE)
    assert web.status_code == 409 and b"can no longer be typed in" in web.data
    api = _api_paper(client, api_token, assessment_id, {FIRST: 5})
    assert api.status_code == 409 and "closed" in api.get_json()["errors"]["survey"]
    more = client.post(f"/assessments/{assessment_id}/survey/forms", data={"forms-copies": "9"})
    assert more.status_code == 409
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    assert "paper questionnaires can no longer be typed in" in page
    assert count_rows(app, SurveyResponse) == 0


def test_paper_beyond_the_forms_printed_is_refused(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, _ = survey_of_official
    url = f"/assessments/{assessment_id}/survey/paper"
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    assert "Every printed form has been typed in" in page
    assert client.post(url, data=PAPER_FIVE).status_code == 409
    _print_forms(client, assessment_id, 1)
    assert client.post(url, data=PAPER_FIVE).status_code == 302
    beyond = client.post(url, data=PAPER_FIVE)
    assert beyond.status_code == 409 and b"Print more from this page" in beyond.data
    api = _api_paper(client, api_token, assessment_id, {FIRST: 5})
    assert api.status_code == 409 and "print more" in api.get_json()["errors"]["survey"]
    assert count_rows(app, SurveyResponse) == 1


@pytest.mark.parametrize("copies", ["", "0", "501", "abc"])
def test_a_print_run_needs_a_number_from_1_to_500(
    app: Flask, client: FlaskClient, survey_of_official: tuple[int, str], copies: str
) -> None:
    assessment_id, _ = survey_of_official
    for route, name in (("forms", "forms-copies"), ("invitations", "invite-count")):
        page = client.post(f"/assessments/{assessment_id}/survey/{route}", data={name: copies})
        assert page.status_code == 200 and b"field-errors" in page.data
    assert count_rows(app, SurveyInvitation) == 0
    with app.app_context():
        assert db.session.scalars(sa.select(Survey)).one().paper_forms_printed == 0


def test_another_citys_survey_prints_nothing(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    survey_of_official: tuple[int, str],
    login: Callable[..., Any],
) -> None:
    assessment_id, _ = survey_of_official
    make_user("other@b.example")
    client.post("/logout")
    login("other@b.example")
    base = f"/assessments/{assessment_id}/survey"
    assert client.post(f"{base}/forms", data={"forms-copies": "5"}).status_code == 404
    assert client.post(f"{base}/invitations", data={"invite-count": "5"}).status_code == 404
    assert count_rows(app, SurveyInvitation) == 0


def test_ipv6_clients_share_the_open_link_limit_per_64(
    app: Flask, client: FlaskClient, survey_of_official: tuple[int, str]
) -> None:
    _, token = survey_of_official
    app.config["SURVEY_LIMIT_PER_ADDRESS"] = "1 per hour"
    sent = [
        client.post(f"/s/{token}", data=ALL_FIVES, **_from(address)).status_code
        for address in ("2001:db8::1", "2001:db8::ffff:2", "2001:db8:0:1::1")
    ]
    assert sent == [302, 429, 302]


def _at_once(app: Flask, times: int, send: Callable[[FlaskClient], Any]) -> list[int]:
    """Send ``times`` requests together, each from its own client; their status codes, sorted."""
    start = threading.Barrier(times, timeout=30)
    codes: list[int] = []

    def one() -> None:
        start.wait()
        codes.append(send(app.test_client()).status_code)

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(codes)


def test_paper_answers_sent_at_once_stop_at_the_forms_printed(
    app: Flask,
    client: FlaskClient,
    survey_of_official: tuple[int, str],
    api_token: Callable[..., str],
) -> None:
    assessment_id, _ = survey_of_official
    _print_forms(client, assessment_id, 2)
    token = api_token(OFFICIAL)
    codes = _at_once(
        app, 6, lambda sender: _api_paper(sender, lambda _email: token, assessment_id, {FIRST: 5})
    )
    assert codes == [201, 201, 409, 409, 409, 409]
    assert count_rows(app, SurveyResponse) == 2


def test_one_code_sent_at_once_from_two_phones_counts_once(
    app: Flask, client: FlaskClient, survey_of_official: tuple[int, str]
) -> None:
    assessment_id, token = survey_of_official
    [code] = _invitation_codes(client, assessment_id, 1)
    codes = _at_once(
        app, 2, lambda sender: sender.post(f"/s/{token}", data={**ALL_FIVES, "code": code})
    )
    assert codes == [302, 422]
    assert count_rows(app, SurveyResponse) == 1
