"""API tokens one at a time: a client revokes the token it holds, a person lists theirs (never
the secret) and revokes any of them from the tokens page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import ApiToken, AuditEvent
from tests.conftest import OFFICIAL, bearer


def token_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ApiToken.id).order_by(ApiToken.id)))


def test_a_client_revokes_the_token_it_holds_and_no_other(
    app: Flask, client: FlaskClient, official_account: int, api_token: Callable[..., str]
) -> None:
    kept, revoked = api_token(OFFICIAL), api_token(OFFICIAL)
    answer = client.delete("/api/v1/tokens/current", headers=bearer(revoked))
    assert answer.status_code == 204 and answer.data == b""
    assert client.get("/api/v1/assessments", headers=bearer(revoked)).status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/assessments", headers=bearer(kept)).status_code == 200
    with app.app_context():
        logged = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert logged is not None and (logged.action, logged.detail) == ("sign_out", "api")


def test_the_tokens_page_lists_ones_own_tokens_without_their_secrets(
    app: Flask,
    client: FlaskClient,
    official: int,
    api_token: Callable[..., str],
    make_user: Callable[..., int],
) -> None:
    mine = api_token(OFFICIAL)
    make_user("other@b.example")
    api_token("other@b.example")
    page = client.get("/account/tokens").get_data(as_text=True)
    own, others = token_ids(app)
    assert f"/account/tokens/{own}/revoke" in page
    assert f"/account/tokens/{others}/revoke" not in page
    assert mine not in page
    assert page.count("the token created") == 1  # each button says which token it revokes
    assert page.count("the token created") == 1  # each button says which token it revokes
    assert "Sign out everywhere" in page
    assert 'href="/account/tokens"' in client.get("/account/password").get_data(as_text=True)


def test_revoking_a_token_on_the_page_ends_it_alone(
    app: Flask, client: FlaskClient, official: int, api_token: Callable[..., str]
) -> None:
    revoked, kept = api_token(OFFICIAL), api_token(OFFICIAL)
    first, _ = token_ids(app)
    answer = client.post(f"/account/tokens/{first}/revoke")
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/tokens"
    assert "The API token is revoked." in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/assessments", headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/assessments", headers=bearer(kept)).status_code == 200


def test_another_users_token_is_a_404_and_stays(
    app: Flask,
    client: FlaskClient,
    official: int,
    api_token: Callable[..., str],
    make_user: Callable[..., int],
) -> None:
    make_user("other@b.example")
    theirs = api_token("other@b.example")
    (their_id,) = token_ids(app)
    assert client.post(f"/account/tokens/{their_id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert client.get("/api/v1/assessments", headers=bearer(theirs)).status_code == 200


def test_revoking_needs_a_csrf_token(
    app: Flask, client: FlaskClient, official: int, api_token: Callable[..., str]
) -> None:
    token = api_token(OFFICIAL)
    (token_id,) = token_ids(app)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    assert client.get("/api/v1/assessments", headers=bearer(token)).status_code == 200


def test_signing_out_leaves_api_tokens_working(
    client: FlaskClient, official: int, api_token: Callable[..., Any]
) -> None:
    token = api_token(OFFICIAL)
    client.post("/logout")
    assert client.get("/api/v1/assessments", headers=bearer(token)).status_code == 200
