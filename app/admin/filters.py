"""The reviewers' filters, sort order and page over all submissions, read from a query string.

Pure parsing with no Flask and no database: the same rules serve the list page, its CSV and
the API's admin export, so all three always agree on what a filter means. A value that cannot
be used is dropped and reported under its field's name, never raised: a mistyped URL shows the
page with a message beside the field instead of an error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app.core.questionnaire import AREA_IDS

STATUS_CHOICES = ("draft", "submitted", "approved", "returned")
LEVEL_CHOICES = (1, 2, 3, 4, 5)
SORT_KEYS = ("date", "overall", *AREA_IDS)
"""Sortable columns: the submission date, the overall score and each area's score."""
PER_PAGE = 25
TEXT_MAX_LENGTH = 100


class FilterProblem(StrEnum):
    """Why a given value was set aside; the pages turn each into a sentence in both languages."""

    NOT_A_CITY = "not_a_city"
    NOT_A_STATUS = "not_a_status"
    NOT_A_LEVEL = "not_a_level"
    NOT_A_DATE = "not_a_date"
    DATES_REVERSED = "dates_reversed"
    TEXT_TOO_LONG = "text_too_long"
    NOT_A_SORT = "not_a_sort"


PROBLEM_TEXT = {
    FilterProblem.NOT_A_CITY: "must be the id of a city",
    FilterProblem.NOT_A_STATUS: "must be one of " + ", ".join(STATUS_CHOICES),
    FilterProblem.NOT_A_LEVEL: "must be a level from 1 to 5",
    FilterProblem.NOT_A_DATE: "must be a date as YYYY-MM-DD",
    FilterProblem.DATES_REVERSED: "must not be before 'from'",
    FilterProblem.TEXT_TOO_LONG: f"must be at most {TEXT_MAX_LENGTH} characters",
    FilterProblem.NOT_A_SORT: "must be one of " + ", ".join(SORT_KEYS),
}
"""The problems in English, for the JSON API, whose error messages are always English."""


@dataclass(frozen=True)
class SubmissionFilters:
    """What to show: every field None (or empty) means no restriction on it."""

    city_id: int | None = None
    status: str | None = None
    level: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    text: str = ""
    sort: str = "date"
    descending: bool = True
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        return any(
            (
                self.city_id,
                self.status,
                self.level,
                self.submitted_from,
                self.submitted_to,
                self.text,
            )
        )

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The query string that gives these filters back, with ``changes`` applied.

        Defaults are left out so links stay short; page 1 is the default page.
        """
        chosen = replace(self, **changes)
        args = {
            "city": str(chosen.city_id) if chosen.city_id else "",
            "status": chosen.status or "",
            "level": str(chosen.level) if chosen.level else "",
            "from": chosen.submitted_from.isoformat() if chosen.submitted_from else "",
            "to": chosen.submitted_to.isoformat() if chosen.submitted_to else "",
            "q": chosen.text,
            "sort": "" if chosen.sort == "date" else chosen.sort,
            "dir": "" if chosen.descending else "asc",
            "page": "" if chosen.page == 1 else str(chosen.page),
        }
        return {name: value for name, value in args.items() if value}

    def filter_args(self) -> dict[str, str]:
        """Only the filters, for links that keep them but start a new ordering or a download."""
        return self.query_args(sort="date", descending=True, page=1)


@dataclass(frozen=True)
class ParsedFilters:
    filters: SubmissionFilters
    problems: dict[str, FilterProblem]
    """Query-string name of each field whose value was set aside, and why."""


FIRST_DAY = date.min + timedelta(days=1)
LAST_DAY = date.max - timedelta(days=1)
"""The days whose midnights, on any clock, and the midnights after them, fall within the years
1 to 9999 in UTC, where Python's datetimes end: 0001-01-01 on Shanghai's clock began in year 0."""


def positive_int(raw: str) -> int | None:
    """A whole number from 1 to 2**31 - 1 in ASCII digits, or None: "²".isdigit() is true but
    int("²") fails, 10**19 overflows the database's integers, and int() refuses 5,000 digits."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return None
    return int(raw) if 0 < int(raw) < 2**31 else None


def _iso_date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def parse_filters(
    args: Mapping[str, str], known_city_ids: frozenset[int] | None = None
) -> ParsedFilters:
    """Read the filters from query arguments; ``known_city_ids`` checks the city when given."""
    problems: dict[str, FilterProblem] = {}

    def given(name: str) -> str:
        return (args.get(name) or "").strip()

    city_id = None
    if raw := given("city"):
        city_id = positive_int(raw)
        if city_id is None or (known_city_ids is not None and city_id not in known_city_ids):
            city_id, problems["city"] = None, FilterProblem.NOT_A_CITY
    status = given("status") or None
    if status is not None and status not in STATUS_CHOICES:
        status, problems["status"] = None, FilterProblem.NOT_A_STATUS
    level = None
    if raw := given("level"):
        level = positive_int(raw)
        if level not in LEVEL_CHOICES:
            level, problems["level"] = None, FilterProblem.NOT_A_LEVEL
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        dates[name] = None
        if raw := given(name):
            dates[name] = _iso_date(raw)
            if dates[name] is None:
                problems[name] = FilterProblem.NOT_A_DATE
    start, end = dates["from"], dates["to"]
    if start and end and start > end:
        end, problems["to"] = None, FilterProblem.DATES_REVERSED
    text = given("q")
    if len(text) > TEXT_MAX_LENGTH:
        text, problems["q"] = "", FilterProblem.TEXT_TOO_LONG
    sort = given("sort") or "date"
    if sort not in SORT_KEYS:
        sort, problems["sort"] = "date", FilterProblem.NOT_A_SORT
    return ParsedFilters(
        SubmissionFilters(
            city_id=city_id,
            status=status,
            level=level,
            submitted_from=start,
            submitted_to=end,
            text=text,
            sort=sort,
            descending=given("dir") != "asc",
            page=positive_int(given("page")) or 1,
        ),
        problems,
    )


@dataclass(frozen=True)
class Page:
    """One page of a list of ``total`` rows; ``number`` is already within the pages there are."""

    number: int
    per_page: int
    total: int

    @classmethod
    def clamp(cls, wanted: int, per_page: int, total: int) -> Page:
        """The wanted page, or the last one when the list has fewer pages than that."""
        return cls(min(max(wanted, 1), max(1, -(-total // per_page))), per_page, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.per_page, self.total)


COMPARE_MIN = 2
COMPARE_MAX = 6


class CompareProblem(StrEnum):
    """Why a choice of assessments cannot be compared."""

    NOT_AN_ID = "not_an_id"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"


def parse_compare_ids(raw: Sequence[str]) -> tuple[list[int], CompareProblem | None]:
    """The distinct ids asked for, in order, and what is wrong with them, if anything."""
    ids: list[int] = []
    for value in raw:
        number = positive_int(value)
        if number is None:
            return [], CompareProblem.NOT_AN_ID
        if number not in ids:
            ids.append(number)
    if len(ids) < COMPARE_MIN:
        return ids, CompareProblem.TOO_FEW
    if len(ids) > COMPARE_MAX:
        return ids, CompareProblem.TOO_MANY
    return ids, None
