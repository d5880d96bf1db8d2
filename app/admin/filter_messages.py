"""What reviewers read when a filter value in the address could not be used."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import gettext as _

from app.admin.filters import TEXT_MAX_LENGTH, CompareProblem, FilterProblem

_MESSAGES: dict[FilterProblem, Callable[[], str]] = {
    FilterProblem.NOT_A_CITY: lambda: _("There is no such city; all cities are shown."),
    FilterProblem.NOT_A_STATUS: lambda: _("There is no such status; all statuses are shown."),
    FilterProblem.NOT_A_LEVEL: lambda: _("Choose a level from 1 to 5; all levels are shown."),
    FilterProblem.NOT_A_DATE: lambda: _(
        "Give the date as YYYY-MM-DD, for example 2026-03-31; it was left out."
    ),
    FilterProblem.DATES_REVERSED: lambda: _("This date is before the start date; it was left out."),
    FilterProblem.TEXT_TOO_LONG: lambda: _(
        "Search for at most %(num)d characters; the search was left out.", num=TEXT_MAX_LENGTH
    ),
    FilterProblem.NOT_A_SORT: lambda: _("There is no such sort order; the list is sorted by date."),
}


def filter_messages(problems: Mapping[str, FilterProblem]) -> dict[str, str]:
    """A sentence, in the page's language, for each query argument that was set aside."""
    return {name: _MESSAGES[problem]() for name, problem in problems.items()}


def compare_message(problem: CompareProblem) -> str:
    """Why the chosen assessments cannot be compared, and what to do instead."""
    if problem is CompareProblem.NOT_AN_ID:
        return _("Assessments are chosen by their number, such as ids=12.")
    if problem is CompareProblem.TOO_FEW:
        return _("Tick at least two assessments to compare, at most six.")
    return _("Tick at most six assessments: more would not fit side by side.")
