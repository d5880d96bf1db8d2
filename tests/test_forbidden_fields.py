"""Fields a caller must not set — another city, the status, the scores, the author, the source —
are ignored (or refused) by every API route that creates or changes something and by the forms.

The pages are driven as a browser drives them, with CSRF on: each form is fetched, and its token
sent back with the extra fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.assessments.scores import report_snapshot
from app.extensions import content, db
from app.models import ActionItem, Assessment, Department, Survey, Target
from tests.conftest import PASSWORD, bearer, count_rows, get_assessment

# What a body or a form may try to slip in, beside the fields it is meant to send.
FORBIDDEN = {
    "id": 999,
    "city_id": "CITY_B",
    "city": "CITY_B",
    "status": "approved",
    "overall_score": 100.0,
    "scores": {"overall": 100.0},
    "level": 5,
    "score_snapshot": {"overall": 100.0},
    "author_id": "ADMIN",
    "author": "ADMIN",
    "source": "paper",
    "paper_form_id": "X-1",
    "submitted_at": "2020-01-01T00:00:00+00:00",
    "assessment_id": "OTHER_ASSESSMENT",
    "token": "chosen-token",
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def world(
    app: Flask,
    make_city: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> dict[str, int]:
    city_a, city_b = make_city("City A"), make_city("City B")
    official = make_user("official@a.example", city_id=city_a)
    other = make_user("official@b.example", city_id=city_b)
    admin = make_user("admin@x.example", role="admin")
    return {
        "CITY_A": city_a,
        "CITY_B": city_b,
        "OFFICIAL": official,
        "ADMIN": admin,
        "OTHER_ASSESSMENT": make_assessment(other, "4", submit=True),
    }


def forbidden(world: dict[str, int]) -> dict[str, Any]:
    return {k: world.get(v, v) if isinstance(v, str) else v for k, v in FORBIDDEN.items()}


def as_form(fields: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in fields.items() if not isinstance(v, dict)}


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page.get_data(True))
    assert found, url
    return found.group(1)


def sign_in(client: FlaskClient, email: str) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def only_assessment(app: Flask) -> Assessment:
    with app.app_context():
        found = db.session.scalars(
            sa.select(Assessment).where(Assessment.paper_form_id.is_(None)).order_by(Assessment.id)
        ).all()
        newest = found[-1]
    return get_assessment(app, newest.id)


def assert_honest(app: Flask, assessment: Assessment, world: dict[str, int], source: str) -> None:
    assert assessment.city_id == world["CITY_A"]
    assert assessment.author_id == world["OFFICIAL"]
    assert assessment.status == "draft"
    assert assessment.source == source and assessment.paper_form_id is None
    assert assessment.overall_score is None and assessment.submitted_at is None
    assert assessment.id != 999


# --- The API --------------------------------------------------------------------------------


@pytest.fixture
def city_a_token(world: dict[str, int], api_token: Callable[..., str]) -> str:
    """An API token of the world's official of City A."""
    return api_token("official@a.example")


def test_api_filing_ignores_city_status_scores_author_and_source(
    app: Flask, client: FlaskClient, world: dict[str, int], city_a_token: str
) -> None:
    with app.app_context():
        qid = next(iter(content.current.questions())).id
    body = {**forbidden(world), "answers": {qid: {"value": "2", "author": "ADMIN"}}}
    response = client.post("/api/v1/assessments", json=body, headers=bearer(city_a_token))
    assert response.status_code == 201, response.get_json()
    stored = get_assessment(app, response.get_json()["id"])
    assert_honest(app, stored, world, "api")
    assert stored.answer_values() == {qid: "2"}
    assert response.get_json()["city"]["id"] == world["CITY_A"]


