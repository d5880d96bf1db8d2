"""The reviewers' submissions list: filters, sort orders, pages, and messages for bad values."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.admin.filters import FilterProblem, Page, SubmissionFilters, parse_filters
from app.extensions import content, db
from app.models import Assessment
from tests.test_performance import statements_for


def area_overrides(area_id: str, level: str) -> dict[str, str]:
    """Answer every question of one area at ``level`` (as keyword overrides of make_assessment)."""
    area = content.current.area(area_id)
    assert area is not None
    return {q.id: level for q in area.questions}


def set_submitted_at(app: Flask, assessment_id: int, when: datetime) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Assessment).where(Assessment.id == assessment_id).values(submitted_at=when)
        )
        db.session.commit()


@pytest.fixture
def cities(
    app: Flask,
    make_city: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> dict[str, int]:
    """Four assessments of three cities, one draft, with known scores and submission dates.

    hangzhou: level 3 everywhere (overall 50), submitted 2026-03-10 23:30 UTC (11 March in China)
    wuhan:    level 5 everywhere except planning at 1 (index 66.7, level 3: the weakest link
              holds it back from 4), submitted 2026-04-20
    wuhan2:   level 4 everywhere (overall 75), submitted 2026-05-05
    draft:    an unfinished draft of 杭州 Hangzhou (no scores)
    """
    hz = make_user("official@hz.example", city_id=make_city("杭州 Hangzhou"))
    wh = make_user("chen@wuhan.example", city_id=make_city("武汉 Wuhan"))
    make_user("official@empty.example", city_id=make_city("Empty 100% City"))
    with app.app_context():
        low_planning = area_overrides("planning", "1")
    ids = {
        "hangzhou": make_assessment(hz, "3", submit=True),
        "wuhan": make_assessment(wh, "5", submit=True, **low_planning),
        "wuhan2": make_assessment(wh, "4", submit=True),
        "draft": make_assessment(hz, None),
    }
    set_submitted_at(app, ids["hangzhou"], datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    set_submitted_at(app, ids["wuhan"], datetime(2026, 4, 20, 8, 0, tzinfo=UTC))
    set_submitted_at(app, ids["wuhan2"], datetime(2026, 5, 5, 0, 0, tzinfo=UTC))
    return ids


def listed(client: FlaskClient, query: str = "") -> list[int]:
    """Ids of the rows the list shows, top to bottom."""
    response = client.get("/admin/assessments" + query)
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'id="compare-(\d+)"', response.get_data(as_text=True))]


def city_id_of(app: Flask, assessment_id: int) -> int:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        return found.city_id


def test_the_list_shows_every_city_newest_submission_first_drafts_last(
    client: FlaskClient, cities: dict[str, int]
) -> None:
    assert listed(client) == [cities[k] for k in ("wuhan2", "wuhan", "hangzhou", "draft")]
    page = client.get("/admin/assessments").get_data(as_text=True)
    assert "4 assessments" in page
    assert "杭州 Hangzhou" in page and "chen@wuhan.example" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=submitted", ["wuhan2", "wuhan", "hangzhou"]),
        ("?status=draft", ["draft"]),
        ("?level=3", ["wuhan", "hangzhou"]),
        ("?level=4", ["wuhan2"]),
        ("?from=2026-04-01", ["wuhan2", "wuhan"]),
        ("?to=2026-04-20", ["wuhan", "hangzhou"]),
        # 23:30 UTC on 10 March is 07:30 on 11 March on the readers' clock (Asia/Shanghai).
        ("?from=2026-03-11&to=2026-03-11", ["hangzhou"]),
        ("?to=2026-03-10", []),
        ("?from=2026-04-21&to=2026-05-04", []),
        ("?q=wuhan", ["wuhan2", "wuhan"]),
        ("?q=WUHAN", ["wuhan2", "wuhan"]),
        ("?q=" + quote("杭州"), ["hangzhou", "draft"]),
        ("?q=chen@", ["wuhan2", "wuhan"]),
        ("?q=%25", []),
        ("?q=_", []),
        ("?status=submitted&q=hangzhou", ["hangzhou"]),
    ],
)
def test_each_filter_keeps_the_rows_it_names(
    client: FlaskClient, cities: dict[str, int], query: str, expected: list[str]
) -> None:
    assert listed(client, query) == [cities[k] for k in expected]


def test_the_city_filter(app: Flask, client: FlaskClient, cities: dict[str, int]) -> None:
    wuhan = city_id_of(app, cities["wuhan"])
    assert listed(client, f"?city={wuhan}") == [cities["wuhan2"], cities["wuhan"]]
    page = client.get(f"/admin/assessments?city={wuhan}").get_data(as_text=True)
    assert f'<option value="{wuhan}" selected>武汉 Wuhan</option>' in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?city=99999", "city"),
        ("?city=abc", "city"),
        ("?status=lost", "status"),
        ("?level=9", "level"),
        ("?level=-1", "level"),
        ("?from=2026-02-30", "from"),
        ("?to=yesterday", "to"),
        ("?from=2026-05-01&to=2026-04-01", "to"),
        ("?q=" + "x" * 101, "q"),
    ],
)
def test_a_bad_filter_value_is_left_out_with_a_message_beside_its_field(
    client: FlaskClient, cities: dict[str, int], query: str, field: str
) -> None:
    response = client.get("/admin/assessments" + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="filter-{field}-error"' in page
    assert f'aria-invalid="true" aria-describedby="filter-{field}-error"' in page
    if field != "from" and "from=" in query:
        assert listed(client, query) == [cities["wuhan2"]]
    elif field != "from":
        assert len(listed(client, query)) == 4


def test_a_bad_value_message_is_in_chinese_too(client: FlaskClient, cities: dict[str, int]) -> None:
    page = client.get("/admin/assessments?level=9&lang=zh").get_data(as_text=True)
    assert "请选择 1 至 5 级" in page


@pytest.mark.parametrize(
    ("sort", "descending", "ascending"),
    [
        ("date", ["wuhan2", "wuhan", "hangzhou"], ["hangzhou", "wuhan", "wuhan2"]),
        ("overall", ["wuhan2", "wuhan", "hangzhou"], ["hangzhou", "wuhan", "wuhan2"]),
        ("planning", ["wuhan2", "hangzhou", "wuhan"], ["wuhan", "hangzhou", "wuhan2"]),
        ("environment", ["wuhan", "wuhan2", "hangzhou"], ["hangzhou", "wuhan2", "wuhan"]),
        ("participation", ["wuhan", "wuhan2", "hangzhou"], ["hangzhou", "wuhan2", "wuhan"]),
    ],
)
def test_each_sort_order_both_ways_with_unscored_drafts_last(
    client: FlaskClient,
    cities: dict[str, int],
    sort: str,
    descending: list[str],
    ascending: list[str],
) -> None:
    draft = [cities["draft"]]
    assert listed(client, f"?sort={sort}") == [cities[k] for k in descending] + draft
    assert listed(client, f"?sort={sort}&dir=asc") == [cities[k] for k in ascending] + draft


def test_sort_links_keep_the_filters_and_say_which_column_sorts(
    client: FlaskClient, cities: dict[str, int]
) -> None:
    page = client.get("/admin/assessments?status=submitted&sort=overall").get_data(as_text=True)
    assert 'aria-sort="descending"' in page
    assert 'href="/admin/assessments?status=submitted&amp;sort=overall&amp;dir=asc"' in page
    assert 'href="/admin/assessments?status=submitted&amp;sort=planning"' in page
    # Applying the filter form keeps the sort order in hidden fields.
    assert '<input type="hidden" name="sort" value="overall">' in page


def test_an_unknown_sort_order_falls_back_to_the_date_with_a_notice(
    client: FlaskClient, cities: dict[str, int]
) -> None:
    page = client.get("/admin/assessments?sort=secret").get_data(as_text=True)
    assert "There is no such sort order" in page
    assert listed(client, "?sort=secret") == listed(client)


@pytest.fixture
def thirty(
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
    make_city: Callable[..., int],
) -> list[int]:
    """Thirty drafts of one city (drafts are quick to make), newest id first."""
    official = make_user("official@many.example", city_id=make_city("Many"))
    made = [make_assessment(official, None) for _ in range(30)]
    return made[::-1]


def test_pages_of_twenty_five_with_the_total(client: FlaskClient, thirty: list[int]) -> None:
    assert listed(client) == thirty[:25]
    assert listed(client, "?page=2") == thirty[25:]
    page = client.get("/admin/assessments?page=2").get_data(as_text=True)
    assert "30 assessments" in page and "showing 26–30" in page
    assert 'aria-current="page">2<' in page and 'rel="prev" href="/admin/assessments"' in page


@pytest.mark.parametrize(("query", "rows"), [("?page=99", 5), ("?page=abc", 25), ("?page=0", 25)])
def test_a_page_beyond_the_end_or_not_a_number_shows_a_page_that_exists(
    client: FlaskClient, thirty: list[int], query: str, rows: int
) -> None:
    assert len(listed(client, query)) == rows


def test_paging_links_keep_filters_and_sort(client: FlaskClient, thirty: list[int]) -> None:
    page = client.get("/admin/assessments?q=many&sort=overall&dir=asc").get_data(as_text=True)
    assert 'href="/admin/assessments?q=many&amp;sort=overall&amp;dir=asc&amp;page=2"' in page


def test_the_list_costs_the_same_for_five_or_fifty_assessments(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> None:
    officials = [make_user(f"official@c{n}.example") for n in range(5)]
    for official in officials:
        make_assessment(official, "2", submit=True)
    few = statements_for(app, client, "/admin/assessments?per_page=100")
    officials += [make_user(f"official@d{n}.example") for n in range(20)]
    for n in range(45):
        make_assessment(officials[n % 25], None if n % 3 else "4", submit=n % 3 == 0)
    # Both requests build the city drop-down afresh: new cities came in between.
    assert statements_for(app, client, "/admin/assessments") == few


def test_the_city_drop_down_and_the_count_are_made_once_and_again_when_a_city_is_added(
    app: Flask,
    client: FlaskClient,
    make_city: Callable[..., int],
    admin: int,
) -> None:
    make_city("Hangzhou")
    first = statements_for(app, client, "/admin/assessments")
    # The drop-down and the count of rows are both made once per version of the data.
    assert statements_for(app, client, "/admin/assessments") == first - 2
    added = make_city("<b>Ürümqi</b>")
    page = client.get(f"/admin/assessments?city={added}").get_data(as_text=True)
    assert f'<option value="{added}" selected>&lt;b&gt;Ürümqi&lt;/b&gt;</option>' in page
    assert ">Hangzhou</option>" in page


def test_parse_filters_without_an_app() -> None:
    parsed = parse_filters({"status": "approved", "level": "٣", "page": "2", "dir": "asc"})
    assert parsed.filters == SubmissionFilters(status="approved", page=2, descending=False)
    assert parsed.problems == {"level": FilterProblem.NOT_A_LEVEL}
    assert parsed.filters.query_args() == {"status": "approved", "dir": "asc", "page": "2"}
    assert parsed.filters.filter_args() == {"status": "approved"}


@pytest.mark.parametrize(
    ("wanted", "total", "number", "first", "last"),
    [(1, 0, 1, 0, 0), (3, 60, 3, 51, 60), (9, 60, 3, 51, 60), (0, 60, 1, 1, 25)],
)
def test_page_arithmetic(wanted: int, total: int, number: int, first: int, last: int) -> None:
    page = Page.clamp(wanted, 25, total)
    assert (page.number, page.first_row, page.last_row) == (number, first, last)


def test_the_count_of_rows_follows_every_write(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> None:
    official = make_user("counted@a.example")
    make_assessment(official, level="3", submit=True)
    assert "1 assessment" in client.get("/admin/assessments?status=submitted").get_data(
        as_text=True
    )
    make_assessment(official, level="2", submit=True)
    assert "2 assessments" in client.get("/admin/assessments?status=submitted").get_data(
        as_text=True
    )
