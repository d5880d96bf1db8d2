"""The reviewer's entry: where an admin lands, notes kept on approval, and the dashboard's table
of cities sorted by links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content, db
from app.models import ReviewerNote, StatusChange
from tests.conftest import ADMIN, OFFICIAL, get_assessment


def note_field(question_id: str) -> str:
    return "return-note-" + question_id.replace(".", "-")


@pytest.mark.parametrize(("role", "landing"), [("admin", "/admin"), ("official", "/assessments")])
def test_each_role_lands_on_its_own_page(
    client: FlaskClient,
    make_user: Callable[..., int],
    login: Callable[..., Any],
    role: str,
    landing: str,
) -> None:
    email = ADMIN if role == "admin" else OFFICIAL
    make_user(email, role=role)
    assert login(email).headers["Location"] == landing
    assert client.get("/").headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing


def test_notes_written_before_approving_are_kept_and_shown(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    switch_user: Callable[..., Any],
) -> None:
    official = make_user(OFFICIAL)
    make_user(ADMIN, role="admin")
    assessment_id = make_assessment(official, "3", submit=True)
    with app.app_context():
        question = next(iter(content.current.questions()))
        question_id, question_text = question.id, question.text.get("en")
    switch_user(ADMIN)
    page = client.get(f"/admin/assessments/{assessment_id}").get_data(as_text=True)
    assert 'formaction="/admin/assessments/' in page, "one form carries the notes to either button"
    response = client.post(
        f"/admin/assessments/{assessment_id}/approve",
        data={
            "approve-comment": "Good work.",
            "approve-confirm_unverified": "y",
            note_field(question_id): "Cite the 2025 plan.",
        },
    )
    assert response.status_code == 302
    assert get_assessment(app, assessment_id).status == "approved"
    with app.app_context():
        notes = db.session.execute(
            sa.select(ReviewerNote.question_id, ReviewerNote.comment)
            .join(StatusChange)
            .where(
                StatusChange.assessment_id == assessment_id, StatusChange.to_status == "approved"
            )
        ).all()
    assert [tuple(n) for n in notes] == [(question_id, "Cite the 2025 plan.")]

    switch_user(OFFICIAL)
    report = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Cite the 2025 plan." in report
    assert re.search(re.escape(str(question_text)).replace("'", "(&#39;|')"), report)


def test_a_note_too_long_refuses_the_approval_and_keeps_every_note(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    switch_user: Callable[..., Any],
) -> None:
    official = make_user(OFFICIAL)
    make_user(ADMIN, role="admin")
    assessment_id = make_assessment(official, "3", submit=True)
    with app.app_context():
        first, second = [q.id for q in content.current.questions()][:2]
    switch_user(ADMIN)
    page = client.post(
        f"/admin/assessments/{assessment_id}/approve",
        data={note_field(first): "x" * 6000, note_field(second): "Keep me 留"},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "not approved" in text
    assert f'id="{note_field(first)}-error"' in text
    assert "Keep me 留" in text
    assert get_assessment(app, assessment_id).status == "submitted"


@pytest.fixture
def three_cities(
    make_city: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    for name, level in [("Alpha", "2"), ("Beta", "4"), ("Gamma", None)]:
        user = make_user(f"{name.lower()}@x.example", city_id=make_city(name))
        if level is not None:
            make_assessment(user, level, submit=True)
    make_user(ADMIN, role="admin")
    login(ADMIN)


def city_order(html: str) -> list[str]:
    table = html[html.index('class="data-table city-table"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', table)


@pytest.mark.parametrize(
    ("query", "order", "sorted_column", "direction"),
    [
        ("", ["Beta", "Alpha", "Gamma"], "Readiness index", "descending"),
        ("?cities=index&order=asc", ["Alpha", "Beta", "Gamma"], "Readiness index", "ascending"),
        ("?cities=city&order=desc", ["Gamma", "Beta", "Alpha"], "City", "descending"),
        ("?cities=level", ["Beta", "Alpha", "Gamma"], "Level", "descending"),
        (
            "?cities=nonsense&order=sideways",
            ["Beta", "Alpha", "Gamma"],
            "Readiness index",
            "descending",
        ),
    ],
)
def test_the_dashboard_lists_every_city_sorted_by_a_link(
    client: FlaskClient,
    three_cities: None,
    query: str,
    order: list[str],
    sorted_column: str,
    direction: str,
) -> None:
    response = client.get("/admin" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert city_order(html) == order
    assert "No submitted assessment yet" in html
    sorted_headers = re.findall(
        r'<th scope="col"[^>]*aria-sort="(\w+)"[^>]*>\s*<a [^>]*>([^<]+)', html
    )
    assert sorted_headers == [(direction, sorted_column)]


def test_a_sort_link_reverses_the_column_it_sorts_by(
    client: FlaskClient, three_cities: None
) -> None:
    html = client.get("/admin?cities=index&order=desc").get_data(as_text=True)
    assert 'href="/admin?cities=index&amp;order=asc#cities-heading"' in html
    assert 'href="/admin?cities=city&amp;order=asc#cities-heading"' in html


def test_the_cities_table_is_shown_a_page_at_a_time_in_its_order(
    client: FlaskClient, three_cities: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.admin.standings.CITIES_PER_PAGE", 2)
    first = client.get("/admin?cities=city&order=asc").get_data(as_text=True)
    assert city_order(first) == ["Alpha", "Beta"]
    assert 'href="/admin?cities_page=2&amp;cities=city&amp;order=asc#cities-heading"' in first
    second = client.get("/admin?cities=city&order=asc&cities_page=2").get_data(as_text=True)
    assert city_order(second) == ["Gamma"]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    for page in ("99", "x", "-1", "0", "%C2%B2", "9" * 30):
        shown = client.get(f"/admin?cities=city&order=asc&cities_page={page}")
        assert shown.status_code == 200
        assert city_order(shown.get_data(as_text=True)) in (["Gamma"], ["Alpha", "Beta"])
