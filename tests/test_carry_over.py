"""A new round can start from the city's previous one: every answer copied and marked for
confirmation, listed on the review page until confirmed, and asked about at submission."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Assessment
from tests.conftest import get_assessment


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
