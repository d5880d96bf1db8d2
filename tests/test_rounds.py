"""Evaluation rounds: a reviewer opens one, cities' assessments join it, the round page follows
every covered city to the due date and past it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import content, db
from app.models import Assessment, EvaluationRound, RoundCity
from tests.conftest import bearer

DUE = date.today() + timedelta(days=30)


@pytest.fixture
def province(
    make_city: Callable[..., int],
    make_province: Callable[..., int],
    make_user: Callable[..., int],
) -> dict[str, int]:
    """浙江省 with 杭州 and 宁波, 广东省 with 深圳, an official in each city and a reviewer of
    each province."""
    hangzhou, ningbo, shenzhen = make_city("杭州"), make_city("宁波"), make_city("深圳")
    zhejiang = make_province("浙江省", hangzhou, ningbo)
    guangdong = make_province("广东省", shenzhen)
    return {
        "hangzhou": hangzhou,
        "ningbo": ningbo,
        "shenzhen": shenzhen,
        "official_hz": make_user("a@hz.example", city_id=hangzhou),
        "official_nb": make_user("b@nb.example", city_id=ningbo),
        "official_sz": make_user("c@sz.example", city_id=shenzhen),
        "reviewer": make_user("zj@review.example", role="admin", province_id=zhejiang),
        "other_reviewer": make_user("gd@review.example", role="admin", province_id=guangdong),
    }


def _open(client: FlaskClient, **fields: Any) -> int:
    data = {
        "name": "2026年度第一批",
        "questionnaire_version": content.current.version,
        "due_on": DUE.isoformat(),
        **fields,
    }
    if "cities" not in fields:
        # What the page sends: the checkboxes it ticks, every city the reviewer sees.
        page = client.get("/rounds").get_data(as_text=True)
        data["cities"] = re.findall(
            r'<input checked id="cities-\d+" name="cities"[^>]*value="(\d+)"', page
        )
    response = client.post("/rounds", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_round_covers_the_reviewers_province_by_default(
    app: Flask, client: FlaskClient, login: Callable[..., Any], province: dict[str, int]
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    with app.app_context():
        covered = set(
            db.session.scalars(sa.select(RoundCity.city_id).where(RoundCity.round_id == round_id))
        )
        assert covered == {province["hangzhou"], province["ningbo"]}
    refused = client.post(
        "/rounds",
        data={
            "name": "x",
            "questionnaire_version": content.current.version,
            "due_on": DUE.isoformat(),
            "cities": [province["shenzhen"]],
        },
    )
    assert refused.status_code == 200  # another province's city is not a choice


def test_officials_see_their_round_and_their_assessment_joins_it(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    switch_user: Callable[..., Any],
    province: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    switch_user("a@hz.example")
    home = client.get("/assessments").get_data(as_text=True)
    assert "2026年度第一批" in home and DUE.isoformat() in home
    joined = make_assessment(province["official_hz"], level=None)
    elsewhere = make_assessment(province["official_sz"], level=None)
    with app.app_context():
        assert db.session.get(Assessment, joined).round_id == round_id  # type: ignore[union-attr]
        assert db.session.get(Assessment, elsewhere).round_id is None  # type: ignore[union-attr]


def test_the_round_page_follows_each_city_to_the_due_date_and_after(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    province: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    make_assessment(province["official_hz"], level=None)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Draft (1)" in page and "Not started (1)" in page
    with app.app_context():
        evaluation_round = db.session.get(EvaluationRound, round_id)
        assert evaluation_round is not None
        evaluation_round.due_on = date.today() - timedelta(days=1)
        db.session.commit()
    late = make_assessment(province["official_nb"], submit=True)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Overdue (1)" in page and "Submitted (1)" in page and "late" in page
    overdue = client.get(f"/rounds/{round_id}?progress=overdue").get_data(as_text=True)
    assert "杭州" in overdue and "宁波" not in overdue
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/rounds/{round_id}/progress.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert {(r["city"], r["progress"], r["late"]) for r in rows} == {
        ("杭州", "overdue", "no"),
        ("宁波", "submitted", "yes"),
    }
    detail = client.get(f"/admin/assessments/{late}").get_data(as_text=True)
    assert "2026年度第一批" in detail and "filed late" in detail
    with app.app_context():
        assert db.session.get(Assessment, late).filed_late  # type: ignore[union-attr]


def test_a_closed_round_takes_no_new_assessment(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    province: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    assert client.post(f"/rounds/{round_id}/close").status_code == 302
    assert "closed already" in client.post(
        f"/rounds/{round_id}/close", follow_redirects=True
    ).get_data(as_text=True)
    after = make_assessment(province["official_hz"], level=None)
    with app.app_context():
        assert db.session.get(Assessment, after).round_id is None  # type: ignore[union-attr]


def test_another_provinces_round_is_not_found(
    client: FlaskClient,
    login: Callable[..., Any],
    switch_user: Callable[..., Any],
    province: dict[str, int],
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    switch_user("gd@review.example")
    assert client.get(f"/rounds/{round_id}").status_code == 404
    assert client.get(f"/rounds/{round_id}/progress.csv").status_code == 404
    assert client.post(f"/rounds/{round_id}/close").status_code == 404
    assert "2026年度第一批" not in client.get("/rounds").get_data(as_text=True)


def test_the_api_gives_rounds_to_reviewers_and_rounds_on_assessments(
    client: FlaskClient,
    login: Callable[..., Any],
    api_token: Callable[..., str],
    province: dict[str, int],
    make_assessment: Callable[..., int],
) -> None:
    assert login("zj@review.example").status_code == 302
    round_id = _open(client)
    joined = make_assessment(province["official_hz"], level=None)
    token = api_token("zj@review.example")
    listed = client.get("/api/v1/rounds", headers=bearer(token)).get_json()["items"]
    assert [(r["id"], r["counts"]["draft"], r["counts"]["not_started"]) for r in listed] == [
        (round_id, 1, 1)
    ]
    one = client.get(f"/api/v1/rounds/{round_id}", headers=bearer(token)).get_json()
    progress = {c["city"]["name"]: (c["progress"], c["assessment_id"]) for c in one["cities"]}
    assert progress == {"杭州": ("draft", joined), "宁波": ("not_started", None)}
    assert one["cities"][0]["city"]["province"]["name"] == "浙江省"
    assessment = client.get(f"/api/v1/assessments/{joined}", headers=bearer(token)).get_json()
    assert assessment["round"] == {
        "id": round_id,
        "name": "2026年度第一批",
        "due_on": DUE.isoformat(),
        "late": False,
    }
    assert assessment["city"]["province"]["name"] == "浙江省"
    other = api_token("gd@review.example")
    assert client.get(f"/api/v1/rounds/{round_id}", headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/rounds", headers=bearer(other)).get_json()["items"] == []
    official = api_token("a@hz.example")
    assert client.get("/api/v1/rounds", headers=bearer(official)).status_code == 403
