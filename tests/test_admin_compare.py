"""Comparing two to six assessments: scores side by side, one chart, the largest differences."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.admin.filters import CompareProblem, parse_compare_ids

FIRST = "planning.top_level_design"


@pytest.fixture
def rounds(
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
    make_city: Callable[..., int],
) -> list[int]:
    """Seven submitted assessments: two rounds of 杭州 Hangzhou, then five other cities."""
    hangzhou = make_user("official@hz.example", city_id=make_city("杭州 Hangzhou"))
    made = [
        make_assessment(hangzhou, "2", submit=True, **{FIRST: "1"}),
        make_assessment(hangzhou, "4", submit=True, **{FIRST: "5"}),
    ]
    for n in range(5):
        made.append(make_assessment(make_user(f"official@c{n}.example"), "3", submit=True))
    return made


def compare(client: FlaskClient, ids: list[int | str]) -> tuple[int, str]:
    response = client.get("/admin/compare?" + "&".join(f"ids={i}" for i in ids))
    return response.status_code, response.get_data(as_text=True)


def test_two_rounds_of_one_city_side_by_side(client: FlaskClient, rounds: list[int]) -> None:
    status, page = compare(client, rounds[:2])
    assert status == 200
    assert "Hangzhou · round 1 (" in page and "Hangzhou · round 2 (" in page
    assert "Round 1" in page and "Round 2" in page
    assert page.count('<svg class="chart compare-chart"') == 1
    # The first question went from level 1 to 5: the largest difference, listed first.
    diff = page[page.index('id="diff-heading"') :]
    assert re.search(r"4 levels", diff)
    assert f'href="/admin/questions#{FIRST}"' in diff


def test_six_assessments_each_with_its_own_colour(client: FlaskClient, rounds: list[int]) -> None:
    status, page = compare(client, rounds[:6])
    assert status == 200
    chart = page[page.index('<svg class="chart compare-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert (
        len(set(re.findall(r'fill="(#[0-9a-f]{6})"', chart)) - {"#f4f6f9", "#4a5563", "#1f2933"})
        == 6
    )


def test_the_same_level_everywhere_has_no_differences(
    client: FlaskClient, rounds: list[int]
) -> None:
    status, page = compare(client, rounds[2:4])
    assert status == 200
    assert "give the same level to every question" in page


@pytest.mark.parametrize(
    ("pick", "status", "message"),
    [
        ([0], 400, "at least two"),
        ([], 400, "at least two"),
        ([0, 0], 400, "at least two"),
        ([0, 1, 2, 3, 4, 5, 6], 400, "at most six"),
        (["x"], 400, "by their number"),
    ],
)
def test_a_choice_that_cannot_be_compared_says_why(
    client: FlaskClient, rounds: list[int], pick: list[Any], status: int, message: str
) -> None:
    ids = [rounds[i] if isinstance(i, int) else i for i in pick]
    got, page = compare(client, ids)
    assert got == status and message in page
    assert 'role="alert"' in page


def test_unknown_ids_are_named(client: FlaskClient, rounds: list[int]) -> None:
    status, page = compare(client, [rounds[0], 99999, 99998])
    assert status == 404
    assert "#99999, #99998" in page


def test_an_official_cannot_compare(
    client: FlaskClient, rounds: list[int], switch_user: Callable[..., Any]
) -> None:
    switch_user("official@hz.example")
    assert compare(client, rounds[:2])[0] == 403


def test_the_list_ticks_rows_into_the_comparison(client: FlaskClient, rounds: list[int]) -> None:
    page = client.get("/admin/assessments").get_data(as_text=True)
    assert '<form method="get" action="/admin/compare" id="compare-form"' in page
    assert f'name="ids" value="{rounds[0]}" form="compare-form"' in page


def test_parse_compare_ids() -> None:
    assert parse_compare_ids(["3", "1", "3"]) == ([3, 1], None)
    assert parse_compare_ids(["1"]) == ([1], CompareProblem.TOO_FEW)
    assert parse_compare_ids([str(n) for n in range(1, 8)])[1] is CompareProblem.TOO_MANY
    assert parse_compare_ids(["1", "-2"]) == ([], CompareProblem.NOT_AN_ID)
