"""A new round can start from the city's previous one: every answer copied and marked for
confirmation, listed on the review page until confirmed, and asked about at submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content, db
from app.models import Answer, Assessment
from tests.conftest import bearer, count_rows, get_assessment


def newest(app: Flask) -> Assessment:
    with app.app_context():
        found = db.session.scalar(sa.select(Assessment.id).order_by(Assessment.id.desc()))
        assert found is not None
    return get_assessment(app, found)


def test_answers_are_carried_over_listed_and_asked_about(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    previous = make_assessment(official, level="4", submit=True)
    started = client.post("/assessments/new", data={"carry_over": "y"}, follow_redirects=True)
    assert "carried over from the previous round" in started.get_data(as_text=True)
    draft = newest(app)
    assert draft.id != previous
    assert draft.answer_values() == get_assessment(app, previous).answer_values()
    assert all(a.carried_over for a in draft.answers)

    review = client.get(f"/assessments/{draft.id}/review").get_data(as_text=True)
    assert "carried over, please confirm" in review

    refused = client.post(f"/assessments/{draft.id}/submit", follow_redirects=True)
    assert "not confirmed yet" in refused.get_data(as_text=True)
    assert get_assessment(app, draft.id).status == "draft"

    # Saving a page confirms the answers on it.
    area = {f"q-{a.question_id.replace('.', '-')}": a.value for a in draft.answers}
    planning = {k: v for k, v in area.items() if k.startswith("q-planning")}
    client.post(f"/assessments/{draft.id}/areas/planning", data={**planning, "save": "1"})
    confirmed = get_assessment(app, draft.id)
    assert not any(
        a.carried_over for a in confirmed.answers if a.question_id.startswith("planning.")
    )
    assert any(a.carried_over for a in confirmed.answers)

    submitted = client.post(f"/assessments/{draft.id}/submit", data={"confirm_carried_over": "y"})
    assert submitted.status_code == 302
    assert get_assessment(app, draft.id).status == "submitted"


def test_without_a_finished_round_nothing_is_carried_over(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    make_assessment(official, level="3")  # a draft is not a previous round
    started = client.post("/assessments/new", data={"carry_over": "y"}, follow_redirects=True)
    assert "no finished previous round" in started.get_data(as_text=True)
    assert newest(app).answers == []


QUESTION = "planning.top_level_design"


def file(client: FlaskClient, token: str, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/assessments", headers=bearer(token), json=body)


def test_the_api_carries_over_confirms_and_asks_at_submission(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_assessment: Callable[..., int],
) -> None:
    previous = make_assessment(official_account, level="4", submit=True)
    questions = [q.id for q in content.current.questions()]
    started = file(
        client, official_token, {"carry_over": True, "answers": {QUESTION: {"value": "2"}}}
    )
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["status"] == "draft" and body["id"] != previous
    assert body["carried_over_count"] == len(questions)
    given = body["answers"][QUESTION]
    assert given["value"] == "2" and not given["carried_over"]
    other = "planning.coordination"
    assert body["answers"][other]["value"] == "4" and body["answers"][other]["carried_over"]
    draft = body["id"]

    def confirm(question_id: str) -> Any:
        return client.post(
            f"/api/v1/assessments/{draft}/answers/{question_id}/confirmation",
            headers=bearer(official_token),
        )

    confirmed = confirm(other)
    assert confirmed.status_code == 200
    remaining = confirmed.get_json()["unconfirmed_carried_over"]
    assert other not in remaining and QUESTION not in remaining
    assert len(remaining) == len(questions) - 2
    assert not get_assessment(app, draft).answer_for(other).carried_over  # type: ignore[union-attr]
    assert confirm(QUESTION).status_code == 200  # given anew: already confirmed
    assert confirm("planning.nope").status_code == 404

    submit = f"/api/v1/assessments/{draft}/submission"
    asked = client.post(submit, headers=bearer(official_token))
    assert asked.status_code == 409
    assert asked.get_json()["errors"]["carried_over"] == remaining
    assert get_assessment(app, draft).status == "draft"
    done = client.post(submit, headers=bearer(official_token), json={"confirm_carried_over": True})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "submitted"
    assert get_assessment(app, draft).status == "submitted"
    assert confirm(other).status_code == 409
    assert client.post(submit, headers=bearer(official_token)).status_code == 409


def test_the_api_files_a_carried_over_round_submitted_only_when_confirmed(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_assessment: Callable[..., int],
) -> None:
    make_assessment(official_account, level="4", submit=True)
    before = count_rows(app, Assessment), count_rows(app, Answer)
    body = {"carry_over": True, "submit": True, "answers": {QUESTION: {"value": "2"}}}
    asked = file(client, official_token, body)
    assert asked.status_code == 409
    errors = asked.get_json()["errors"]
    assert QUESTION not in errors["carried_over"] and "confirm_carried_over" in errors
    assert (count_rows(app, Assessment), count_rows(app, Answer)) == before

    filed = file(client, official_token, {**body, "confirm_carried_over": True})
    assert filed.status_code == 201, filed.get_json()
    assert filed.get_json()["status"] == "submitted"
    assert filed.get_json()["scores"]["overall"] is not None


def test_the_api_refuses_to_carry_over_nothing_and_another_citys_drafts_are_404(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    make_assessment(official_account, level="3")  # a draft is not a previous round
    before = count_rows(app, Assessment), count_rows(app, Answer)
    refused = file(client, official_token, {"carry_over": True})
    assert refused.status_code == 422
    assert "no finished" in refused.get_json()["errors"]["carry_over"]
    for flag in ("carry_over", "confirm_carried_over"):
        wrong = file(client, official_token, {flag: "yes"})
        assert wrong.status_code == 422 and flag in wrong.get_json()["errors"]
    assert (count_rows(app, Assessment), count_rows(app, Answer)) == before

    theirs = make_assessment(make_user("official@b.example"), level="3")
    for path in (f"answers/{QUESTION}/confirmation", "submission"):
        response = client.post(
            f"/api/v1/assessments/{theirs}/{path}",
            headers=bearer(official_token),
            json={"confirm_carried_over": True},
        )
        assert response.status_code == 404, path
    assert get_assessment(app, theirs).status == "draft"


def test_the_api_submission_lists_the_unanswered_questions(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_assessment: Callable[..., int],
) -> None:
    empty = make_assessment(official_account, level=None)
    refused = client.post(
        f"/api/v1/assessments/{empty}/submission", headers=bearer(official_token), json={}
    )
    assert refused.status_code == 422
    assert len(refused.get_json()["errors"]["unanswered"]) == len(list(content.current.questions()))
    assert get_assessment(app, empty).status == "draft"
    not_json = client.post(
        f"/api/v1/assessments/{empty}/submission",
        headers=bearer(official_token),
        data=b"[",
        content_type="application/json",
    )
    assert not_json.status_code == 400


def test_a_draft_carried_over_on_the_page_is_confirmed_through_the_api(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    make_assessment: Callable[..., int],
) -> None:
    make_assessment(official, level="4", submit=True)
    client.post("/assessments/new", data={"carry_over": "y"})
    draft = newest(app)
    client.post(
        f"/api/v1/assessments/{draft.id}/answers/{QUESTION}/confirmation",
        headers=bearer(official_token),
    )
    review = client.get(f"/assessments/{draft.id}/review").get_data(as_text=True)
    listed = len(draft.answers) - 1
    assert f"{listed} answers carried over, please confirm" in review
