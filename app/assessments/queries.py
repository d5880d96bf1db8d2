"""Which assessments a user may see, and the rounds the figures are built on.

Every page and API call reaches an assessment through ``assessment_or_404``: another city's is
a plain 404 for an official, as another province's is for a provincial reviewer, as if it did
not exist. Lists, exports and figures narrow their cities with ``in_scope``.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from sqlalchemy.orm.interfaces import ORMOption

from app.extensions import db
from app.models import Answer, Assessment, City, User

ANSWERS_AND_REVIEWERS = so.selectinload(Assessment.answers).joinedload(Answer.verified_by)
"""Load option for what shows each answer's verification: the reviewer who checked it comes
in the answers' own query, rather than one query per verified answer."""


def in_scope(
    user: User, city_id: sa.ColumnElement[int] | so.InstrumentedAttribute[int]
) -> sa.ColumnElement[bool]:
    """The condition on a city id column that keeps the cities the user may see: every city
    for a national reviewer, their province's for a provincial one, their own for an official."""
    if user.is_national_reviewer:
        return sa.true()
    if user.is_admin:
        return city_id.in_(sa.select(City.id).where(City.province_id == user.province_id))
    return city_id == user.city_id


def may_see_city(user: User, city_id: int) -> bool:
    """``in_scope`` for one city, for what is reached by its own id rather than through
    ``visible_assessments``: action items, departments, a report's version, a city named in a
    request."""
    if user.is_national_reviewer:
        return True
    if not user.is_admin:
        return city_id == user.city_id
    province_id = db.session.scalar(sa.select(City.province_id).where(City.id == city_id))
    return province_id is not None and province_id == user.province_id


def visible_cities(user: User) -> sa.Select[City]:
    """The cities the user may see, by name: the choices of the forms that name a city."""
    return sa.select(City).where(in_scope(user, City.id)).order_by(City.name)


def visible_assessments(user: User) -> sa.Select[Assessment]:
    """The assessments of the cities the user may see (``in_scope``)."""
    return sa.select(Assessment).where(in_scope(user, Assessment.city_id))


def assessment_or_404(user: User, assessment_id: int, *loading: ORMOption) -> Assessment:
    """Return the assessment if the user may see it; another city's is a plain 404.

    ``loading`` adds load options (such as ``ANSWERS_AND_REVIEWERS``) for what the caller reads.
    """
    found = db.session.scalar(
        visible_assessments(user)
        .where(Assessment.id == assessment_id)
        # The snapshot is parsed only where it is used: a cached report or JSON never needs it.
        .options(so.joinedload(Assessment.city), so.defer(Assessment.score_snapshot), *loading)
    )
    if found is None:
        abort(404)
    return found


def newest_round_of_city(
    city_id: sa.ColumnElement[int] | so.InstrumentedAttribute[int], statuses: tuple[str, ...]
) -> sa.ScalarSelect[int]:
    """The id of the city's most recently submitted assessment among those in ``statuses``, or
    NULL: one short read of the city's rounds, newest first, for each city it is asked of."""
    newest = sa.orm.aliased(Assessment, name="newest")
    return (
        sa.select(newest.id)
        .where(newest.city_id == city_id, newest.status.in_(statuses))
        .order_by(newest.submitted_at.desc(), newest.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def latest_rounds(statuses: tuple[str, ...]) -> sa.Select[int]:
    """The id of each city's most recently submitted assessment among those in ``statuses``,
    for ``Assessment.id.in_(...)`` (a city without one gives NULL, which matches nothing).

    Picked city by city from ``ix_assessment_city_id_submitted_at_id``: a national database
    has thousands of cities with dozens of rounds each, and ranking every round to keep one per
    city read them all.
    """
    return sa.select(newest_round_of_city(City.id, statuses)).select_from(City)
