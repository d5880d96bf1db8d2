"""Who is told of what: notifications written to inboxes in the caller's transaction, and
e-mails queued to go out once it commits (``app.notifications.mail``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Assessment, EvaluationRound, Notification, User
from app.notifications.messages import About
from app.rounds.queries import round_progress

OUTBOX = "notifications_outbox"
"""The key of ``session.info`` under which e-mails wait for the commit."""


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to send after the commit, with everything needed to write it then."""

    email: str
    language: str
    about: About


def _language(user: User) -> str:
    return user.language or str(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh"))


def notify(
    users: Iterable[User],
    about: About,
    assessment: Assessment | None = None,
    evaluation_round: EvaluationRound | None = None,
) -> int:
    """Put the notification in each user's inbox, and queue an e-mail to those who keep e-mail
    on. Returns how many users were told."""
    outbox: list[Outgoing] = db.session.info.setdefault(OUTBOX, [])
    told = 0
    for user in users:
        db.session.add(
            Notification(
                user_id=user.id,
                kind=about.kind,
                assessment=assessment,
                evaluation_round=evaluation_round,
            )
        )
        if user.email_notifications:
            outbox.append(Outgoing(user.email, _language(user), about))
        told += 1
    return told


def _reviewers_of(assessment: Assessment) -> list[User]:
    """The reviewers of the city's province, and national reviewers who asked for every one."""
    province_id = assessment.city.province_id
    wanted = sa.and_(User.province_id.is_(None), User.notify_all_submissions)
    if province_id is not None:
        wanted = sa.or_(wanted, User.province_id == province_id)
    return list(
        db.session.scalars(sa.select(User).where(User.role == "admin", User.active, wanted))
    )


def _officials_of(city_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == "official", User.active, User.city_id == city_id)
        )
    )


def notify_status_change(assessment: Assessment, to_status: str) -> None:
    """Submitted: its reviewers are told. Returned or approved: the city's officials."""
    if to_status not in ("submitted", "returned", "approved"):
        return
    about = About(to_status, assessment.city.name, assessment.id, None, None)
    if to_status == "submitted":
        notify(_reviewers_of(assessment), about, assessment=assessment)
    else:
        notify(_officials_of(assessment.city_id), about, assessment=assessment)


def send_reminders(today: date, days_before: int) -> int:
    """Remind the officials of every covered city that has not filed: once when the due date
    is ``days_before`` days away or nearer, once when it has passed. Running it again the same
    day, or every hour, tells no one twice. Returns how many were told."""
    told = 0
    rounds = db.session.scalars(
        sa.select(EvaluationRound).where(EvaluationRound.closed_at.is_(None))
    ).all()
    for evaluation_round in rounds:
        if evaluation_round.is_overdue(today):
            kind = "overdue"
        elif today >= evaluation_round.due_on - timedelta(days=days_before):
            kind = "due_soon"
        else:
            continue
        already = set(
            db.session.scalars(
                sa.select(Notification.user_id).where(
                    Notification.round_id == evaluation_round.id, Notification.kind == kind
                )
            )
        )
        for row in round_progress(evaluation_round, today):
            if row.progress not in ("not_started", "draft", "returned", "overdue"):
                continue
            officials = [u for u in _officials_of(row.city.id) if u.id not in already]
            about = About(kind, row.city.name, None, evaluation_round.name, evaluation_round.due_on)
            told += notify(officials, about, evaluation_round=evaluation_round)
    return told