def test_api_filing_by_an_admin_takes_no_status_author_or_source(
    app: Flask, client: FlaskClient, world: dict[str, int], api_token: Callable[..., str]
) -> None:
    token = api_token("admin@x.example")
    body = {**forbidden(world), "city_id": world["CITY_A"], "answers": {}}
    response = client.post("/api/v1/assessments", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    stored = get_assessment(app, response.get_json()["id"])
    assert stored.author_id == world["ADMIN"] and stored.city_id == world["CITY_A"]
    assert (stored.status, stored.source, stored.overall_score) == ("draft", "api", None)


@pytest.fixture
def submitted(world: dict[str, int], make_assessment: Callable[..., int]) -> int:
    return make_assessment(world["OFFICIAL"], "2", submit=True)


def test_api_targets_apply_to_the_callers_city_only(
    app: Flask, client: FlaskClient, world: dict[str, int], city_a_token: str, submitted: int
) -> None:
    url = f"/api/v1/assessments/{submitted}/targets"
    body = {**forbidden(world), "targets": {"planning": 4}}
    assert client.put(url, json=body, headers=bearer(city_a_token)).status_code == 200
    refused = {"targets": {"city_id": world["CITY_B"]}}
    assert client.put(url, json=refused, headers=bearer(city_a_token)).status_code == 422
    with app.app_context():
        rows = db.session.execute(sa.select(Target.city_id, Target.scope, Target.level)).all()
    assert [tuple(r) for r in rows] == [(world["CITY_A"], "planning", 4)]


def test_api_actions_keep_their_assessment_and_countermeasure(
    app: Flask, client: FlaskClient, world: dict[str, int], city_a_token: str, submitted: int
) -> None:
    with app.app_context():
        found = db.session.get(Assessment, submitted)
        assert found is not None
        measures = [cm["id"] for cm in report_snapshot(found)["countermeasures"]]
    # An action's own status (planned, done…) is for the city to set; an assessment's is not.
    body = {**forbidden(world), "countermeasure_id": measures[0], "owner": "Bureau"}
    body.pop("status")
    response = client.post(
        f"/api/v1/assessments/{submitted}/actions", json=body, headers=bearer(city_a_token)
    )
    assert response.status_code == 201, response.get_json()
    action_id = response.get_json()["id"]
    change = {**body, "countermeasure_id": measures[-1], "owner": "Other bureau"}
    response = client.patch(
        f"/api/v1/actions/{action_id}", json=change, headers=bearer(city_a_token)
    )
    assert response.status_code == 200
    with app.app_context():
        item = db.session.get(ActionItem, action_id)
        assert item is not None
        assert (item.assessment_id, item.city_id) == (submitted, world["CITY_A"])
        assert (item.countermeasure_id, item.owner, item.id) == (measures[0], "Other bureau", 1)


def test_api_survey_and_department_keep_their_own_links(
    app: Flask, client: FlaskClient, world: dict[str, int], city_a_token: str, submitted: int
) -> None:
    body = {**forbidden(world), "closes_on": "2999-01-01"}
    url = f"/api/v1/assessments/{submitted}"
    assert client.post(f"{url}/survey", json=body, headers=bearer(city_a_token)).status_code == 201
    body = {**forbidden(world), "name": "Transport bureau"}
    response = client.post(f"{url}/departments", json=body, headers=bearer(city_a_token))
    assert response.status_code == 201
    assert not response.get_json()["link"].endswith("chosen-token")
    with app.app_context():
        survey = db.session.scalars(sa.select(Survey)).one()
        department = db.session.scalars(sa.select(Department)).one()
        assert survey.token != "chosen-token" and survey.assessment_id == submitted
        assert department.assessment_id == submitted


# --- The pages, with CSRF on ----------------------------------------------------------------


def test_a_new_assessment_page_files_for_the_officials_own_city(
    app: Flask, client: FlaskClient, world: dict[str, int]
) -> None:
    sign_in(client, "official@a.example")
    fields = {**as_form(forbidden(world)), "csrf_token": csrf_token(client, "/assessments")}
    assert client.post("/assessments/new", data=fields).status_code == 302
    assert_honest(app, only_assessment(app), world, "web")


def test_an_area_page_saves_answers_and_nothing_else(
    app: Flask,
    client: FlaskClient,
    world: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = make_assessment(world["OFFICIAL"], level=None)
    sign_in(client, "official@a.example")
    url = f"/assessments/{assessment_id}/areas/planning"
    fields = {**as_form(forbidden(world)), "csrf_token": csrf_token(client, url), "save": "1"}
    with app.app_context():
        qid = content.current.areas[0].questions[0].id
    fields["q-" + qid.replace(".", "-")] = "4"
    assert client.post(url, data=fields).status_code == 302
    stored = get_assessment(app, assessment_id)
    assert_honest(app, stored, world, "web")
    assert stored.answer_values() == {qid: "4"}


def test_a_form_without_its_csrf_token_is_refused(
    app: Flask, client: FlaskClient, world: dict[str, int]
) -> None:
    sign_in(client, "official@a.example")
    assert client.post("/assessments/new", data={}).status_code == 400
    assert count_rows(app, Assessment) == 1


def test_the_return_comment_cannot_set_status_or_author(
    app: Flask, client: FlaskClient, world: dict[str, int], make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(world["OFFICIAL"], "3", submit=True)
    sign_in(client, "admin@x.example")
    url = f"/admin/assessments/{assessment_id}"
    fields = {
        **as_form(forbidden(world)),
        "return-comment": "Check the figures.",
        "return-csrf_token": csrf_token(client, url),
    }
    assert client.post(f"{url}/return", data=fields).status_code == 302
    stored = get_assessment(app, assessment_id)
    assert stored.status == "returned" and stored.city_id == world["CITY_A"]
    assert stored.author_id == world["OFFICIAL"] and stored.source == "web"
