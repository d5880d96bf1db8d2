"""The reviewers' dashboard: counts by status and level, mean scores, widespread weak points."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.admin.dashboard import dashboard
from app.assessments.workflow import approve_assessment, return_for_revision
from app.core.review_stats import largest_differences, widespread_weaknesses
from app.extensions import content, db
from app.models import Assessment, User

FIRST = "planning.top_level_design"


def second_question() -> str:
    return [q.id for q in content.current.questions()][1]


def decide(app: Flask, assessment_id: int, decision: str) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
        assert assessment is not None and admin is not None
        if decision == "approve":
            approve_assessment(assessment, admin)
        else:
            return_for_revision(assessment, admin, "Please check", {})
        db.session.commit()


def submitted_on(app: Flask, assessment_id: int, day: int) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Assessment)
            .where(Assessment.id == assessment_id)
            .values(submitted_at=datetime(2026, 3, day, tzinfo=UTC))
        )
        db.session.commit()


@pytest.fixture
def known(
    app: Flask,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> dict[str, int]:
    """City A: an approved round at level 1 everywhere, then a newer one at 3 (overall 50).
    City B: level 5 everywhere but the first question at 1 and the second at 2.
    City C: a draft at level 1. City D: returned at level 2. Only A's newer round and B count.
    """
    a, b, c, d = (make_user(f"official@{n}.example") for n in "abcd")
    with app.app_context():
        second = second_question()
    ids = {
        "a_old": make_assessment(a, "1", submit=True),
        "a_new": make_assessment(a, "3", submit=True),
        "b": make_assessment(b, "5", submit=True, **{FIRST: "1", second: "2"}),
        "c": make_assessment(c, "1"),
        "d": make_assessment(d, "2", submit=True),
    }
    submitted_on(app, ids["a_old"], 1)
    submitted_on(app, ids["a_new"], 2)
    decide(app, ids["a_old"], "approve")
    decide(app, ids["d"], "return")
    return ids


def overall_of(app: Flask, assessment_id: int) -> tuple[float, int]:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None and found.overall_score is not None and found.level
        return found.overall_score, found.level


def test_the_figures_count_each_citys_latest_finished_round_once(
    app: Flask, known: dict[str, int]
) -> None:
    b_overall, b_level = overall_of(app, known["b"])
    with app.app_context():
        figures = dashboard(content.current, User(role="admin"))
        second = second_question()
    assert figures.by_status == {"draft": 1, "submitted": 2, "approved": 1, "returned": 1}
    assert figures.cities == 2
    assert figures.by_level == {1: 0, 2: 0, 3: 1, 4: 0, 5: 0} | {b_level: 1 + (b_level == 3)}
    assert figures.means["overall"] == pytest.approx((50.0 + b_overall) / 2)
    assert figures.means["participation"] == pytest.approx((50.0 + 100.0) / 2)
    assert [(w.question.id, w.lowest, w.answered) for w in figures.weaknesses] == [
        (FIRST, 1, 2),
        (second, 1, 2),
    ]


def test_the_dashboard_page_shows_and_links_the_figures(
    client: FlaskClient, known: dict[str, int]
) -> None:
    page = client.get("/admin").get_data(as_text=True)
    assert "1 assessment waits for review" not in page
    assert "2 assessments wait for review" in page
    assert 'href="/admin/assessments?status=returned"' in page
    assert "its most recent submitted or approved assessment (2 cities)" in page
    assert f'href="/admin/questions#{FIRST}"' in page
    assert "1 of 2 cities" in page and "50%" in page
    zh = client.get("/admin?lang=zh").get_data(as_text=True)
    assert "问题最普遍" in zh


def test_the_dashboard_of_an_empty_app(client: FlaskClient, admin: int) -> None:
    page = client.get("/admin").get_data(as_text=True)
    assert "(0 cities)" in page


def test_the_question_bank_page_anchors_every_question_and_section(
    client: FlaskClient, known: dict[str, int]
) -> None:
    page = client.get("/admin/questions").get_data(as_text=True)
    assert f'id="{FIRST}"' in page and 'id="section-3.2"' in page
    assert "§4.1" in page
    assert "Beyond the paper (answers the problem of §3)" in page
    assert "passages these countermeasures rest on" in page
    assert "the central government should further develop" in page


def test_widespread_weaknesses_rank_by_share_then_count(app: Flask) -> None:
    with app.app_context():
        bank = content.current
    first, second, third = [q.id for q in bank.questions()][:3]
    counts = {
        (first, "1"): 1,
        (first, "4"): 3,  # 1 of 4
        (second, "2"): 2,
        (second, "dont_know"): 2,  # 2 of 4
        (third, "1"): 1,
        (third, "not_applicable"): 5,  # 1 of 1
    }
    found = widespread_weaknesses(bank, counts)
    assert [(w.question.id, w.share) for w in found] == [(third, 1.0), (second, 0.5), (first, 0.25)]
    assert found[1].dont_know == 2
    assert widespread_weaknesses(bank, {}) == []


def test_largest_differences(app: Flask) -> None:
    with app.app_context():
        bank = content.current
    first, second, third = [q.id for q in bank.questions()][:3]
    answers = [{first: "1", second: "3", third: "dont_know"}, {first: "5", second: "4"}, {}]
    found = largest_differences(bank, answers)
    assert [(d.question.id, d.spread, d.values) for d in found] == [
        (first, 4, ("1", "5", None)),
        (second, 1, ("3", "4", None)),
    ]


def test_the_dashboard_is_computed_once_and_again_after_every_change(
    app: Flask,
    client: FlaskClient,
    known: dict[str, int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> None:
    from tests.test_performance import statements_for

    first = statements_for(app, client, "/admin")
    assert statements_for(app, client, "/admin") < first
    assert "2 assessments wait for review" in client.get("/admin").get_data(as_text=True)
    decide(app, known["b"], "approve")
    assert "1 assessment waits for review" in client.get("/admin").get_data(as_text=True)
    e = make_user("official@e.example")
    make_assessment(e, "1")
    page = client.get("/admin").get_data(as_text=True)
    squeezed = "".join(page.split())
    assert 'status=draft"><spanclass="stat-number">2</span>' in squeezed
    make_assessment(e, "1", submit=True)
    assert "(3 cities)" in client.get("/admin").get_data(as_text=True)
