"""Odd and oversized input gets a clear 4xx before anything reads it in full, with CSRF on as in
production: never a 500, never a truncated download, never a value no database can store."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.api.validation import MAX_LISTED_PROBLEMS
from app.extensions import db
from app.models import Answer, AuditEvent, City
from tests.conftest import ADMIN, OFFICIAL, PASSWORD, bearer
from tests.test_forbidden_fields import csrf_token, sign_in

TWO_MEGABYTES = 2 * 1024 * 1024


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


def basic(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_an_oversized_json_body_is_413_in_json_before_signing_in(
    client: FlaskClient, official_account: int
) -> None:
    body = json.dumps({"junk": "x" * TWO_MEGABYTES})
    response = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers=basic(OFFICIAL)
    )
    # Right credentials, yet no token: the body was refused before anyone was signed in.
    assert response.status_code == 413
    assert "at most 1048576 bytes" in response.get_json()["errors"]["request"]


def test_an_oversized_form_is_413_before_its_csrf_token_is_checked(client: FlaskClient) -> None:
    response = client.post(
        "/login", data={"email": "x" * TWO_MEGABYTES, "password": "p", "csrf_token": "none"}
    )
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)


def test_a_thousand_unknown_question_ids_get_a_short_error(
    client: FlaskClient, official_token: str
) -> None:
    answers = {f"nowhere.q{n}": {"value": "3"} for n in range(1000)}
    response = client.post(
        "/api/v1/assessments", json={"answers": answers}, headers=bearer(official_token)
    )
    assert response.status_code == 422
    listed = response.get_json()["errors"]["answers"]
    assert len(listed) == MAX_LISTED_PROBLEMS + 1
    assert listed["…"] == f"{1000 - MAX_LISTED_PROBLEMS} more problems not listed"
    assert len(response.get_data()) < 5000
    listing = client.get("/api/v1/assessments", headers=bearer(official_token))
    assert listing.get_json()["total"] == 0


@pytest.fixture
def signed_in_admin(client: FlaskClient, make_user: Callable[..., int]) -> int:
    user_id = make_user(ADMIN, role="admin")
    sign_in(client, ADMIN)
    return user_id


@pytest.mark.parametrize("target", ["/\n", "/assessments\r\nSet-Cookie: x=1", "/\x7f"])
def test_a_line_break_in_next_signs_in_and_goes_home(
    client: FlaskClient, official_account: int, target: str
) -> None:
    fields = {"email": OFFICIAL, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    response = client.post("/login", query_string={"next": target}, data=fields)
    assert response.status_code == 302
    assert response.headers["Location"] == "/assessments"


def test_a_line_break_in_the_display_switch_next_goes_home(client: FlaskClient) -> None:
    fields = {"next": "/\n", "csrf_token": csrf_token(client, "/login")}
    response = client.post("/settings/display", data=fields)
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]


@pytest.mark.parametrize("page", [str(10**19), "1" * 5000, "²", "٣", "0", "-1"])
@pytest.mark.parametrize("path", ["/api/v1/assessments", "/api/v1/admin/assessments"])
def test_an_api_page_beyond_any_integer_or_in_other_digits_is_400(
    client: FlaskClient,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
    path: str,
    page: str,
) -> None:
    make_user(ADMIN, role="admin")
    response = client.get(path, query_string={"page": page}, headers=bearer(api_token(ADMIN)))
    assert response.status_code == 400
    assert "whole number" in response.get_json()["errors"]["page"]


@pytest.mark.parametrize("page", [str(10**19), "1" * 5000, "²"])
def test_the_audit_log_shows_its_first_page_for_an_impossible_page(
    client: FlaskClient, signed_in_admin: int, page: str
) -> None:
    response = client.get("/admin/audit", query_string={"page": page})
    assert response.status_code == 200
    assert "Signed in" in response.get_data(as_text=True)


DATE_MESSAGE = "Give the date as YYYY-MM-DD, for example 2026-03-31; it was left out."


@pytest.mark.parametrize("args", [{"from": "0001-01-01"}, {"to": "9999-12-31"}])
def test_the_first_and_last_days_are_set_aside_on_the_list_and_refused_by_the_exports(
    app: Flask, client: FlaskClient, signed_in_admin: int, args: dict[str, str]
) -> None:
    page = client.get("/admin/assessments", query_string=args)
    assert page.status_code == 200
    assert DATE_MESSAGE in page.get_data(as_text=True)
    download = client.get("/admin/assessments.csv", query_string=args)
    # Not a 200 that breaks off after the header, nor every row instead of the ones asked for.
    assert download.status_code == 400
    assert download.mimetype == "text/html"
    with app.app_context():
        exports = sa.select(sa.func.count()).where(AuditEvent.action == "export")
        assert db.session.scalar(exports) == 0


@pytest.mark.parametrize("args", [{"from": "0001-01-01"}, {"to": "9999-12-31"}])
def test_the_api_export_refuses_the_first_and_last_days(
    client: FlaskClient,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
    args: dict[str, str],
) -> None:
    make_user(ADMIN, role="admin")
    response = client.get(
        "/api/v1/admin/assessments", query_string=args, headers=bearer(api_token(ADMIN))
    )
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == set(args)


@pytest.mark.parametrize("args", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}])
def test_the_audit_log_sets_aside_the_first_and_last_days(
    client: FlaskClient, signed_in_admin: int, args: dict[str, str]
) -> None:
    response = client.get("/admin/audit", query_string=args)
    assert response.status_code == 200
    assert DATE_MESSAGE in response.get_data(as_text=True)


def test_malformed_utf8_in_a_form_field_is_400_with_csrf_on(
    app: Flask, client: FlaskClient, official_account: int, make_assessment: Callable[..., int]
) -> None:
    sign_in(client, OFFICIAL)
    url = f"/assessments/{make_assessment(official_account, level=None)}/areas/planning"
    token = csrf_token(client, url)
    for bad in (b"%ff%fe", b"%ed%a0%80"):
        body = b"csrf_token=" + token.encode() + b"&save=y&q-planning-x-comment=" + bad
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_a_malformed_email_at_sign_in_is_400_not_a_failed_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    token = csrf_token(client, "/login")
    body = f"csrf_token={token}&email=%ff%40x.example&password=p".encode()
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("field", ["new_city", "email"])
def test_a_nul_in_a_new_users_city_or_email_is_pointed_out_and_nothing_stored(
    app: Flask, client: FlaskClient, signed_in_admin: int, field: str
) -> None:
    fields = {
        "email": "new@b.example",
        "role": "official",
        "city": "0",
        "new_city": "New City",
        "csrf_token": csrf_token(client, "/admin/users/new"),
    }
    fields[field] = "A\x00B"
    response = client.post("/admin/users/new", data=fields)
    assert response.status_code == 200
    assert "invisible control character (NUL)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(City.name)).all() == []
