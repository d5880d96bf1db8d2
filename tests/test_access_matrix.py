"""Every route of the URL map, by every kind of caller, against objects owned by city A.

Callers: anonymous, an official of city A, an official of city B, a provincial reviewer of
city A's province and one of city B's, and a national reviewer (an admin). Each route is
classified in ``ROUTES``; a route that is not there fails ``test_every_route_is_classified``
until someone decides who may call it, so no new route is forgotten.

Requests carry empty bodies (``{}`` for the API, no fields for the pages): who may call a route
is decided before its input is read, so a refusal here is about the caller alone, and the
allowed callers' 4xx (422, a page with errors) shows they got past it. CSRF is off, as in the
rest of the suite (conftest): with it on, every POST without a token would be a 400 before the
access check runs, and the matrix would test the CSRF check instead. The forms' CSRF check is
tested with it on in ``tests/test_forbidden_fields.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app import create_app
from app.assessments.scores import report_snapshot
from app.departments.operations import invite_department
from app.extensions import db
from app.models import ApiToken, Assessment, EvidenceBlob, EvidenceFile, User
from app.plans.operations import ActionInput, plan_action
from app.rounds.operations import open_round
from app.surveys.operations import open_survey
from tests.conftest import PASSWORD

ROLES = ("anonymous", "official_b", "reviewer_b", "official_a", "reviewer_a", "admin")
"""Refused callers go first, so each is checked against objects as they were made."""


@dataclass(frozen=True)
class Access:
    """Who may call a route, and what an allowed caller gets for an empty request.

    ``kind``: ``public`` (anyone, token links included), ``city`` (signed in, and the object must
    be the caller's city's, or in a provincial reviewer's province), ``signed_in`` (any
    signed-in user, no object of a city in the URL), ``admin`` (admins only, no object of a
    city), ``review`` (admins only, and the object must be in a provincial reviewer's
    province) or ``national`` (national reviewers only).
    """

    kind: str
    allowed: frozenset[int]
    signed_in: frozenset[int] | None = None
    """What a signed-in caller gets from a public route when it differs (the sign-in page)."""

    def expected(self, role: str, api: bool) -> frozenset[int]:
        if self.kind == "public" and self.signed_in is not None and role != "anonymous":
            return self.signed_in
        if self.kind == "public" or role == "admin":
            return self.allowed
        if role == "anonymous":
            return frozenset({401 if api else 302})
        if self.kind == "national" or (
            self.kind in ("admin", "review") and role.startswith("official")
        ):
            return frozenset({403})
        if self.kind in ("city", "review") and role.endswith("_b"):
            return frozenset({404})
        return self.allowed


def _access(kind: str, *allowed: int, signed_in: set[int] | None = None) -> Access:
    return Access(kind, frozenset(allowed), None if signed_in is None else frozenset(signed_in))


DOCUMENTS = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""What an API call may answer besides JSON: the report and the ledger as files."""

