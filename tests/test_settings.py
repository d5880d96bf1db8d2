"""The large-text, high-contrast display: a toggle in the header, kept for the session and user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD

HIGH_CONTRAST = 'class="high-contrast"'


def test_anyone_can_switch_it_on_and_off(client: FlaskClient) -> None:
    assert HIGH_CONTRAST not in client.get("/login").get_data(as_text=True)
    response = client.post("/settings/display", data={"next": "/login?lang=zh"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?lang=zh"
    page = client.get("/login").get_data(as_text=True)
    assert HIGH_CONTRAST in page
    assert 'aria-pressed="true"' in page
    client.post("/settings/display", data={"next": "/login"})
    assert HIGH_CONTRAST not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:x", ""]
)
def test_it_only_sends_back_to_a_page_of_this_site(client: FlaskClient, target: str) -> None:
    response = client.post("/settings/display", data={"next": target})
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_choice_follows_them_to_another_device(
    app: Flask, make_user: Callable[..., int]
) -> None:
    # Plain clients: pytest-flask's `client` keeps its last request context, which another
    # client's requests would then share.
    user_id = make_user("official@a.example")
    first, other = app.test_client(), app.test_client()
    first.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    first.post("/settings/display", data={"next": "/assessments"})
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and user.high_contrast
    assert HIGH_CONTRAST not in other.get("/login").get_data(as_text=True)
    other.post("/login", data={"email": "official@a.example", "password": PASSWORD})
    assert HIGH_CONTRAST in other.get("/assessments").get_data(as_text=True)


def test_a_choice_made_before_signing_in_is_saved_on_the_account(
    app: Flask, client: FlaskClient, make_user: Callable[..., int], login: Callable[..., Any]
) -> None:
    user_id = make_user("official@a.example")
    client.post("/settings/display", data={"next": "/login"})
    login("official@a.example")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and user.high_contrast


def test_the_toggle_needs_a_csrf_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    assert app.test_client().post("/settings/display").status_code == 400
