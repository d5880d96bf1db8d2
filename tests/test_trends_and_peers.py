"""Trends over a city's rounds and its standing among peers: the rules, the report, the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app.assessments.workflow import approve_assessment
from app.core.questionnaire import load_content
from app.core.trends import MIN_PEERS, compare_rounds, peer_percentiles, percentile_rank
from app.extensions import db
from app.models import Assessment, User
from tests.conftest import bearer

BANK = load_content().current
FIRST, SECOND = list(BANK.questions())[:2]


def test_compare_rounds_reports_changes_and_countermeasure_fates() -> None:
    before = (
        {"planning": 40.0, "environment": None},
        40.0,
        {FIRST.id: "2", SECOND.id: "3"},
        ["cm.a", "cm.b"],
    )
    after = (
        {"planning": 55.0, "environment": 60.0},
        50.0,
        {FIRST.id: "4", SECOND.id: "3"},
        ["cm.b", "cm.c"],
    )
    found = compare_rounds(BANK, before, after)
    assert found.area_changes["planning"] == 15.0
    assert found.area_changes["environment"] is None
    assert found.overall_change == 10.0
    assert [(c.question_id, c.change_levels) for c in found.question_changes] == [(FIRST.id, 2)]
    assert (found.new, found.persisting, found.resolved) == (("cm.c",), ("cm.b",), ("cm.a",))


@pytest.mark.parametrize(
    ("before", "after", "change"), [("2", "dont_know", None), (None, "3", None), ("5", "1", -4)]
)
def test_a_question_change_counts_levels_only(
    before: str | None, after: str | None, change: int | None
) -> None:
    answers_before = {} if before is None else {FIRST.id: before}
    found = compare_rounds(BANK, ({}, 0, answers_before, []), ({}, 0, {FIRST.id: after}, []))
    assert found.question_changes[0].change_levels == change


def test_percentile_counts_ties_as_half() -> None:
    assert percentile_rank(50, [10, 20, 50, 80]) == pytest.approx(62.5)
    assert percentile_rank(0, [10, 20]) == 0 and percentile_rank(99, [10, 20]) == 100


@given(st.floats(0, 100), st.floats(0, 100), st.lists(st.floats(0, 100), min_size=1))
def test_a_higher_score_never_has_a_lower_percentile(
    low: float, high: float, others: list[float]
) -> None:
    low, high = sorted((low, high))
    assert 0 <= percentile_rank(low, others) <= percentile_rank(high, others) <= 100


def test_no_percentile_below_five_peers() -> None:
    peers = [{"planning": float(10 * i), "environment": None} for i in range(MIN_PEERS)]
    assert peer_percentiles({"planning": 45.0}, peers[:-1]) is None
    found = peer_percentiles({"planning": 45.0, "environment": 50.0, "overall": None}, peers)
    assert found is not None and found["planning"] == pytest.approx(100.0)  # 0..40 all below
    assert found["environment"] is None and found["overall"] is None


def test_a_first_round_says_so(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "first finished round" in page
    assert "Comparisons appear once at least five other cities" in page


def test_the_second_round_shows_the_trend(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    make_assessment(official, level="2", submit=True)
    second = make_assessment(official, level="4", submit=True)
    page = client.get(f"/assessments/{second}/report").get_data(as_text=True)
    assert "Progress over time" in page and "<polyline" in page
    assert "+50.0" in page
    assert "answers changed since the last round" in page
    assert "Resolved" in page
    draft = make_assessment(official, level="3")
    draft_page = client.get(f"/assessments/{draft}/report").get_data(as_text=True)
    assert "Round 2" in draft_page  # the trend names the earlier rounds by their number


def test_the_trend_numbers_and_scores_every_finished_round_as_the_rounds_themselves(
    app: Flask, official: int, make_assessment: Callable[..., int]
) -> None:
    """The trend reads earlier rounds as score rows, numbered in one pass: the same numbers as
    each round's own ``round_number`` (a draft between them counts) and its frozen scores."""
    from app.reports.insights import report_insights

    finished = [make_assessment(official, level="2", submit=True)]
    make_assessment(official, level="3")  # a draft: no trend point, but a round number
    finished += [make_assessment(official, level=level, submit=True) for level in ("4", "1")]
    with app.app_context():
        latest = db.session.get(Assessment, finished[-1])
        assert latest is not None
        points = report_insights(latest).rounds
        rounds = [found for i in finished if (found := db.session.get(Assessment, i))]
        assert [(p.assessment_id, p.round_number, p.overall, p.when, p.areas) for p in points] == [
            (
                r.id,
                r.round_number,
                r.overall_score,
                r.submitted_at,
                (r.score_snapshot or {})["areas"],
            )
            for r in rounds
        ]
        assert [p.round_number for p in points] == [1, 3, 4]


