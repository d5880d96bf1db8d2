"""Every /admin route, found in the URL map, as a visitor, an official and an admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app import create_app

# What an admin gets where a bare request is not a plain 200 page.
ADMIN_EXPECTED: dict[tuple[str, str], set[int]] = {
    # Without ids there is nothing to compare: a page saying so.
    ("admin.compare", "GET"): {400},
}


def _admin_rules() -> list[tuple[str, str]]:
    """(endpoint, method) of every /admin route, read from an app's URL map."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules: list[Rule] = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    return sorted(
        (rule.endpoint, method)
        for rule in rules
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


ADMIN_ROUTES = _admin_rules()


def test_the_admin_area_has_routes() -> None:
    assert len(ADMIN_ROUTES) >= 3
    assert all(endpoint.startswith("admin.") for endpoint, _ in ADMIN_ROUTES)


@pytest.fixture
def url_for_route(
    app: Flask, make_user: Callable[..., int], make_assessment: Callable[..., int]
) -> Callable[[str], str]:
    official = make_user("official@a.example")
    make_user("admin@x.example", role="admin")
    values = {
        "assessment_id": make_assessment(official, "3", submit=True),
        "user_id": official,
        "question_id": "planning.top_level_design",
    }

    def build(endpoint: str) -> str:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        adapter = app.url_map.bind("localhost")
        return adapter.build(endpoint, {name: values[name] for name in rule.arguments})

    return build


ROLES = {"visitor": None, "official": "official@a.example", "admin": "admin@x.example"}


def _expected(role: str, endpoint: str, method: str) -> set[int]:
    if role == "visitor":
        return {302}
    if role == "official":
        return {403}
    return ADMIN_EXPECTED.get((endpoint, method), {200} if method == "GET" else {200, 302})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), ADMIN_ROUTES)
def test_every_admin_route_by_role(
    client: FlaskClient,
    login: Callable[..., Any],
    url_for_route: Callable[[str], str],
    role: str,
    endpoint: str,
    method: str,
) -> None:
    url = url_for_route(endpoint)
    if (email := ROLES[role]) is not None:
        login(email)
    response = client.open(url, method=method, data={})
    assert response.status_code in _expected(role, endpoint, method), (url, response.status_code)
    if role == "visitor":
        assert response.headers["Location"].startswith("/login?next=")
