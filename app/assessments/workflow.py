"""The review workflow: draft → submitted → approved, or submitted → returned → submitted again.

Every change of status is one conditional UPDATE (``WHERE id = ? AND status = ?``), so when two
requests race — a double click, two admins at once — the database lets exactly one through and
the other sees the status the winner left. Each change that takes effect is recorded as a
``StatusChange``. Like ``app.assessments.operations``, these functions flush and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import PEER_STATUS, Assessment, ReviewerNote, StatusChange, User, utcnow
from app.notifications.operations import notify_status_change
from app.reports import documents

TRANSITIONS = frozenset(
    {
        ("draft", "submitted"),
        ("returned", "submitted"),
        ("submitted", "approved"),
        ("submitted", "returned"),
    }
)


class TransitionRefused(ValueError):
    """The assessment is not in a status the wanted change can start from."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"cannot move an assessment from {current} to {wanted}")
        self.current = current
        self.wanted = wanted

    @property
    def already_done(self) -> bool:
        """True when someone (perhaps the same person, a moment ago) made this change already."""
        return self.current == self.wanted


def change_status(
    assessment: Assessment,
    actor: User,
    to_status: str,
    comment: str = "",
    notes: Mapping[str, str] | None = None,
    **values: Any,
) -> StatusChange:
    """Move the assessment to ``to_status`` once, store ``values`` with it, and record who did it.

    Raises ``TransitionRefused`` when the status read earlier does not allow the change, or when
    another transaction changed it in the meantime; the assessment then shows the current one.
    """
    from_status = assessment.status
    if (from_status, to_status) not in TRANSITIONS:
        raise TransitionRefused(from_status, to_status)
    now = utcnow()
    result = cast(
        sa.CursorResult[Any],
        db.session.execute(
            sa.update(Assessment)
            .where(Assessment.id == assessment.id, Assessment.status == from_status)
            .values(status=to_status, updated_at=now, **values)
            .execution_options(
                synchronize_session=False,
                data_version_cities=[assessment.city_id],
                data_version_shown_elsewhere=PEER_STATUS in (from_status, to_status),
            )
        ),
    )
    if result.rowcount != 1:
        db.session.refresh(assessment)
        raise TransitionRefused(assessment.status, to_status)
    # The row now holds exactly these values: put them on the object without reading it back.
    for key, value in {"status": to_status, "updated_at": now, **values}.items():
        set_committed_value(assessment, key, value)
    change = StatusChange(
        assessment=assessment,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        comment=comment.strip(),
        created_at=now,
        notes=[
            ReviewerNote(question_id=question_id, comment=note.strip())
            for question_id, note in (notes or {}).items()
            if note.strip()
        ],
    )
    db.session.add(change)
    db.session.flush()
    notify_status_change(assessment, to_status)
    documents.prepare_after_commit(assessment)
    return change


def approve_assessment(
    assessment: Assessment,
    reviewer: User,
    comment: str = "",
    notes: Mapping[str, str] | None = None,
) -> StatusChange:
    """Approve a submitted assessment, keeping any notes the reviewer wrote on single questions."""
    return change_status(assessment, reviewer, "approved", comment, notes, reviewed_at=utcnow())


def return_for_revision(
    assessment: Assessment, reviewer: User, comment: str, notes: Mapping[str, str]
) -> StatusChange:
    """Send a submitted assessment back to its city with a reason and notes on single questions."""
    if not comment.strip():
        raise ValueError("a returned assessment needs a comment saying what to change")
    return change_status(assessment, reviewer, "returned", comment, notes, reviewed_at=utcnow())


def status_history(assessment: Assessment) -> list[StatusChange]:
    """Every change of the assessment's status, oldest first, with who made it and their notes."""
    return list(
        db.session.scalars(
            sa.select(StatusChange)
            .where(StatusChange.assessment_id == assessment.id)
            .order_by(StatusChange.id)
            .options(sa.orm.joinedload(StatusChange.actor), sa.orm.selectinload(StatusChange.notes))
        )
    )
