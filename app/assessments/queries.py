"""Which assessments a user may see, and the rounds the figures are built on.

Every page and API call reaches an assessment through ``assessment_or_404``: another city's is
a plain 404 for an official, as if it did not exist.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.extensions import db
from app.models import Assessment, User


def visible_assessments(user: User) -> sa.Select[Assessment]:
    """Admins see every assessment; an official sees only their own city's."""
    query = sa.select(Assessment)
    if not user.is_admin:
        query = query.where(Assessment.city_id == user.city_id)
    return query


def assessment_or_404(user: User, assessment_id: int) -> Assessment:
    """Return the assessment if the user may see it; another city's is a plain 404."""
    found = db.session.scalar(
        visible_assessments(user)
        .where(Assessment.id == assessment_id)
        # The snapshot is parsed only where it is used: a cached report or JSON never needs it.
        .options(so.joinedload(Assessment.city), so.defer(Assessment.score_snapshot))
    )
    if found is None:
        abort(404)
    return found


def latest_rounds(statuses: tuple[str, ...]) -> sa.Select[tuple[int]]:
    """The id of each city's most recently submitted assessment among those in ``statuses``,
    picked in SQL however many rounds a city has."""
    ranked = (
        sa.select(
            Assessment.id,
            sa.func.row_number()
            .over(
                partition_by=Assessment.city_id,
                order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()),
            )
            .label("newest"),
        )
        .where(Assessment.status.in_(statuses))
        .subquery()
    )
    return sa.select(ranked.c.id).where(ranked.c.newest == 1)
