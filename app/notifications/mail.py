"""E-mail for notifications, sent once the transaction that wrote them has committed.

Sent after the commit, never before: a rolled-back action mails no one. A mail server that is
down or refuses costs a line in the log, never the action that triggered it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_mailman import EmailMessage

from app.extensions import mail
from app.notifications.messages import body, subject
from app.notifications.operations import OUTBOX, Outgoing

log = logging.getLogger(__name__)


def _message(outgoing: Outgoing) -> EmailMessage:
    with force_locale(outgoing.language):
        return EmailMessage(
            subject=subject(outgoing.about),
            body=body(outgoing.about),
            to=[outgoing.email],
        )


def send(outbox: list[Outgoing]) -> None:
    if not outbox or not current_app.config.get("MAIL_SERVER"):
        return
    try:
        with mail.get_connection() as connection:
            connection.send_messages([_message(outgoing) for outgoing in outbox])
    except (OSError, smtplib.SMTPException):
        log.warning("notification e-mail not sent to %d recipients", len(outbox), exc_info=True)


def _after_commit(session: so.Session) -> None:
    outbox = session.info.pop(OUTBOX, [])
    if outbox and has_app_context():
        send(outbox)


def _after_rollback(session: so.Session, *_: Any) -> None:
    session.info.pop(OUTBOX, None)


def watch(session_class: type[so.Session]) -> None:
    """Send the queued e-mails of every session of this class when it commits."""
    if not sa.event.contains(session_class, "after_commit", _after_commit):
        sa.event.listen(session_class, "after_commit", _after_commit)
        sa.event.listen(session_class, "after_soft_rollback", _after_rollback)
