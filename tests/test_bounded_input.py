"""Odd and oversized input gets a clear 4xx before anything reads it in full, with CSRF on as in
production: never a 500, never a truncated download, never a value no database can store."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.api.validation import MAX_LISTED_PROBLEMS
from tests.conftest import OFFICIAL, PASSWORD, bearer

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
