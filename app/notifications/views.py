"""The inbox under /inbox: every signed-in user's notifications and their e-mail choice."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Assessment, Notification, utcnow
from app.notifications.forms import MailSettingsForm, MarkReadForm
from app.notifications.messages import about_notification, subject

bp = Blueprint("notifications", __name__)

INBOX_SIZE = 100
"""The newest notifications shown; older ones stay in the table, unread count included."""


@bp.get("")
@login_required
def inbox() -> str:
    notifications = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .options(
            so.joinedload(Notification.assessment).joinedload(Assessment.city),
            so.joinedload(Notification.evaluation_round),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(INBOX_SIZE)
    ).all()
    items = [(n, subject(about_notification(n, current_user))) for n in notifications]
    settings = MailSettingsForm(
        data={
            "email_notifications": current_user.email_notifications,
            "notify_all_submissions": current_user.notify_all_submissions,
        }
    )
    return render_template(
        "notifications/inbox.html", items=items, read_form=MarkReadForm(), settings=settings
    )


@bp.post("/read")
@login_required
def mark_read() -> Response:
    if MarkReadForm().validate_on_submit():
        db.session.execute(
            sa.update(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.post("/settings")
@login_required
def settings() -> Response:
    form = MailSettingsForm()
    if form.validate_on_submit():
        current_user.email_notifications = bool(form.email_notifications.data)
        # Only a national reviewer can be told of submissions outside any province of theirs.
        current_user.notify_all_submissions = current_user.is_national_reviewer and bool(
            form.notify_all_submissions.data
        )
        db.session.commit()
        flash(_("Saved your notification settings."), "success")
    return redirect(url_for("notifications.inbox"))
