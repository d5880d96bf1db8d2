"""The published OpenAPI description covers every /api/v1 route, and the input guard holds."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.api.openapi import PATHS, SCHEMAS, openapi_document
from app.extensions import content
from app.models import Answer, Assessment
from app.web.input_guard import MAX_ID
from tests.conftest import bearer, count_rows

API_PREFIX = "/api/v1"


def api_operations(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /api/v1 route in the URL map."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX) :])
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def described_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in PATHS.items() for method in item}


def test_every_api_route_is_described_and_nothing_else() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = api_operations(app)
    missing = routes - described_operations()
    assert not missing, f"describe these in app/api/openapi.py: {sorted(missing)}"
    assert not described_operations() - routes, "described but not routed"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_reference_resolves_and_every_error_is_the_error_schema() -> None:
    document = openapi_document("test", "/api/v1")
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in SCHEMAS
    for item in PATHS.values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                if code.startswith("4") or code.startswith("5"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
            for param in operation["parameters"]:
                assert param["in"] != "path" or param["required"]


def test_the_document_is_served_as_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["openapi"] == "3.1.0"
    assert body["servers"] == [{"url": "/api/v1"}]
    assert set(body["paths"]) == set(PATHS)
    assert body["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def _first_question(app: Flask) -> str:
    with app.app_context():
        return next(iter(content.current.questions())).id


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ('{"answers": {"QID": {"value": "3", "comment": "a\\u0000"}}}', "body.answers.QID.comment"),
        ('{"answers": {"QID": {"evidence": "\\ud800"}}}', "body.answers.QID.evidence"),
        ('{"answers": {"QID": {"value": "3"}}, "x\\udfff": 1}', "body"),
        ('{"answers": {}, "list": ["ok", "\\udc00"]}', "body.list[1]"),
    ],
)
def test_unstorable_text_in_a_json_body_is_400_naming_it(
    app: Flask, client: FlaskClient, official_token: str, raw: str, where: str
) -> None:
    data = raw.replace("QID", _first_question(app))
    response = client.post(
        "/api/v1/assessments",
        data=data,
        content_type="application/json",
        headers=bearer(official_token),
    )
    assert response.status_code == 400
    assert where.replace("QID", _first_question(app)) in response.get_json()["errors"]
    assert count_rows(app, Assessment) == 0 and count_rows(app, Answer) == 0


def test_a_deeply_nested_body_is_400_not_a_crash(client: FlaskClient, official_token: str) -> None:
    for depth in (40, 100_000):
        data = "[" * depth + "]" * depth
        response = client.post(
            "/api/v1/assessments",
            data=data,
            content_type="application/json",
            headers=bearer(official_token),
        )
        assert response.status_code == 400, depth
        assert any("nest" in message for message in response.get_json()["errors"].values())


def test_unstorable_basic_credentials_are_400(client: FlaskClient) -> None:
    credentials = base64.b64encode(b"a\x00@b.example:pw").decode()
    response = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {credentials}"})
    assert response.status_code == 400
    assert "auth" in response.get_json()["errors"]


@pytest.mark.parametrize("query", ["lang=%00", "lang=%ED%A0%80", "page=%FF"])
def test_a_query_string_that_is_not_storable_text_is_400(
    client: FlaskClient, official_token: str, query: str
) -> None:
    api = client.get(f"/api/v1/assessments?{query}", headers=bearer(official_token))
    assert api.status_code == 400 and "query" in api.get_json()["errors"]
    assert client.get(f"/login?{query}").status_code == 400


def test_a_form_body_that_is_not_utf8_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/login", data=b"email=%ED%A0%80", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("big", [MAX_ID + 1, 10**20])
def test_ids_beyond_the_integer_range_are_404(
    client: FlaskClient, official_token: str, login: Callable[..., Any], big: int
) -> None:
    for url in (f"/api/v1/assessments/{big}", f"/api/v1/assessments/{big}/report.pdf"):
        response = client.get(url, headers=bearer(official_token))
        assert response.status_code == 404 and "errors" in response.get_json()
    response = client.patch(f"/api/v1/actions/{big}", json={}, headers=bearer(official_token))
    assert response.status_code == 404
    login("official@a.example")
    assert client.get(f"/assessments/{big}/report").status_code == 404


def test_a_nul_in_a_page_field_is_pointed_out_beside_it(
    app: Flask, client: FlaskClient, draft_area_url: str
) -> None:
    field = "q-" + _first_question(app).replace(".", "-") + "-comment"
    response = client.post(draft_area_url, data={field: "a\x00b", "save": "Save draft"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "control character (NUL)" in page
    assert count_rows(app, Answer) == 0


@pytest.mark.parametrize("city_id", [0, -1, MAX_ID + 1, 2**63, 10**30])
def test_an_admins_city_id_beyond_the_integer_range_is_422(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
    city_id: int,
) -> None:
    make_user("admin@x.example", role="admin")
    body = {"city_id": city_id, "answers": {}}
    response = client.post(
        "/api/v1/assessments", json=body, headers=bearer(api_token("admin@x.example"))
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["city_id"] == "no such city"
    assert count_rows(app, Assessment) == 0