ROUTES: dict[tuple[str, str], Access] = {
    # Sign-in, display settings and the links shared with residents and departments.
    ("auth.login", "GET"): _access("public", 200, signed_in={302}),
    ("auth.login", "POST"): _access("public", 200, signed_in={302}),
    ("auth.logout", "POST"): _access("public", 302),
    ("auth.logout_everywhere", "POST"): _access("public", 302),
    ("settings.display", "POST"): _access("public", 302),
    ("residents.answer", "GET"): _access("public", 200),
    ("residents.answer", "POST"): _access("public", 422),
    ("residents.printable", "GET"): _access("public", 200),
    ("residents.qr_code", "GET"): _access("public", 200),
    ("residents.thanks", "GET"): _access("public", 200),
    ("departments.answer", "GET"): _access("public", 200),
    ("departments.answer", "POST"): _access("public", 302),
    ("settings.password", "GET"): _access("signed_in", 200),
    ("settings.password", "POST"): _access("signed_in", 200),
    ("settings.tokens", "GET"): _access("signed_in", 200),
    ("notifications.inbox", "GET"): _access("signed_in", 200),
    ("notifications.mark_read", "POST"): _access("signed_in", 302),
    ("notifications.settings", "POST"): _access("signed_in", 302),
    # One's own tokens only: another's, even for an admin, is a 404 like another city's.
    ("settings.revoke", "POST"): _access("city", 302, 404),
    # The assessment pages of one city.
    ("assessment.home", "GET"): _access("signed_in", 302),
    ("assessment.index", "GET"): _access("signed_in", 200),
    ("assessment.new", "POST"): _access("signed_in", 302),
    ("assessment.area", "GET"): _access("city", 302),
    ("assessment.area", "POST"): _access("city", 302),
    ("assessment.autosave", "POST"): _access("city", 409),
    ("assessment.review", "GET"): _access("city", 302),
    ("assessment.confirm_submit", "GET"): _access("city", 302),
    ("assessment.submit", "POST"): _access("city", 302),
    ("assessment.report", "GET"): _access("city", 200),
    ("assessment.move_bank", "GET"): _access("city", 302),
    ("assessment.move_bank", "POST"): _access("city", 302),
    ("reports.report_pdf", "GET"): _access("city", 200, 503),
    ("reports.report_docx_file", "GET"): _access("city", 200),
    ("reports.ledger_xlsx_file", "GET"): _access("city", 200),
    ("assessment.answers_xlsx", "GET"): _access("city", 200),
    ("assessment.upload_answers_xlsx", "POST"): _access("city", 302),
    # Evidence files: city A's round is submitted, so its files can no longer change.
    ("evidence.upload", "POST"): _access("city", 302),
    ("evidence.download", "GET"): _access("city", 200),
    ("evidence.remove", "POST"): _access("city", 302),
    ("plan.targets", "GET"): _access("city", 200),
    ("plan.targets", "POST"): _access("city", 302),
    ("plan.actions", "GET"): _access("city", 200),
    ("plan.plan", "POST"): _access("city", 200),
    ("plan.update", "POST"): _access("city", 200),
    ("departments.manage", "GET"): _access("city", 200),
    ("departments.manage", "POST"): _access("city", 200),
    ("departments.relink", "POST"): _access("city", 302),
    ("residents.manage", "GET"): _access("city", 200),
    ("residents.manage", "POST"): _access("city", 200),
    ("residents.paper_response", "POST"): _access("city", 409),
    ("residents.print_forms", "POST"): _access("city", 200),
    ("residents.invitations", "POST"): _access("city", 200),
    ("paper.questionnaire_pdf", "GET"): _access("signed_in", 200, 503),
    ("paper.key_in", "GET"): _access("signed_in", 200),
    ("paper.key_in", "POST"): _access("signed_in", 200),
    # Reviewing.
    ("admin.assessment", "GET"): _access("review", 200),
    # Asks first: none of the round's answers is verified.
    ("admin.approve", "POST"): _access("review", 200),
    ("admin.send_back", "POST"): _access("review", 200),
    ("admin.verify", "POST"): _access("review", 302),
    ("admin.audit_log", "GET"): _access("national", 200),
    ("admin.submissions", "GET"): _access("admin", 200),
    # Accounts: an empty new-user form shows its errors; an empty edit keeps what the account
    # has; an empty password is generated and shown (200).
    ("admin.users", "GET"): _access("national", 200),
    ("admin.new_user", "GET"): _access("national", 200),
    ("admin.new_user", "POST"): _access("national", 200),
    ("admin.edit_user", "GET"): _access("national", 200),
    ("admin.edit_user", "POST"): _access("national", 302),
    ("admin.reset_user_password", "GET"): _access("national", 200),
    ("admin.reset_user_password", "POST"): _access("national", 200),
    ("admin.deactivate_user", "POST"): _access("national", 302),
    ("admin.reactivate_user", "POST"): _access("national", 302),
    ("admin.dashboard", "GET"): _access("admin", 200),
    ("admin.questions", "GET"): _access("admin", 200),
    ("admin.compare", "GET"): _access("admin", 400),
    ("admin.submissions_csv", "GET"): _access("admin", 200),
    # Provinces (national reviewers) and evaluation rounds (reviewers; a round of city A's
    # province is another province's reviewer's 404).
    ("divisions.provinces", "GET"): _access("national", 200),
    ("divisions.add_province", "POST"): _access("national", 200),
    ("divisions.move", "POST"): _access("national", 200),
    ("rounds.index", "GET"): _access("admin", 200),
    ("rounds.overview", "GET"): _access("admin", 200),
    ("rounds.new", "POST"): _access("admin", 200),
    ("rounds.detail", "GET"): _access("review", 200),
    ("rounds.progress_csv", "GET"): _access("review", 200),
    ("rounds.close", "POST"): _access("review", 302),
    # The JSON API.
    ("api.openapi", "GET"): _access("public", 200),
    ("api.version", "GET"): _access("public", 200),
    ("api.questionnaire", "GET"): _access("public", 200),
    ("api.issue_token", "POST"): _access("public", 401),
    ("api.revoke_current_token", "DELETE"): _access("signed_in", 204),
    ("api.list_assessments", "GET"): _access("signed_in", 200),
    ("api.admin_assessments", "GET"): _access("admin", 200),
    ("api.create_assessment", "POST"): _access("signed_in", 201, 422),
    ("api.list_rounds", "GET"): _access("admin", 200),
    ("api.get_round", "GET"): _access("review", 200),
    ("api.get_assessment", "GET"): _access("city", 200),
    ("api.put_targets", "PUT"): _access("city", 422),
    ("api.create_action", "POST"): _access("city", 422),
    ("api.change_action", "PATCH"): _access("city", 200),
    ("api.create_survey", "POST"): _access("city", 409),
    ("api.move_bank", "POST"): _access("city", 409),
    ("api.add_paper_response", "POST"): _access("city", 422),
    ("api.invite", "POST"): _access("city", 422),
    ("reports.api_report_pdf", "GET"): _access("city", 200, 503),
    ("reports.api_report_docx", "GET"): _access("city", 200),
    ("reports.api_ledger_xlsx", "GET"): _access("city", 200),
    ("api.verify", "PATCH"): _access("review", 422),
    ("api.submit", "POST"): _access("city", 409),
    ("api.confirm_answer", "POST"): _access("city", 409),
    ("api.upload_evidence", "POST"): _access("city", 409),
    ("api.list_evidence", "GET"): _access("city", 200),
    ("api.download_evidence", "GET"): _access("city", 200),
    ("api.delete_evidence", "DELETE"): _access("city", 409),
}