def _approve(app: Flask, assessment_id: int) -> None:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        found.status = "approved"
        db.session.commit()


@pytest.fixture
def peers(app: Flask, make_user: Callable[..., int], make_assessment: Callable[..., int]) -> None:
    for i, level in enumerate(["1", "2", "3", "4", "5"]):
        user_id = make_user(f"peer{i}@p.example")
        _approve(app, make_assessment(user_id, level=level, submit=True))


def test_the_report_places_the_city_among_five_unnamed_peers(
    app: Flask,
    client: FlaskClient,
    peers: None,
    official: int,
    make_assessment: Callable[..., int],
) -> None:
    assessment_id = make_assessment(official, level="4", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Against the other cities" in page
    # Percentile 70 among five: above three, level with one; said in words, not as a number.
    assert '<span class="percentile">higher than 3 of 5 other cities</span>' in page
    assert "peer0@p.example" not in page and "City of peer" not in page
    assert "Distribution (admins only)" not in page


@pytest.mark.parametrize(
    ("level", "standing"), [("1", "lowest of 6 cities"), ("5", "higher than 4 of 5 other cities")]
)
def test_the_standing_is_said_in_words_at_either_end(
    client: FlaskClient,
    peers: None,
    official: int,
    make_assessment: Callable[..., int],
    level: str,
    standing: str,
) -> None:
    """Level with the lowest peer is the lowest; level with the highest is above the rest."""
    assessment_id = make_assessment(official, level=level, submit=True)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert f'<span class="percentile">{standing}</span>' in page


def test_admins_see_the_named_distribution(
    app: Flask,
    client: FlaskClient,
    peers: None,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> None:
    theirs = make_assessment(make_user("official@a.example"), level="4", submit=True)
    page = client.get(f"/assessments/{theirs}/report").get_data(as_text=True)
    assert "Distribution (admins only)" in page
    assert "City of peer0@p.example" in page


def test_four_peers_are_not_enough(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> None:
    for i in range(4):
        _approve(app, make_assessment(make_user(f"peer{i}@p.example"), level="3", submit=True))
    # A submitted but unapproved assessment of a fifth city does not count.
    fifth = make_assessment(make_user("peer9@p.example"), level="3", submit=True)
    assessment_id = make_assessment(official, level="4", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Comparisons appear once at least five other cities" in page
    # Once approved it counts at once, though the peers are kept between reports.
    reviewer_id = make_user("admin@x.example", role="admin")
    with app.app_context():
        approve_assessment(
            db.session.get_one(Assessment, fifth), db.session.get_one(User, reviewer_id)
        )
        db.session.commit()
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "Comparisons appear once" not in page and '<span class="percentile">' in page


def test_the_api_returns_trend_and_peers_naming_no_one_to_officials(
    app: Flask,
    client: FlaskClient,
    peers: None,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    user_id = make_user("official@a.example")
    make_assessment(user_id, level="2", submit=True)
    second = make_assessment(user_id, level="3", submit=True)
    body = client.get(
        f"/api/v1/assessments/{second}", headers=bearer(api_token("official@a.example"))
    ).get_json()
    since = body["trend"]["since_last"]
    assert len(body["trend"]["rounds"]) == 2
    assert since["overall_change"] == 25.0
    assert since["question_changes"][FIRST.id] == {"before": "2", "after": "3", "change_levels": 1}
    assert body["peers"]["other_cities"] == 5
    assert body["peers"]["percentiles"]["overall"] == 50.0
    assert "distribution" not in body["peers"]
    make_user("admin@x.example", role="admin")
    admin_body = client.get(
        f"/api/v1/assessments/{second}", headers=bearer(api_token("admin@x.example"))
    ).get_json()
    assert len(admin_body["peers"]["distribution"]) == 5
