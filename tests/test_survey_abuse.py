"""Abuse of the residents' survey (issue 18, findings M3, M4, I6, I12), replayed through the
pages and the API against the fixed code: stuffing the open link from many addresses, reusing an
invitation code, empty answers, bursts, and paper answers typed in late, unaudited or beyond the
forms printed."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import create_app
from app.core.resident_survey import load_resident_survey
from app.extensions import db
from app.models import AuditEvent, Survey, SurveyInvitation, SurveyResponse
from tests.conftest import OFFICIAL, bearer, count_rows

QUESTIONS = load_resident_survey().questions
FIRST = QUESTIONS[0].id
ALL_FIVES = {"r-" + q.id.replace(".", "-"): "5" for q in QUESTIONS}
PAPER_FIVE = {"paper-r-" + FIRST.replace(".", "-"): "5"}


@dataclass
class SurveyDesk:
    """An open survey of the official signed in on ``client``, and what residents and the
    official do with it through the pages and the API."""

    app: Flask
    client: FlaskClient
    assessment_id: int
    token: str
    api_token: str

    @property
    def base(self) -> str:
        return f"/assessments/{self.assessment_id}/survey"

    def answer(
        self, data: dict[str, str], address: str = "127.0.0.1", code: str | None = None
    ) -> TestResponse:
        """A resident sends answers from ``address``, with an invitation code or without."""
        sent = data if code is None else {**data, "code": code}
        return self.client.post(
            f"/s/{self.token}", data=sent, environ_base={"REMOTE_ADDR": address}
        )

    def paper(self, data: dict[str, str]) -> TestResponse:
        return self.client.post(f"{self.base}/paper", data=data)

    def paper_api(self, answers: dict[str, int], client: FlaskClient | None = None) -> TestResponse:
        return (client or self.client).post(
            f"/api/v1/assessments/{self.assessment_id}/survey/responses",
            json={"answers": answers},
            headers=bearer(self.api_token),
        )

    def print_forms(self, copies: int) -> str:
        printed = self.client.post(f"{self.base}/forms", data={"forms-copies": str(copies)})
        assert printed.status_code == 200
        return printed.get_data(as_text=True)

    def invitation_codes(self, count: int) -> list[str]:
        page = self.client.post(f"{self.base}/invitations", data={"invite-count": str(count)})
        assert page.status_code == 200 and page.data.count(b"<svg") == count
        return re.findall(r'class="invitation-code">([A-Z0-9-]+)<', page.get_data(as_text=True))

    def page(self) -> str:
        return self.client.get(self.base).get_data(as_text=True)

    def report(self) -> str:
        return self.client.get(f"/assessments/{self.assessment_id}/report").get_data(as_text=True)

    def api_survey(self) -> Any:
        found = self.client.get(
            f"/api/v1/assessments/{self.assessment_id}", headers=bearer(self.api_token)
        )
        return found.get_json()["resident_survey"]

    def close(self) -> None:
        with self.app.app_context():
            survey = db.session.scalars(sa.select(Survey)).one()
            survey.closes_on = date.today() - timedelta(days=1)
            db.session.commit()

    def responses(self) -> int:
        return count_rows(self.app, SurveyResponse)


@pytest.fixture
def desk(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> SurveyDesk:
    assessment_id = make_assessment(official, level="3", submit=True)
    closes = (date.today() + timedelta(days=10)).isoformat()
    client.post(f"/assessments/{assessment_id}/survey", data={"closes_on": closes})
    page = client.get(f"/assessments/{assessment_id}/survey").get_data(as_text=True)
    found = re.search(r"/s/([\w-]+)", page)
    assert found is not None
    token = found.group(1)
    return SurveyDesk(app, client, assessment_id, token, api_token(OFFICIAL))


def _at_once(app: Flask, times: int, send: Callable[[FlaskClient], TestResponse]) -> list[int]:
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


def test_forty_addresses_on_the_open_link_count_as_unverified_and_are_shown_apart(
    desk: SurveyDesk,
) -> None:
    [code] = desk.invitation_codes(1)
    assert desk.answer(ALL_FIVES, code=code).status_code == 302
    for n in range(40):
        assert desk.answer(ALL_FIVES, address=f"10.0.5.{n + 1}").status_code == 302
    survey = desk.api_survey()
    assert survey["responses"] == 41
    assert (survey["verified_responses"], survey["unverified_responses"]) == (1, 40)
    assert (survey["online_responses"], survey["paper_responses"]) == (41, 0)
    assert survey["sources"]["open"] == {"responses": 40, "resident_index": 100.0}
    assert survey["invitations_printed"] == 1
    report = desk.report()
    assert "Online through the open link (unverified)" in report
    assert "Most answers came through the open link" in report


def test_an_invitation_code_counts_once_and_is_not_limited_by_a_shared_address(
    desk: SurveyDesk,
) -> None:
    desk.app.config["SURVEY_LIMIT_PER_ADDRESS"] = "1 per hour"
    codes = desk.invitation_codes(3)
    assert len(set(codes)) == 3
    with desk.app.app_context():
        stored = db.session.scalars(sa.select(SurveyInvitation.code_hash)).all()
        assert not any(code.replace("-", "") in stored for code in codes)
    prefilled = desk.client.get(f"/s/{desk.token}?code={codes[0]}").get_data(as_text=True)
    assert f'value="{codes[0]}"' in prefilled
    # One community centre's address: residents with codes are not held back by each other.
    for code in codes[:2]:
        assert desk.answer(ALL_FIVES, code=code.lower().replace("-", " ")).status_code == 302
    again = desk.answer(ALL_FIVES, address="10.1.1.1", code=codes[0])
    assert again.status_code == 422 and b"has been used already" in again.data
    with desk.app.app_context():
        rows = db.session.scalars(sa.select(SurveyResponse)).all()
        assert [r.verified for r in rows] == [True, True]
    assert "3 codes printed, 2 used." in desk.page()


def test_a_wrong_code_stores_nothing_and_counts_against_the_address(desk: SurveyDesk) -> None:
    desk.app.config["SURVEY_LIMIT_PER_ADDRESS"] = "2 per hour"
    tries = [desk.answer(ALL_FIVES, code=f"ABCDE-FGH{n}J").status_code for n in range(3)]
    assert tries == [422, 422, 429]
    assert desk.responses() == 0
    blank = desk.answer(ALL_FIVES, address="10.2.2.2", code=" - ")
    assert blank.status_code == 302
    assert desk.api_survey()["unverified_responses"] == 1


def test_an_empty_answer_is_refused_online_on_paper_and_through_the_api(desk: SurveyDesk) -> None:
    desk.print_forms(2)
    online = desk.answer({})
    assert online.status_code == 422 and b"empty questionnaire is not counted" in online.data
    paper = desk.paper({})
    assert paper.status_code == 422 and b"empty questionnaire is not counted" in paper.data
    api = desk.paper_api({})
    assert api.status_code == 422 and "answers" in api.get_json()["errors"]
    assert desk.responses() == 0


@pytest.mark.parametrize(("answers", "flagged"), [(20, False), (21, True)])
def test_a_burst_of_online_answers_is_flagged_on_the_survey_page_and_in_the_report(
    desk: SurveyDesk, answers: int, flagged: bool
) -> None:
    for n in range(answers):
        assert desk.answer(ALL_FIVES, address=f"10.0.7.{n + 1}").status_code == 302
    assert ("Burst of answers" in desk.page()) is flagged
    assert ("Burst of answers" in desk.report()) is flagged
    busiest = desk.api_survey()["busiest_hour"]
    assert (busiest["online_responses"], busiest["burst"]) == (answers, flagged)


def test_paper_answers_are_audited_and_shown_apart(desk: SurveyDesk) -> None:
    assert "Form no. 3" in desk.print_forms(3)
    assert desk.answer(ALL_FIVES).status_code == 302
    assert desk.paper(PAPER_FIVE).status_code == 302
    api = desk.paper_api({FIRST: 1})
    assert api.status_code == 201 and api.get_json()["paper_responses"] == 2
    with desk.app.app_context():
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
    survey = desk.api_survey()
    assert (survey["online_responses"], survey["paper_responses"]) == (1, 2)
    assert survey["paper_forms_printed"] == 3
    assert "2 of 3 printed forms typed in." in desk.page()
    report = desk.report()
    assert "Paper, typed in by the city (3 forms printed)" in report
    assert "Most answers were typed in by the city from paper" in report


def test_paper_after_the_survey_closes_is_refused(desk: SurveyDesk) -> None:
    desk.print_forms(5)
    desk.close()
    web = desk.paper(PAPER_FIVE)
    assert web.status_code == 409 and b"can no longer be typed in" in web.data
    api = desk.paper_api({FIRST: 5})
    assert api.status_code == 409 and "closed" in api.get_json()["errors"]["survey"]
    more = desk.client.post(f"{desk.base}/forms", data={"forms-copies": "9"})
    assert more.status_code == 409
    assert "paper questionnaires can no longer be typed in" in desk.page()
    assert desk.responses() == 0


def test_paper_beyond_the_forms_printed_is_refused(desk: SurveyDesk) -> None:
    assert "Every printed form has been typed in" in desk.page()
    assert desk.paper(PAPER_FIVE).status_code == 409
    desk.print_forms(1)
    assert desk.paper(PAPER_FIVE).status_code == 302
    beyond = desk.paper(PAPER_FIVE)
    assert beyond.status_code == 409 and b"Print more from this page" in beyond.data
    api = desk.paper_api({FIRST: 5})
    assert api.status_code == 409 and "print more" in api.get_json()["errors"]["survey"]
    assert desk.responses() == 1


@pytest.mark.parametrize("copies", ["", "0", "501", "abc"])
def test_a_print_run_needs_a_number_from_1_to_500(desk: SurveyDesk, copies: str) -> None:
    for route, name in (("forms", "forms-copies"), ("invitations", "invite-count")):
        page = desk.client.post(f"{desk.base}/{route}", data={name: copies})
        assert page.status_code == 200 and b"field-errors" in page.data
    assert count_rows(desk.app, SurveyInvitation) == 0
    with desk.app.app_context():
        assert db.session.scalars(sa.select(Survey)).one().paper_forms_printed == 0


def test_another_citys_survey_prints_nothing(
    desk: SurveyDesk, make_user: Callable[..., int], login: Callable[..., Any]
) -> None:
    make_user("other@b.example")
    desk.client.post("/logout")
    login("other@b.example")
    assert desk.client.post(f"{desk.base}/forms", data={"forms-copies": "5"}).status_code == 404
    invited = desk.client.post(f"{desk.base}/invitations", data={"invite-count": "5"})
    assert invited.status_code == 404
    assert count_rows(desk.app, SurveyInvitation) == 0


def test_ipv6_clients_share_the_open_link_limit_per_64(desk: SurveyDesk) -> None:
    desk.app.config["SURVEY_LIMIT_PER_ADDRESS"] = "1 per hour"
    sent = [
        desk.answer(ALL_FIVES, address=address).status_code
        for address in ("2001:db8::1", "2001:db8::ffff:2", "2001:db8:0:1::1")
    ]
    assert sent == [302, 429, 302]


def test_paper_answers_sent_at_once_stop_at_the_forms_printed(desk: SurveyDesk) -> None:
    desk.print_forms(2)
    codes = _at_once(desk.app, 6, lambda sender: desk.paper_api({FIRST: 5}, sender))
    assert codes == [201, 201, 409, 409, 409, 409]
    assert desk.responses() == 2


def test_one_code_sent_at_once_from_two_phones_counts_once(desk: SurveyDesk) -> None:
    [code] = desk.invitation_codes(1)
    sent = {**ALL_FIVES, "code": code}
    codes = _at_once(desk.app, 2, lambda sender: sender.post(f"/s/{desk.token}", data=sent))
    assert codes == [302, 422]
    assert desk.responses() == 1


def test_the_open_link_limit_is_shared_by_every_worker_and_kept_over_a_restart(
    desk: SurveyDesk,
) -> None:
    """Each gunicorn worker builds its own app, and a restarted one a new app; with the default
    memory:// store they share the count through the database."""
    desk.app.config["SURVEY_LIMIT_PER_ADDRESS"] = "1 per hour"
    assert desk.answer(ALL_FIVES).status_code == 302
    worker = create_app({**desk.app.config, "RATELIMIT_STORAGE_URI": "memory://"})
    sent = worker.test_client().post(
        f"/s/{desk.token}", data=ALL_FIVES, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert sent.status_code == 429
    with worker.app_context():
        db.engine.dispose()
    assert desk.responses() == 1
