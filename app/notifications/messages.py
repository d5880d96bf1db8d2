"""What each kind of notification says, written in the reader's language when it is shown or
mailed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.models import Notification, User


@dataclass(frozen=True)
class About:
    """The names a notification's text needs, read while the objects are at hand."""

    kind: str
    city: str
    assessment_id: int | None
    round_name: str | None
    due_on: date | None


def about_notification(notification: Notification, reader: User) -> About:
    """What the inbox shows: the assessment's city, or for a reminder the reader's own."""
    assessment, evaluation_round = notification.assessment, notification.evaluation_round
    if assessment is not None:
        city = assessment.city.name
    else:
        city = reader.city.name if reader.city else ""
    return About(
        notification.kind,
        city,
        notification.assessment_id,
        None if evaluation_round is None else evaluation_round.name,
        None if evaluation_round is None else evaluation_round.due_on,
    )


def subject(about: About) -> str:
    match about.kind:
        case "submitted":
            return _(
                "%(city)s submitted assessment #%(id)s for review",
                city=about.city,
                id=about.assessment_id,
            )
        case "returned":
            return _("Assessment #%(id)s was returned for revision", id=about.assessment_id)
        case "approved":
            return _("Assessment #%(id)s was approved", id=about.assessment_id)
        case "due_soon":
            return _(
                "The evaluation round %(round)s is due on %(date)s",
                round=about.round_name,
                date=about.due_on.isoformat() if about.due_on else "",
            )
        case "overdue":
            return _(
                "The evaluation round %(round)s was due on %(date)s: %(city)s has not filed",
                round=about.round_name,
                date=about.due_on.isoformat() if about.due_on else "",
                city=about.city,
            )
    raise ValueError(f"unknown notification kind {about.kind!r}")


def body(about: About) -> str:
    return subject(about) + "\n\n" + _("Sign in to CityReady to read it and to act on it.")
