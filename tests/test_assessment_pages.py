"""An official's journey through the pages: start, answer, save, resume, submit, read the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content
from app.models import Answer, Assessment
from tests.conftest import count_rows, get_assessment


def area_data(app: Flask, area_id: str, value: str = "3", **extra: str) -> dict[str, str]:
    with app.app_context():
        area = content.current.area(area_id)
        assert area is not None
        data = {f"q-{q.id.replace('.', '-')}": value for q in area.questions}
    data.update(extra)
    return data


def start(client: FlaskClient) -> int:
    response = client.post("/assessments/new")
    assert response.status_code == 302
    assert "/areas/planning" in response.headers["Location"]
    return int(response.headers["Location"].split("/")[2])


def test_list_is_empty_at_first_and_offers_to_start(client: FlaskClient, official: int) -> None:
    page = client.get("/assessments")
    assert b"No assessments yet" in page.data
    assert b"Start a new assessment" in page.data


def test_whole_journey_from_start_to_report(app: Flask, client: FlaskClient, official: int) -> None:
    assessment_id = start(client)
    page = client.get(f"/assessments/{assessment_id}/areas/planning")
    assert page.status_code == 200
    planning_questions = len(area_data(app, "planning"))
    assert f"0 of {planning_questions} answered".encode() in page.data

    for area_id, following in [("planning", "environment"), ("environment", "participation")]:
        data = area_data(app, area_id, "2", save_and_next="1")
        response = client.post(f"/assessments/{assessment_id}/areas/{area_id}", data=data)
        assert response.headers["Location"].endswith(f"/areas/{following}")
    response = client.post(
        f"/assessments/{assessment_id}/areas/participation",
        data=area_data(app, "participation", "dont_know", save_and_next="1"),
    )
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/review")
    review = client.get(f"/assessments/{assessment_id}/review")
    assert b"All questions are answered" in review.data

    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/report")
    stored = get_assessment(app, assessment_id)
    assert stored.status == "submitted"
    assert stored.score_snapshot is not None
    assert stored.overall_score == stored.score_snapshot["overall"]

    report = client.get(f"/assessments/{assessment_id}/report")
    assert report.status_code == 200
    assert b"Recommended countermeasures" in report.data
    assert b"Data gaps" in report.data
    assert "Paper §4.1".encode() in report.data
    # Participation was all "don't know": finding the facts comes before its countermeasures.
    assert b"First: find out who holds the facts" in report.data
    assert "Paper §4.3".encode() not in report.data


def test_save_draft_then_resume_shows_the_answers_and_comments(
    app: Flask, client: FlaskClient, official: int
) -> None:
    assessment_id = start(client)
    data = area_data(app, "planning", "4")
    first_comment = next(k for k in data) + "-comment"
    data[first_comment] = "Plan approved by the city council in 2025 <b>bold</b>"
    response = client.post(
        f"/assessments/{assessment_id}/areas/planning", data=data | {"save": "1"}
    )
    assert response.headers["Location"].endswith("/areas/planning")
    page = client.get(f"/assessments/{assessment_id}/areas/planning")
    assert b"Plan approved by the city council in 2025 &lt;b&gt;bold&lt;/b&gt;" in page.data
    checked = re.findall(rb'<input[^>]* checked [^>]*type="radio" value="(\d)"', page.data)
    assert checked == [b"4"] * (len(data) - 1)
    assert count_rows(app, Answer) == len(data) - 1


def test_a_too_long_comment_is_refused_and_nothing_typed_is_lost(
    app: Flask, client: FlaskClient, official: int
) -> None:
    assessment_id = start(client)
    data = area_data(app, "planning", "5")
    keys = list(data)
    data[keys[0] + "-comment"] = "x" * 5001
    data[keys[1] + "-comment"] = "kept comment 保留"
    page = client.post(f"/assessments/{assessment_id}/areas/planning", data=data | {"save": "1"})
    assert page.status_code == 200
    assert b"Field cannot be longer than 5000 characters." in page.data
    assert "kept comment 保留".encode() in page.data
    assert b"x" * 5001 in page.data
    assert count_rows(app, Answer) == 0


def test_a_value_that_is_not_an_option_is_refused(
    app: Flask, client: FlaskClient, official: int
) -> None:
    assessment_id = start(client)
    data = area_data(app, "planning", "3")
    data[next(iter(data))] = "9"
    page = client.post(f"/assessments/{assessment_id}/areas/planning", data=data | {"save": "1"})
    assert page.status_code == 200
    assert b"Not a valid choice" in page.data
    assert count_rows(app, Answer) == 0


def test_unknown_area_is_404(client: FlaskClient, official: int) -> None:
    assessment_id = start(client)
    assert client.get(f"/assessments/{assessment_id}/areas/weather").status_code == 404


def test_submit_with_questions_unanswered_is_refused(
    app: Flask, client: FlaskClient, official: int
) -> None:
    assessment_id = start(client)
    client.post(f"/assessments/{assessment_id}/areas/planning", data=area_data(app, "planning"))
    review = client.get(f"/assessments/{assessment_id}/review")
    assert b"questions still need an answer" in review.data
    response = client.post(f"/assessments/{assessment_id}/submit", follow_redirects=True)
    assert b"still need an answer before you can submit" in response.data
    assert get_assessment(app, assessment_id).status == "draft"


def test_a_submitted_assessment_cannot_be_edited(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    for url in (
        f"/assessments/{assessment_id}/areas/planning",
        f"/assessments/{assessment_id}/review",
    ):
        response = client.get(url)
        assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/report")
    client.post(
        f"/assessments/{assessment_id}/areas/planning", data=area_data(app, "planning", "5")
    )
    client.post(f"/assessments/{assessment_id}/submit")
    stored = get_assessment(app, assessment_id)
    assert {a.value for a in stored.answers} == {"3"}


def test_draft_report_is_a_preview(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, "2")
    page = client.get(f"/assessments/{assessment_id}/report")
    assert b"This is a preview of a draft" in page.data


def test_report_escapes_what_users_typed(
    client: FlaskClient, official: int, make_assessment: Callable[..., int], app: Flask
) -> None:
    assessment_id = make_assessment(official, "2")
    data = area_data(app, "planning", "2")
    data[next(iter(data)) + "-comment"] = "<script>alert(1)</script>"
    client.post(f"/assessments/{assessment_id}/areas/planning", data=data)
    page = client.get(f"/assessments/{assessment_id}/report")
    assert b"<script>alert(1)</script>" not in page.data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.data


@pytest.fixture
def two_cities(
    make_user: Callable[..., int], make_assessment: Callable[..., int]
) -> dict[str, int]:
    a = make_user("official@a.example")
    b = make_user("official@b.example")
    return {
        "a_user": a,
        "b_user": b,
        "b_assessment": make_assessment(b, "3", submit=True),
        "b_draft": make_assessment(b, "2"),
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/assessments/{id}/report"),
        ("get", "/assessments/{id}/review"),
        ("get", "/assessments/{id}/areas/planning"),
        ("post", "/assessments/{id}/areas/planning"),
        ("post", "/assessments/{id}/submit"),
    ],
)
def test_another_citys_assessment_is_404(
    client: FlaskClient,
    login: Callable[..., Any],
    two_cities: dict[str, int],
    method: str,
    path: str,
) -> None:
    login("official@a.example")
    for key in ("b_assessment", "b_draft"):
        response = getattr(client, method)(path.format(id=two_cities[key]))
        assert response.status_code == 404


def test_the_list_shows_only_my_city(
    client: FlaskClient, login: Callable[..., Any], two_cities: dict[str, int]
) -> None:
    login("official@a.example")
    page = client.get("/assessments")
    assert b"No assessments yet" in page.data


def test_an_admin_starts_an_assessment_for_a_chosen_city(
    app: Flask,
    client: FlaskClient,
    make_city: Callable[..., int],
    admin: int,
) -> None:
    city_id = make_city("深圳 Shenzhen")
    assert "深圳 Shenzhen".encode() in client.get("/assessments").data
    response = client.post("/assessments/new", data={"city": str(city_id)})
    assert response.status_code == 302
    assessment_id = int(response.headers["Location"].split("/")[2])
    assert get_assessment(app, assessment_id).city_id == city_id
    assert client.post("/assessments/new", data={"city": "99999"}).status_code == 302
    assert count_rows(app, Assessment) == 1


def test_missing_page_is_a_friendly_404(client: FlaskClient, official: int) -> None:
    page = client.get("/assessments/999999/report")
    assert page.status_code == 404
    assert b"There is nothing here" in page.data


def test_the_chinese_report_shows_content_in_chinese_everywhere(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report?lang=zh").get_data(as_text=True)
    with app.app_context():
        bank = content.current
        level = bank.level_for(50.0)
        for area in bank.areas:
            # Once in the chart (an imported macro) and again in the answers section.
            assert page.count(area.title.zh) >= 2
            assert area.title.en not in page
        assert level.name.zh in page
        assert level.name.en not in page
