"""Two versions per city, advanced by the database writes themselves, which caches key on.

Instead of a list of the tables each cache reads, which a new report section would forget, every
flush that inserts, changes or deletes a row advances the ``data_version`` of the city the row
belongs to. The version of all the data is the count and the sum of the cities' versions: it
moves with every committed write anywhere, and reading it is one small aggregate.

A report shows its own city's data and, from other cities, only what the peer comparison reads
(their latest approved rounds, their names, provinces and tiers). A write to such a row, listed
in ``SHOWN_TO_OTHER_CITIES``, also advances its city's ``shared_version``; a report is then
keyed by its own city's ``data_version`` and the sum of every city's ``shared_version``
(``app.reports.versions``), so a draft saved in one city leaves every other city's report, and
its stored PDF, current.

Each model either names the way from its rows to their city in ``CITY_OF`` or is listed in
``NOT_SHOWN`` with the reason no page or cache reads it; a flush of any other model is
refused, so a new table cannot slip past the version. A bulk UPDATE, DELETE or INSERT through
the ORM advances the cities it names (``execution_options(data_version_cities=[...])``), or
every city when it names none, and their shared versions too unless it says its rows are not
shown to other cities (``data_version_shown_elsewhere=False``). Only SQL written outside the
ORM (by hand, or in a migration that changes data) must advance the versions itself:
``UPDATE city SET data_version = data_version + 1, shared_version = shared_version + 1``.

Counters per city rather than one global row: writers in different cities never wait for each
other's commit, which one hot row would make them do on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.models import (
    PEER_STATUS,
    ActionItem,
    Answer,
    ApiToken,
    Assessment,
    AuditEvent,
    City,
    Department,
    DepartmentAnswer,
    EndedSession,
    EvaluationRound,
    EvidenceBlob,
    EvidenceFile,
    Notification,
    PaperFormId,
    Province,
    ReviewerNote,
    RoundCity,
    StatusChange,
    StoredDocument,
    Survey,
    SurveyAnswerCount,
    SurveyInvitation,
    SurveyResponse,
    SurveyTally,
    Target,
    User,
)

CITY_OF: dict[type[Any], tuple[str, type[Any] | None]] = {
    City: ("id", None),
    Assessment: ("city_id", None),
    Target: ("city_id", None),
    ActionItem: ("city_id", None),
    Survey: ("city_id", None),
    Answer: ("assessment_id", Assessment),
    StatusChange: ("assessment_id", Assessment),
    Department: ("assessment_id", Assessment),
    ReviewerNote: ("status_change_id", StatusChange),
    SurveyResponse: ("survey_id", Survey),
    SurveyTally: ("survey_id", Survey),
    SurveyInvitation: ("survey_id", Survey),
    DepartmentAnswer: ("department_id", Department),
    EvidenceFile: ("assessment_id", Assessment),
    # Reports and lists show authors' and reviewers' emails: see ``_cities_of_users``.
    User: ("city_id", None),
}
"""Per model, the column that leads to its city: the city's id, or a parent's id (then the
parent model, whose own entry leads on)."""

NOT_SHOWN: dict[type[Any], str] = {
    ApiToken: "only checked when a client signs in; no page or cache shows a token",
    AuditEvent: "read only by the audit log page, which is never cached",
    EndedSession: "only checked when a session cookie is loaded; no page shows it",
    SurveyAnswerCount: "only counted against the survey's limit per address; no page shows it",
    EvidenceBlob: "only streamed on download, never cached; its EvidenceFile row, written with "
    "it, advances the city's version",
    PaperFormId: "only checked when a paper form is keyed in; no page or cache shows it",
    Notification: "read live by the inbox and the unread count, never cached",
    Province: "cached pages name a province only through a city, whose own row moves when it "
    "changes province; a province is added, never renamed",
    EvaluationRound: "cached pages (an assessment's API answer) show only a round's name and due "
    "date, fixed when it opens; round pages and officials' home pages read the rest live",
    RoundCity: "which cities a round covers is read live by round pages and officials' home "
    "pages, never cached",
    StoredDocument: "a rendering keyed by the version it shows: storing it must not move that "
    "version, or every stored report would be stale the moment it was stored",
}


def _compared_round(assessment: Assessment) -> bool:
    """Whether the assessment is, or was until this write, a round compared between cities."""
    state = sa.inspect(assessment)
    history = state.attrs.status.history
    statuses = {*history.added, *history.unchanged, *history.deleted, state.dict.get("status")}
    return PEER_STATUS in statuses


SHOWN_TO_OTHER_CITIES: dict[type[Any], Callable[[Any], bool]] = {
    City: lambda city: True,  # peers are named, and compared by province and tier
    Assessment: _compared_round,
}
"""The models, among ``CITY_OF``'s, whose rows other cities' reports show, and which rows: the
peer comparison (``app.reports.peers``) reads only these. A write to one of them also advances
the ``shared_version`` of its city."""

VERSION_OPTION = "data_version_cities"
"""The execution option by which a bulk ORM statement names the cities whose data it writes."""
SHOWN_ELSEWHERE_OPTION = "data_version_shown_elsewhere"
"""The execution option by which a bulk ORM statement on a model of ``SHOWN_TO_OTHER_CITIES``
says whether the rows it writes are among those shown (False only when known: it is taken to
be True otherwise)."""


CITY_COUNT = sa.select(sa.func.count(City.id)).scalar_subquery()
WRITES = sa.select(sa.func.coalesce(sa.func.sum(City.data_version), 0)).scalar_subquery()
"""The two parts of the version, as subqueries for a statement that reads more beside them."""
SHARED_WRITES = sa.select(sa.func.coalesce(sa.func.sum(City.shared_version), 0)).scalar_subquery()
"""With ``CITY_COUNT``, the version of all that other cities' reports show."""

