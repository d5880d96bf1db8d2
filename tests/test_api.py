"""The JSON API v1 contract: tokens, the questionnaire, filing and reading assessments."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.core.questionnaire import PAPER_SECTIONS
from app.extensions import content
from app.models import Answer, Assessment
from tests.conftest import PASSWORD, bearer, count_rows


def all_answers(app: Flask, value: str = "3") -> dict[str, dict[str, str]]:
    with app.app_context():
        return {q.id: {"value": value} for q in content.current.questions()}


def test_token_needs_basic_credentials(client: FlaskClient, make_user: Callable[..., int]) -> None:
    make_user("official@a.example")
    wrong = base64.b64encode(b"official@a.example:nope").decode()
    for headers in ({}, {"Authorization": f"Basic {wrong}"}, {"Authorization": "Bearer x"}):
        response = client.post("/api/v1/tokens", headers=headers)
        assert response.status_code == 401
        assert "errors" in response.get_json()


def test_a_deactivated_users_token_stops_working(
    app: Flask, client: FlaskClient, make_user: Callable[..., int], api_token: Callable[..., str]
) -> None:
    user_id = make_user("official@a.example")
    token = api_token("official@a.example")
    assert client.get("/api/v1/assessments", headers=bearer(token)).status_code == 200
    with app.app_context():
        from app.extensions import db
        from app.models import User

        user = db.session.get(User, user_id)
        assert user is not None
        user.active = False
        db.session.commit()
    assert client.get("/api/v1/assessments", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Token abc"])
def test_calls_without_a_valid_token_are_401_json(client: FlaskClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, url in (
        ("get", "/api/v1/assessments"),
        ("post", "/api/v1/assessments"),
        ("get", "/api/v1/assessments/1"),
    ):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401
        assert response.is_json and "errors" in response.get_json()


def test_questionnaire_is_public_and_follows_the_contract(client: FlaskClient) -> None:
    body = client.get("/api/v1/questionnaire").get_json()
    assert body["version"]
    assert [a["id"] for a in body["areas"]] == ["planning", "environment", "participation"]
    for area in body["areas"]:
        assert {"id", "title", "paper_section", "weight", "questions"} <= set(area)
        for question in area["questions"]:
            assert {"id", "text", "help", "paper_section", "weight", "options"} <= set(question)
            kinds = [o["kind"] for o in question["options"]]
            assert kinds[:5] == ["level"] * 5 and "dont_know" in kinds
            levels = [o["score"] for o in question["options"] if o["kind"] == "level"]
            assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == 1
            for option in question["options"]:
                assert isinstance(option["value"], str) and isinstance(option["label"], str)
                if option["kind"] == "dont_know":
                    assert option["score"] == 0
                if option["kind"] == "not_applicable":
                    assert option["score"] is None


def test_questionnaire_in_chinese(client: FlaskClient) -> None:
    body = client.get("/api/v1/questionnaire?lang=zh").get_json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["areas"][0]["title"])


def test_questions_name_their_gb_t_33356_indicators_and_ladder_sections(
    client: FlaskClient,
) -> None:
    body = client.get("/api/v1/questionnaire").get_json()
    questions = {q["id"]: q for area in body["areas"] for q in area["questions"]}
    assert questions["planning.information_infrastructure"]["standards"] == ["L4"]
    assert questions["planning.local_positioning"]["standards"] == []
    assert questions["environment.green_energy_transport"]["paper_section"] == "2.3"
    assert questions["planning.top_level_design"]["ladder_sections"] == ["4.1"]


def test_file_a_complete_assessment_and_read_it_back(
    app: Flask, client: FlaskClient, official_token: str
) -> None:
    answers = all_answers(app, "2")
    first = next(iter(answers))
    answers[first] = {"value": "dont_know", "comment": "Ask the data bureau 数据局"}
    response = client.post(
        "/api/v1/assessments",
        json={"answers": answers, "submit": True},
        headers=bearer(official_token),
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created["status"] == "submitted"
    assert created["submitted_at"]
    assert created["answers"][first] == {
        "value": "dont_know",
        "comment": "Ask the data bureau 数据局",
        "confidence": None,
        "evidence": "",
        "standards": ["L7"],
        "carried_over": False,
        "verification": {
            "status": "unverified",
            "value": None,
            "reason": "",
            "by": None,
            "at": None,
        },
    }
    assert set(created["scores"]["areas"]) == {"planning", "environment", "participation"}
    assert created["scores"]["overall"] == round(created["scores"]["overall"], 1)
    assert created["level"]["number"] == 2 and created["level"]["name"]
    priorities = [c["priority"] for c in created["countermeasures"]]
    assert priorities and priorities == sorted(priorities, reverse=True)
    for cm in created["countermeasures"]:
        assert {
            "id",
            "area",
            "paper_section",
            "title",
            "description",
            "priority",
            "questions",
        } <= set(cm)
        assert cm["paper_section"] in PAPER_SECTIONS
    fetched = client.get(
        f"/api/v1/assessments/{created['id']}", headers=bearer(official_token)
    ).get_json()
    assert fetched == created


def test_a_draft_may_be_partial(app: Flask, client: FlaskClient, official_token: str) -> None:
    first = next(iter(all_answers(app)))
    response = client.post(
        "/api/v1/assessments",
        json={"answers": {first: {"value": "4"}}},
        headers=bearer(official_token),
    )
    assert response.status_code == 201
    assert response.get_json()["status"] == "draft"
    assert response.get_json()["submitted_at"] is None


def _first_question(app: Flask) -> str:
    return next(iter(all_answers(app)))


BAD_BODIES: list[tuple[str, Callable[[Flask], Any], int]] = [
    ("unknown question", lambda app: {"answers": {"planning.nope": {"value": "3"}}}, 422),
    ("value not an option", lambda app: {"answers": {_first_question(app): {"value": "6"}}}, 422),
    ("value not a string", lambda app: {"answers": {_first_question(app): {"value": 3}}}, 422),
    ("answer not an object", lambda app: {"answers": {_first_question(app): "3"}}, 422),
    ("answers not an object", lambda app: {"answers": ["3"]}, 422),
    (
        "comment not a string",
        lambda app: {"answers": {_first_question(app): {"value": "3", "comment": 5}}},
        422,
    ),
    (
        "comment too long",
        lambda app: {"answers": {_first_question(app): {"value": "3", "comment": "x" * 5001}}},
        422,
    ),
    (
        "comment with NUL",
        lambda app: {"answers": {_first_question(app): {"value": "3", "comment": "a\x00b"}}},
        400,
    ),
    ("submit not a bool", lambda app: {"answers": {}, "submit": "yes"}, 422),
    (
        "submit incomplete",
        lambda app: {"answers": {_first_question(app): {"value": "3"}}, "submit": True},
        422,
    ),
    ("body a list", lambda app: [1, 2], 400),
    ("body a string", lambda app: "hello", 400),
]


@pytest.mark.parametrize(
    ("case", "make_body", "status"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
def test_bad_bodies_are_refused_and_nothing_is_stored(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    case: str,
    make_body: Callable[[Flask], Any],
    status: int,
) -> None:
    response = client.post(
        "/api/v1/assessments", json=make_body(app), headers=bearer(official_token)
    )
    assert response.status_code == status, response.get_json()
    assert "errors" in response.get_json()
    assert count_rows(app, Assessment) == 0
    assert count_rows(app, Answer) == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("answers=1", "application/x-www-form-urlencoded"),
        ("", "application/json"),
    ],
)
def test_bodies_that_are_not_json_are_400(
    app: Flask, client: FlaskClient, official_token: str, data: str, content_type: str
) -> None:
    response = client.post(
        "/api/v1/assessments", data=data, content_type=content_type, headers=bearer(official_token)
    )
    assert response.status_code == 400
    assert "errors" in response.get_json()
    assert count_rows(app, Assessment) == 0


def test_an_official_always_files_for_their_own_city(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_city: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    other_city = make_city("Elsewhere")
    make_user("official@a.example")
    token = api_token("official@a.example")
    response = client.post(
        "/api/v1/assessments", json={"answers": {}, "city_id": other_city}, headers=bearer(token)
    )
    assert response.status_code == 201
    assert response.get_json()["city"]["id"] != other_city


def test_admins_must_name_an_existing_city(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_city: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    city_id = make_city("深圳 Shenzhen")
    make_user("admin@x.example", role="admin")
    token = api_token("admin@x.example")
    for body in ({"answers": {}}, {"answers": {}, "city_id": 999}, {"answers": {}, "city_id": "1"}):
        response = client.post("/api/v1/assessments", json=body, headers=bearer(token))
        assert response.status_code == 422
        assert "city_id" in response.get_json()["errors"]
    response = client.post(
        "/api/v1/assessments", json={"answers": {}, "city_id": city_id}, headers=bearer(token)
    )
    assert response.status_code == 201
    assert response.get_json()["city"] == {
        "id": city_id,
        "name": "深圳 Shenzhen",
        "province": None,
        "tier": None,
    }


def test_list_is_paginated_and_limited_to_my_city(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    mine = make_user("official@a.example")
    theirs = make_user("official@b.example")
    for _ in range(3):
        make_assessment(mine, "3")
    make_assessment(theirs, "3")
    token = api_token("official@a.example")
    body = client.get("/api/v1/assessments?per_page=2&page=2", headers=bearer(token)).get_json()
    assert body["total"] == 3 and body["page"] == 2 and len(body["items"]) == 1
    make_user("admin@x.example", role="admin")
    admin = api_token("admin@x.example")
    assert client.get("/api/v1/assessments", headers=bearer(admin)).get_json()["total"] == 4


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=101", "page=-1"])
def test_bad_paging_is_400(client: FlaskClient, official_token: str, query: str) -> None:
    response = client.get(f"/api/v1/assessments?{query}", headers=bearer(official_token))
    assert response.status_code == 400
    assert "errors" in response.get_json()


def test_another_citys_assessment_is_404(
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    make_user("official@a.example")
    theirs = make_assessment(make_user("official@b.example"), "3", submit=True)
    token = api_token("official@a.example")
    response = client.get(f"/api/v1/assessments/{theirs}", headers=bearer(token))
    assert response.status_code == 404
    assert response.is_json


def test_unknown_api_url_is_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json


def test_basic_login_is_case_insensitive_on_email(
    client: FlaskClient, make_user: Callable[..., int]
) -> None:
    make_user("official@a.example")
    credentials = base64.b64encode(f"Official@A.example:{PASSWORD}".encode()).decode()
    response = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {credentials}"})
    assert response.status_code == 200


def test_version_is_public_and_matches_the_package(client: FlaskClient) -> None:
    from importlib.metadata import version

    body = client.get("/api/v1/version").get_json()
    assert body["version"] == version("cityready")
    assert (
        body["questionnaire_version"] == client.get("/api/v1/questionnaire").get_json()["version"]
    )


def test_the_footer_shows_the_version(client: FlaskClient) -> None:
    from importlib.metadata import version

    assert f"CityReady {version('cityready')}".encode() in client.get("/login").data
