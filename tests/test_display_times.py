"""Times on pages and PDFs are shown on the readers' clock (DISPLAY_TIMEZONE) with the zone named;
the API and exports keep UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import Assessment
from tests.conftest import bearer

# 02:05 UTC on the last day of November is 10:05 the same day in Beijing; 23:30 UTC is the next
# morning there, so a date taken in UTC would be a day early.
MORNING = datetime(2026, 11, 30, 2, 5, tzinfo=UTC)
LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def render(app: Flask, source: str, lang: str, **values: object) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return app.jinja_env.from_string(source).render(**values)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "2026-11-30 10:05 CST"), ("zh", "2026年11月30日 10:05 中国标准时间")],
)
def test_localtime_shows_beijing_time_with_the_zone_named(
    app: Flask, lang: str, expected: str
) -> None:
    assert render(app, "{{ t|localtime }}", lang, t=MORNING) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "December 1, 2026"), ("zh", "2026年12月1日")]
)
def test_localdate_is_the_day_on_the_readers_clock(app: Flask, lang: str, expected: str) -> None:
    assert render(app, "{{ t|localdate }}", lang, t=LATE) == expected
    assert render(app, "{{ t|localdate('yyyy-MM-dd') }}", lang, t=LATE) == "2026-12-01"


def test_a_missing_time_is_blank(app: Flask) -> None:
    assert render(app, "[{{ t|localtime }}][{{ t|localdate }}]", "en", t=None) == "[][]"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Europe/London", "2026-11-30 02:05 GMT"), ("UTC", "2026-11-30 02:05 UTC")],
)
def test_the_display_zone_is_configurable(app: Flask, zone: str, expected: str) -> None:
    app.config["DISPLAY_TIMEZONE"] = zone
    assert render(app, "{{ t|localtime }}", "en", t=MORNING) == expected


def test_an_unknown_display_zone_stops_start_up_with_its_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "DISPLAY_TIMEZONE": "Mars/Olympus",
            }
        )


@pytest.fixture
def submitted_in_the_morning(
    app: Flask, make_user: Callable[..., int], make_assessment: Callable[..., int]
) -> int:
    user_id = make_user("official@hangzhou.example")
    assessment_id = make_assessment(user_id, submit=True)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        assessment.submitted_at = MORNING
        db.session.commit()
    return assessment_id


def test_the_report_page_shows_the_local_time_and_the_api_keeps_utc(
    client: FlaskClient,
    login: Callable[..., Any],
    api_token: Callable[..., str],
    submitted_in_the_morning: int,
) -> None:
    login("official@hangzhou.example")
    page = client.get(f"/assessments/{submitted_in_the_morning}/report?lang=en").text
    assert "on 2026-11-30 10:05 CST" in page
    page = client.get(f"/assessments/{submitted_in_the_morning}/report?lang=zh").text
    assert "2026年11月30日 10:05 中国标准时间" in page

    token = api_token("official@hangzhou.example")
    found = client.get(f"/api/v1/assessments/{submitted_in_the_morning}", headers=bearer(token))
    assert found.get_json()["submitted_at"] == "2026-11-30T02:05:00+00:00"