_CURRENT = sa.select(CITY_COUNT, WRITES)
_SHARED = sa.select(CITY_COUNT, SHARED_WRITES)


def current(connection: sa.Connection) -> tuple[int, int]:
    """The version of all the data, as the caller's transaction sees it."""
    count, writes = connection.execute(_CURRENT).one()
    return int(count), int(writes)


def shared(connection: sa.Connection) -> tuple[int, int]:
    """The version of what is shown across cities (``SHOWN_TO_OTHER_CITIES``)."""
    count, writes = connection.execute(_SHARED).one()
    return int(count), int(writes)


_CITY_TABLE = cast(sa.Table, City.__table__)


def _advance(connection: sa.Connection, city_ids: Iterable[int], shared_ids: set[int]) -> None:
    """Advance the cities' data versions, and the shared versions of ``shared_ids`` among them,
    in one statement."""
    # In the order of their ids: two writers advancing the same cities never lock them in
    # opposite orders.
    ids = sorted(set(city_ids) | shared_ids)
    if not ids:
        return
    table = _CITY_TABLE
    shared_step = sa.case((table.c.id.in_(sorted(shared_ids)), 1), else_=0) if shared_ids else 0
    connection.execute(
        sa.update(table)
        .where(table.c.id.in_(ids))
        .values(
            data_version=table.c.data_version + 1,
            shared_version=table.c.shared_version + shared_step,
        )
    )


def _owner_ids(instance: Any, column: str) -> set[int]:
    """The owning id the row has now and had when loaded: a moved row changes both owners.

    Read without loading anything: a foreign key the flush has just filled in from a
    relationship is in the state's values, a changed one in its history.
    """
    state = sa.inspect(instance)
    history = state.attrs[column].history
    values = {*history.added, *history.unchanged, *history.deleted, state.dict.get(column)}
    return {value for value in values if value is not None}


def _cities_of_users(connection: sa.Connection, user_ids: set[int]) -> set[int]:
    """The cities whose pages show these users: their own, and where they wrote or reviewed."""
    acted = sa.select(StatusChange.assessment_id).where(StatusChange.actor_id.in_(user_ids))
    query = sa.select(Assessment.city_id).where(
        sa.or_(Assessment.author_id.in_(user_ids), Assessment.id.in_(acted))
    )
    return set(connection.execute(query).scalars())


def _resolve(connection: sa.Connection, owners: dict[type[Any], set[int]]) -> set[int]:
    """Walk each parent id up to its city, one query per model on the way (a ``City`` entry
    holds city ids already)."""
    cities = owners.pop(City, set())
    # Parents before their children are resolved: walk until only cities are left.
    while owners:
        model, ids = owners.popitem()
        column, parent = CITY_OF[model]
        found = set(
            connection.execute(sa.select(getattr(model, column)).where(model.id.in_(ids))).scalars()
        )
        found.discard(None)
        if parent is None:
            cities |= found
        else:
            owners.setdefault(parent, set()).update(found)
    return cities


def _changed_rows(session: so.Session) -> list[Any]:
    dirty = [row for row in session.dirty if session.is_modified(row, include_collections=False)]
    return [*session.new, *dirty, *session.deleted]


def _before_flush(session: so.Session, context: Any, instances: Any) -> None:
    # Which rows change is only known before the flush; their ids (of new rows) only after.
    session.info["data_version_rows"] = _changed_rows(session)


def _after_flush(session: so.Session, context: Any) -> None:
    rows = session.info.pop("data_version_rows", [])
    connection = session.connection()
    users: set[int] = set()
    # By the model whose ids are collected (City for city ids), as ``_resolve`` walks them.
    owners: dict[type[Any], set[int]] = {}
    shown_elsewhere: dict[type[Any], set[int]] = {}
    for row in rows:
        model = type(row)
        if model in NOT_SHOWN:
            continue
        if model not in CITY_OF:
            raise TypeError(
                f"{model.__name__} is in neither CITY_OF nor NOT_SHOWN of "
                "app.platform.data_version: say which city its rows belong to"
            )
        column, parent = CITY_OF[model]
        if model is User:
            users.add(row.id)
        ids = _owner_ids(row, column)
        owners.setdefault(parent or City, set()).update(ids)
        if model in SHOWN_TO_OTHER_CITIES and SHOWN_TO_OTHER_CITIES[model](row):
            shown_elsewhere.setdefault(parent or City, set()).update(ids)
    # A parent deleted in this flush is gone from its table, but then it is among the rows
    # itself and names its city from its own columns.
    cities = _resolve(connection, owners)
    if users:
        cities |= _cities_of_users(connection, users)
    _advance(connection, cities, _resolve(connection, shown_elsewhere))


def _on_orm_execute(state: so.ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in NOT_SHOWN:
        return
    connection = state.session.connection()
    named = state.execution_options.get(VERSION_OPTION)
    # A bulk write that does not say which cities it touches may touch any.
    cities = set(
        connection.execute(sa.select(_CITY_TABLE.c.id)).scalars() if named is None else named
    )
    shown_elsewhere = (
        mapper is not None
        and mapper.class_ in SHOWN_TO_OTHER_CITIES
        and state.execution_options.get(SHOWN_ELSEWHERE_OPTION, True)
    )
    _advance(connection, cities, cities if shown_elsewhere else set())


def watch(session_class: type[so.Session]) -> None:
    """Advance the versions on every flush and bulk write of sessions of this class."""
    if not sa.event.contains(session_class, "after_flush", _after_flush):
        sa.event.listen(session_class, "before_flush", _before_flush)
        sa.event.listen(session_class, "after_flush", _after_flush)
        sa.event.listen(session_class, "do_orm_execute", _on_orm_execute)
