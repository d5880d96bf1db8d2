"""Provinces: cities placed in them, provincial reviewers who see only theirs, and national
reviewers who see and arrange everything."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.admin.dashboard import dashboard
from app.assessments.workflow import approve_assessment
from app.extensions import content, db
from app.models import Assessment, City, Province, User
from tests.conftest import PASSWORD, bearer


def _create_user(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["create-user", "--password", PASSWORD, *args])


def test_create_user_places_a_new_city_in_its_province(app: Flask, runner: FlaskCliRunner) -> None:
    result = _create_user(
        runner,
        *("--email", "wang@hangzhou.example", "--role", "official", "--city", "杭州"),
        *("--province", "浙江省", "--tier", "prefecture"),
    )
    assert result.exit_code == 0, result.output
    # A second official of the same city needs no --province, and the same one is accepted.
    assert (
        _create_user(
            runner, "--email", "li@hangzhou.example", "--role", "official", "--city", "杭州"
        ).exit_code
        == 0
    )
    assert (
        _create_user(
            runner,
            *("--email", "xu@hangzhou.example", "--role", "official", "--city", "杭州"),
            *("--province", "浙江省"),
        ).exit_code
        == 0
    )
    refused = _create_user(
        runner,
        *("--email", "zhao@hangzhou.example", "--role", "official", "--city", "杭州"),
        *("--province", "广东省"),
    )
    assert refused.exit_code != 0 and "another province" in refused.output
    with app.app_context():
        city = db.session.scalar(sa.select(City).where(City.name == "杭州"))
        assert city is not None and city.province is not None
        assert (city.province.name, city.tier) == ("浙江省", "prefecture")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Province)) == 1


def test_create_user_makes_provincial_and_national_reviewers(
    app: Flask, runner: FlaskCliRunner
) -> None:
    provincial = _create_user(
        runner, "--email", "zj@review.example", "--role", "admin", "--province", "浙江省"
    )
    national = _create_user(runner, "--email", "nat@review.example", "--role", "admin")
    assert provincial.exit_code == 0 and "浙江省" in provincial.output
    assert national.exit_code == 0, national.output
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        assert users["zj@review.example"].province is not None
        assert not users["zj@review.example"].is_national_reviewer
        assert users["nat@review.example"].is_national_reviewer


@pytest.fixture
def two_provinces(
    make_city: Callable[..., int],
    make_province: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> dict[str, int]:
    """An approved-for-review assessment in 杭州 (浙江省) and one in 深圳 (广东省), and a
    reviewer of 浙江省."""
    hangzhou, shenzhen = make_city("杭州"), make_city("深圳")
    zhejiang = make_province("浙江省", hangzhou)
    make_province("广东省", shenzhen)
    return {
        "zhejiang": zhejiang,
        "hangzhou": hangzhou,
        "shenzhen": shenzhen,
        "mine": make_assessment(make_user("a@hz.example", city_id=hangzhou), "3", submit=True),
        "theirs": make_assessment(make_user("b@sz.example", city_id=shenzhen), "2", submit=True),
        "reviewer": make_user("zj@review.example", role="admin", province_id=zhejiang),
    }


def test_a_provincial_reviewer_sees_their_province_alone(
    client: FlaskClient,
    login: Callable[..., Any],
    api_token: Callable[..., str],
    two_provinces: dict[str, int],
) -> None:
    mine, theirs = two_provinces["mine"], two_provinces["theirs"]
    assert login("zj@review.example").status_code == 302
    listed = client.get("/admin/assessments").get_data(as_text=True)
    assert "杭州" in listed and "深圳" not in listed
    exported = client.get("/admin/assessments.csv").get_data(as_text=True)
    assert "杭州" in exported and "深圳" not in exported
    assert client.get(f"/admin/assessments/{theirs}").status_code == 404
    assert client.get(f"/assessments/{theirs}/report").status_code == 404
    assert client.get(f"/admin/assessments/{mine}").status_code == 200
    assert client.get(f"/admin/compare?ids={mine}&ids={theirs}").status_code == 404
    assert "深圳" not in client.get("/assessments").get_data(as_text=True)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/provinces").status_code == 403

    token = api_token("zj@review.example")
    items = client.get("/api/v1/assessments", headers=bearer(token)).get_json()["items"]
    assert [item["id"] for item in items] == [mine]
    exported_json = client.get("/api/v1/admin/assessments", headers=bearer(token)).get_json()
    assert [item["id"] for item in exported_json["items"]] == [mine]
    assert client.get(f"/api/v1/assessments/{theirs}", headers=bearer(token)).status_code == 404
    filed = client.post(
        "/api/v1/assessments",
        json={"city_id": two_provinces["shenzhen"], "answers": {}},
        headers=bearer(token),
    )
    assert filed.status_code == 422 and filed.get_json()["errors"]["city_id"] == "no such city"


def test_the_dashboard_counts_the_reviewers_province(
    client: FlaskClient, login: Callable[..., Any], two_provinces: dict[str, int]
) -> None:
    assert login("zj@review.example").status_code == 302
    page = client.get("/admin").get_data(as_text=True)
    assert "深圳" not in page
    with client.application.app_context():
        reviewer = db.session.get(User, two_provinces["reviewer"])
        assert reviewer is not None
        assert dashboard(content.current, reviewer).by_status["submitted"] == 1
        assert dashboard(content.current, User(role="admin")).by_status["submitted"] == 2


def test_national_reviewers_add_provinces_and_move_cities(
    app: Flask, client: FlaskClient, admin: int, two_provinces: dict[str, int]
) -> None:
    assert client.post("/provinces", data={"name": "江苏省"}).status_code == 302
    again = client.post("/provinces", data={"name": "江苏省"})
    assert again.status_code == 200 and "already" in again.get_data(as_text=True)
    with app.app_context():
        jiangsu = db.session.scalar(sa.select(Province.id).where(Province.name == "江苏省"))
    moved = client.post(
        "/provinces/move",
        data={"city": two_provinces["shenzhen"], "province": jiangsu, "tier": "district"},
    )
    assert moved.status_code == 302
    with app.app_context():
        city = db.session.get(City, two_provinces["shenzhen"])
        assert city is not None and (city.province_id, city.tier) == (jiangsu, "district")
    assert "江苏省" in client.get("/provinces").get_data(as_text=True)


@pytest.fixture
def zhejiang_peers(
    app: Flask,
    make_city: Callable[..., int],
    make_province: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
) -> dict[str, int]:
    """Six approved prefecture-level cities of 浙江省 and four county-level ones of 江苏省: a
    province and a tier with five others to compare with, and one without."""
    zhejiang = [make_city(f"浙江{i}") for i in range(6)]
    jiangsu = [make_city(f"江苏{i}") for i in range(4)]
    make_province("浙江省", *zhejiang)
    make_province("江苏省", *jiangsu)
    reviewer = make_user("nat@review.example", role="admin")
    approved = {}
    for i, city_id in enumerate([*zhejiang, *jiangsu]):
        official = make_user(f"o{i}@x.example", city_id=city_id)
        approved[city_id] = make_assessment(official, str(1 + i % 5), submit=True)
    with app.app_context():
        admin = db.session.get(User, reviewer)
        assert admin is not None
        for city_id, assessment_id in approved.items():
            city = db.session.get(City, city_id)
            assessment = db.session.get(Assessment, assessment_id)
            assert city is not None and assessment is not None
            city.tier = "prefecture" if city_id in zhejiang else "county_city"
            approve_assessment(assessment, admin)
        db.session.commit()
    return {"zhejiang": approved[zhejiang[0]], "jiangsu": approved[jiangsu[0]]}


def test_the_national_overview_rolls_cities_up_by_province(
    client: FlaskClient, login: Callable[..., Any], zhejiang_peers: dict[str, int]
) -> None:
    assert login("nat@review.example").status_code == 302
    page = client.get("/rounds/overview").get_data(as_text=True)
    rows = [part.split("</th>")[0] for part in page.split('<th scope="row">')[1:]]
    assert rows == ["江苏省", "浙江省"]


def test_percentiles_within_province_and_tier_from_five_cities_up(
    client: FlaskClient, api_token: Callable[..., str], zhejiang_peers: dict[str, int]
) -> None:
    token = api_token("nat@review.example")
    zhejiang = client.get(
        f"/api/v1/assessments/{zhejiang_peers['zhejiang']}", headers=bearer(token)
    ).get_json()["peers"]
    assert zhejiang["percentiles"] is not None
    assert zhejiang["province_percentiles"] is not None
    assert zhejiang["tier_percentiles"] is not None
    jiangsu = client.get(
        f"/api/v1/assessments/{zhejiang_peers['jiangsu']}", headers=bearer(token)
    ).get_json()["peers"]
    assert jiangsu["percentiles"] is not None
    assert jiangsu["province_percentiles"] is None and jiangsu["tier_percentiles"] is None


def test_a_provincial_reviewer_sees_no_named_national_distribution(
    client: FlaskClient,
    make_user: Callable[..., int],
    login: Callable[..., Any],
    zhejiang_peers: dict[str, int],
) -> None:
    with client.application.app_context():
        province = db.session.scalar(sa.select(Province.id).where(Province.name == "浙江省"))
    make_user("zj@review.example", role="admin", province_id=province)
    assert login("zj@review.example").status_code == 302
    report = client.get(f"/assessments/{zhejiang_peers['zhejiang']}/report")
    page = report.get_data(as_text=True)
    assert report.status_code == 200 and "江苏0" not in page
    assert re.search(r"Within 浙江省: a higher index than \d+% of the other cities there", page)
    overview = client.get("/rounds/overview").get_data(as_text=True)
    assert "浙江0" in overview and "江苏0" not in overview
