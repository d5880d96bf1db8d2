"""Targets and action items: reading and changing them, always within the user's own city.

Like ``operations``, these functions flush but never commit; the calling view owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort

from app.assessments.queries import may_see_city
from app.assessments.scores import report_snapshot
from app.extensions import db
from app.models import ActionItem, Assessment, Target, User


@dataclass(frozen=True)
class ActionInput:
    owner: str
    due_date: date | None
    status: str


def set_targets(city_id: int, chosen: Mapping[str, int | None]) -> None:
    """Set or clear the target of each given scope (area or question id); None clears it."""
    existing = {
        t.scope: t for t in db.session.scalars(sa.select(Target).where(Target.city_id == city_id))
    }
    for scope, level in chosen.items():
        row = existing.get(scope)
        if level is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Target(city_id=city_id, scope=scope, level=level))
        else:
            row.level = level
    db.session.flush()


def actions_of(assessment: Assessment) -> list[ActionItem]:
    """The action items planned from this assessment's countermeasures."""
    return list(
        db.session.scalars(
            sa.select(ActionItem)
            .where(ActionItem.assessment_id == assessment.id)
            .order_by(ActionItem.id)
        )
    )


def action_or_404(user: User, action_id: int) -> ActionItem:
    """Return the action item if it belongs to a city the user may see; else 404."""
    item = db.session.get(ActionItem, action_id)
    if item is None or not may_see_city(user, item.city_id):
        abort(404)
    return item


class UnknownCountermeasure(ValueError):
    """The countermeasure is not among this assessment's recommendations."""


def plan_action(assessment: Assessment, countermeasure_id: str, given: ActionInput) -> ActionItem:
    """Turn one of the assessment's recommended countermeasures into an action item."""
    recommended = {cm["id"]: cm for cm in report_snapshot(assessment)["countermeasures"]}
    if countermeasure_id not in recommended:
        raise UnknownCountermeasure(countermeasure_id)
    item = db.session.scalar(
        sa.select(ActionItem).where(
            ActionItem.assessment_id == assessment.id,
            ActionItem.countermeasure_id == countermeasure_id,
        )
    )
    if item is None:
        item = ActionItem(
            city_id=assessment.city_id,
            assessment_id=assessment.id,
            countermeasure_id=countermeasure_id,
            question_ids=list(recommended[countermeasure_id]["questions"]),
        )
        db.session.add(item)
    update_action(item, given)
    return item


def update_action(item: ActionItem, given: ActionInput) -> None:
    item.owner, item.due_date, item.status = given.owner.strip(), given.due_date, given.status
    db.session.flush()