def _url_map_routes() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route but static files, read from an app's URL map."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules: list[Rule] = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in rules
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


URL_MAP_ROUTES = _url_map_routes()


def test_every_route_is_classified() -> None:
    found = {(endpoint, method) for endpoint, method, _ in URL_MAP_ROUTES}
    unclassified = sorted(found - set(ROUTES))
    assert not unclassified, f"say who may call these in ROUTES: {unclassified}"
    assert not set(ROUTES) - found, "classified but no longer routed"


@dataclass
class CityA:
    """Objects of city A that every route's URL is built with, and the callers' credentials."""

    values: dict[str, Any]
    tokens: dict[str, str]
    emails: dict[str, str]


@pytest.fixture
def city_a(
    app: Flask,
    make_city: Callable[..., int],
    make_province: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> CityA:
    city_a, city_b = make_city("City A"), make_city("City B")
    emails = {
        "official_a": "official@a.example",
        "official_b": "official@b.example",
        "admin": "admin@x.example",
        "reviewer_a": "reviewer@zhejiang.example",
        "reviewer_b": "reviewer@guangdong.example",
    }
    province_a, province_b = make_province("浙江省", city_a), make_province("广东省", city_b)
    ids = {
        "official_a": make_user(emails["official_a"], city_id=city_a),
        "official_b": make_user(emails["official_b"], city_id=city_b),
        "admin": make_user(emails["admin"], role="admin"),
        "reviewer_a": make_user(emails["reviewer_a"], role="admin", province_id=province_a),
        "reviewer_b": make_user(emails["reviewer_b"], role="admin", province_id=province_b),
    }
    assessment_id = make_assessment(ids["official_a"], "2", submit=True)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        official = db.session.get(User, ids["official_a"])
        assert assessment is not None and official is not None
        measures = [cm["id"] for cm in report_snapshot(assessment)["countermeasures"]]
        action = plan_action(
            assessment, measures[0], ActionInput("Planning bureau", None, "planned")
        )
        department, department_token = invite_department(assessment, official, "Transport")
        survey = open_survey(assessment, official, date.today() + timedelta(days=30))
        reviewer_a = db.session.get(User, ids["reviewer_a"])
        assert reviewer_a is not None
        evaluation_round = open_round(
            reviewer_a, "2026 第一批", assessment.questionnaire_version, date.today(), [city_a]
        )
        # Attached while it was a draft: the round is submitted by now.
        evidence = EvidenceFile(
            assessment=assessment,
            question_id="planning.top_level_design",
            filename="plan.pdf",
            content_type="application/pdf",
            size=5,
            sha256="0" * 64,
        )
        db.session.add(evidence)
        db.session.flush()
        db.session.add(EvidenceBlob(file_id=evidence.id, data=b"%PDF-"))
        tokens, token_ids = {}, {}
        for role, user_id in ids.items():
            user = db.session.get(User, user_id)
            assert user is not None
            row, tokens[role] = ApiToken.issue(user, timedelta(days=1))
            db.session.add(row)
            db.session.flush()
            token_ids[role] = row.id
        db.session.commit()
        values = {
            "assessment_id": assessment_id,
            "area_id": "planning",
            "countermeasure_id": measures[-1],
            "action_id": action.id,
            "department_id": department.id,
            "departments.token": department_token,
            "residents.token": survey.token,
            "user_id": ids["official_b"],
            "token_id": token_ids["official_a"],
            "round_id": evaluation_round.id,
            "file_id": evidence.id,
            "question_id": "planning.top_level_design",
        }
    return CityA(values, tokens, emails)


def _url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    blueprint = endpoint.split(".")[0]
    arguments = {
        name: values.get(f"{blueprint}.{name}", values.get(name)) for name in rule.arguments
    }
    return app.url_map.bind("localhost").build(endpoint, arguments)


@pytest.fixture
def callers(app: Flask, city_a: CityA) -> Iterator[dict[str, FlaskClient]]:
    """A client per role, each signed in (pages) with its own session."""
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role in city_a.emails:
            response = client.post(
                "/login", data={"email": city_a.emails[role], "password": PASSWORD}
            )
            assert response.status_code == 302, role
        clients[role] = client
    yield clients


@pytest.mark.parametrize(("endpoint", "method", "rule"), URL_MAP_ROUTES)
def test_route_by_role(
    app: Flask,
    city_a: CityA,
    callers: dict[str, FlaskClient],
    endpoint: str,
    method: str,
    rule: str,
) -> None:
    access = ROUTES.get((endpoint, method))
    if access is None:
        pytest.fail(f"{endpoint} {method} is not classified in ROUTES")
    url, api = _url(app, endpoint, city_a.values), rule.startswith("/api/")
    got = {}
    for role in ROLES:
        headers = {}
        if api and role in city_a.tokens:
            headers["Authorization"] = f"Bearer {city_a.tokens[role]}"
        body: dict[str, Any] = {"json": {}} if api and method != "GET" else {"data": {}}
        response = callers[role].open(url, method=method, headers=headers, **body)
        got[role] = response.status_code
        # A streamed download left open would keep its request context over the next caller's.
        response.close()
        if api:
            assert (
                response.is_json
                or (response.status_code == 200 and response.mimetype in DOCUMENTS)
                or (response.status_code == 204 and not response.data)
            ), (role, url)
        if role == "anonymous" and not api and access.kind != "public":
            assert response.headers["Location"].startswith("/login?next="), url
    wanted = {role: access.expected(role, api) for role in ROLES}
    assert all(got[role] in wanted[role] for role in ROLES), (url, got, wanted)
