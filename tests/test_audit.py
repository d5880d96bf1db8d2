"""The audit log: one row per audited action with who, where, when and what; admins only read it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.assessments.forms import answer_field_name
from app.extensions import db
from app.models import AUDIT_ACTIONS, AuditEvent, User
from app.platform import audit
from tests.conftest import ADMIN, OFFICIAL, PASSWORD, answers_at, bearer
from tests.test_sessions import basic


@pytest.fixture
def people(make_user: Callable[..., int]) -> dict[str, int]:
    return {"official": make_user(OFFICIAL), "admin": make_user(ADMIN, role="admin")}


def events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return list(rows)


def only_new(app: Flask, before: int) -> AuditEvent:
    """The one event written since there were ``before``; fails if there are more or none."""
    new = events(app)[before:]
    assert len(new) == 1, [(e.action, e.detail) for e in new]
    return new[0]


def city_of(app: Flask, user_id: int) -> int | None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.city_id


def test_every_action_has_a_label() -> None:
    assert set(audit.ACTION_LABELS) == set(AUDIT_ACTIONS)


def test_sign_in_and_sign_out_are_recorded(
    app: Flask, client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    login(OFFICIAL)
    signed_in = only_new(app, 0)
    assert (signed_in.action, signed_in.user_id, signed_in.email) == (
        "sign_in",
        people["official"],
        OFFICIAL,
    )
    assert signed_in.city_id == city_of(app, people["official"])
    assert signed_in.ip == "127.0.0.1"
    assert abs(signed_in.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    client.post("/logout")
    signed_out = only_new(app, 1)
    assert (signed_out.action, signed_out.user_id) == ("sign_out", people["official"])


def test_a_failed_sign_in_keeps_the_email_typed_trimmed_and_lower_case(
    app: Flask, client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    response = login(" Someone@Else.example ", "wrong password")
    assert response.status_code == 200
    failed = only_new(app, 0)
    assert (failed.action, failed.user_id, failed.city_id) == ("sign_in_failed", None, None)
    assert (failed.email, failed.attempts) == ("someone@else.example", 1)
    login(OFFICIAL, "wrong password")
    assert only_new(app, 1).email == OFFICIAL


@pytest.mark.parametrize("app_config", [{"LOGIN_LIMIT_PER_ACCOUNT": "2 per minute"}])
def test_a_throttled_sign_in_is_counted_as_a_failure(
    app: Flask, client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    login(OFFICIAL, "wrong")
    login(OFFICIAL, "wrong")
    assert login(OFFICIAL, PASSWORD).status_code == 429
    assert login(OFFICIAL, PASSWORD).status_code == 429
    failed, throttled = events(app)
    assert (failed.email, failed.detail, failed.attempts) == (OFFICIAL, "", 2)
    # Refusals name no account: typing a new one each time writes no new rows.
    assert (throttled.email, throttled.detail, throttled.attempts) == ("", "throttled", 2)


def test_the_audit_log_page_shows_how_many_attempts_a_row_counts(
    app: Flask, client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    for _ in range(3):
        login(OFFICIAL, "wrong")
    login(ADMIN)
    page = client.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    assert "(3 attempts)" in page
    assert "（共 3 次）" in client.get("/admin/audit?action=sign_in_failed&lang=zh").get_data(
        as_text=True
    )


def test_an_api_sign_in_keeps_at_most_64_characters_of_what_was_typed(
    app: Flask, client: FlaskClient
) -> None:
    """The token endpoint checks no email's form: 250 characters an attacker chose would
    otherwise fill the log."""
    typed = " Attacker@X.example" + "x" * 250
    wrong = client.post("/api/v1/tokens", headers=basic(typed, "wrong"))
    assert wrong.status_code == 401
    assert only_new(app, 0).email == ("attacker@x.example" + "x" * 250)[:64]


def test_typed_accounts_are_storable() -> None:
    assert audit.typed_account(" A\x00B\udcff@X ") == "a\ufffdb?@x"


def test_api_sign_ins_are_recorded(
    app: Flask, client: FlaskClient, people: dict[str, int], api_token: Callable[..., str]
) -> None:
    api_token(OFFICIAL)
    assert (only_new(app, 0).action, only_new(app, 0).detail) == ("sign_in", "api")
    bad = bearer("x") | {"Authorization": "Basic b2ZmaWNpYWxAYS5leGFtcGxlOndyb25n"}
    assert client.post("/api/v1/tokens", headers=bad).status_code == 401
    failed = only_new(app, 1)
    assert (failed.action, failed.email, failed.detail) == ("sign_in_failed", OFFICIAL, "api")


def test_saving_and_submitting_on_the_pages_are_recorded(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    assessment_id = make_assessment(people["official"], "3")
    login(OFFICIAL)
    before = len(events(app))
    with app.app_context():
        planning = [q for q in answers_at("3") if q.startswith("planning.")]
    form = {answer_field_name(q): "3" for q in planning}
    response = client.post(
        f"/assessments/{assessment_id}/areas/planning", data=form | {"save": "y"}
    )
    assert response.status_code == 302
    saved = only_new(app, before)
    assert (saved.action, saved.object_type, saved.object_id, saved.detail) == (
        "save",
        "assessment",
        assessment_id,
        "planning",
    )
    assert saved.city_id == city_of(app, people["official"])
    assert client.post(f"/assessments/{assessment_id}/submit").status_code == 302
    submitted = only_new(app, before + 1)
    assert (submitted.action, submitted.object_id, submitted.user_id) == (
        "submit",
        assessment_id,
        people["official"],
    )


def test_a_refused_submission_records_nothing(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    assessment_id = make_assessment(people["official"], level=None)
    login(OFFICIAL)
    before = len(events(app))
    client.post(f"/assessments/{assessment_id}/submit")  # nothing answered: refused
    assert len(events(app)) == before


def test_filing_through_the_api_records_the_save_and_the_submission(
    app: Flask, client: FlaskClient, people: dict[str, int], api_token: Callable[..., str]
) -> None:
    token = api_token(OFFICIAL)
    before = len(events(app))
    with app.app_context():
        body = {"answers": {q: {"value": "4"} for q in answers_at("4")}, "submit": True}
    response = client.post("/api/v1/assessments", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    new = events(app)[before:]
    assert [(e.action, e.detail, e.object_id) for e in new] == [
        ("save", "api", response.get_json()["id"]),
        ("submit", "api", response.get_json()["id"]),
    ]
    assert all(e.user_id == people["official"] for e in new)


def test_approving_and_returning_are_recorded(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    approved = make_assessment(people["official"], "3", submit=True)
    returned = make_assessment(people["official"], "3", submit=True)
    login(ADMIN)
    before = len(events(app))
    client.post(
        f"/admin/assessments/{approved}/approve",
        data={"approve-comment": "", "approve-confirm_unverified": "y"},
    )
    event = only_new(app, before)
    assert (event.action, event.object_id, event.user_id) == ("approve", approved, people["admin"])
    # The city is the assessment's, not the admin's (admins have none).
    assert event.city_id == city_of(app, people["official"])
    client.post(f"/admin/assessments/{returned}/return", data={"return-comment": "Add evidence"})
    assert (only_new(app, before + 1).action, only_new(app, before + 1).object_id) == (
        "return",
        returned,
    )


def test_downloading_a_report_pdf_is_recorded(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
    api_token: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.reports.documents.render_pdf", lambda html: b"%PDF-1.7 test")
    assessment_id = make_assessment(people["official"], "3", submit=True)
    token = api_token(OFFICIAL)
    login(OFFICIAL)
    before = len(events(app))
    assert client.get(f"/assessments/{assessment_id}/report.pdf").status_code == 200
    download = only_new(app, before)
    assert (download.action, download.object_id, download.detail) == (
        "download",
        assessment_id,
        "report.pdf",
    )
    url = f"/api/v1/assessments/{assessment_id}/report.pdf"
    assert client.get(url, headers=bearer(token)).status_code == 200
    assert only_new(app, before + 1).user_id == people["official"]


def test_audit_events_cannot_be_changed_or_deleted(app: Flask, people: dict[str, int]) -> None:
    with app.app_context():
        event = audit.record("export", user=db.session.get(User, people["admin"]), commit=True)
        event.detail = "rewritten"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(event)
        with pytest.raises(PermissionError):
            db.session.commit()


def test_unknown_actions_are_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="unknown audit action"):
        audit.record("deleted_everything")


def test_no_route_can_change_the_audit_log(app: Flask) -> None:
    """Only reading: the one audit route is a GET, and no other route names it."""
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert [(rule.rule, sorted(rule.methods or ())) for rule in audit_rules] == [
        ("/admin/audit", ["GET", "HEAD", "OPTIONS"])
    ]


def test_officials_cannot_read_the_audit_log(
    client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    assert client.get("/admin/audit").status_code == 302  # signed out: to the login page
    login(OFFICIAL)
    assert client.get("/admin/audit").status_code == 403
    assert client.post("/admin/audit").status_code in (403, 405)


def test_admins_filter_the_audit_log(
    app: Flask,
    client: FlaskClient,
    people: dict[str, int],
    login: Callable[..., Any],
    make_user: Callable[..., int],
) -> None:
    make_user("other@b.example")
    login("other@b.example", "wrong")
    login(OFFICIAL)
    client.post("/logout")
    login(ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index(f"<td>{ADMIN}</td>") < page.index("<td>other@b.example</td>")  # newest 1st
    assert "4 entries" in page
    page = client.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    assert "<td>other@b.example</td>" in page and f"<td>{OFFICIAL}</td>" not in page
    page = client.get("/admin/audit?email=OFFICIAL@A").get_data(as_text=True)
    assert "2 entries" in page
    city = city_of(app, people["official"])
    assert "2 entries" in client.get(f"/admin/audit?city={city}").get_data(as_text=True)
    today = datetime.now(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).date()  # the readers' day
    span = f"date_from={today - timedelta(days=1)}&date_to={today}"
    assert "4 entries" in client.get(f"/admin/audit?{span}").get_data(as_text=True)
    tomorrow = today + timedelta(days=1)
    assert "0 entries" in client.get(f"/admin/audit?date_from={tomorrow}").get_data(as_text=True)
    # A malformed filter filters nothing and says what is wrong with it.
    page = client.get("/admin/audit?date_from=2026-13-40&city=x").get_data(as_text=True)
    assert "4 entries" in page and 'aria-invalid="true"' in page


@pytest.mark.parametrize("app_config", [{"AUDIT_EVENTS_PER_PAGE": 2}])
def test_the_audit_log_is_paginated(
    app: Flask, client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    with app.app_context():
        admin = db.session.get(User, people["admin"])
        for _ in range(5):
            audit.record("export", user=admin, detail="csv")
        db.session.commit()
    login(ADMIN)
    first = client.get("/admin/audit?action=export").get_data(as_text=True)
    assert "Page 1 of 3" in first and "page=2" in first and "action=export" in first
    last = client.get("/admin/audit?action=export&page=3").get_data(as_text=True)
    assert last.count("<td>csv</td>") == 1


def test_the_audit_log_speaks_chinese(
    client: FlaskClient, people: dict[str, int], login: Callable[..., Any]
) -> None:
    login(ADMIN)
    page = client.get("/admin/audit?lang=zh").get_data(as_text=True)
    assert "审计日志" in page and "登录" in page
