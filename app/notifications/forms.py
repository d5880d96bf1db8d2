"""The inbox's forms: mark everything read, and choose what comes by e-mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Mark all as read"))


class MailSettingsForm(FlaskForm):
    email_notifications = BooleanField(_l("Send me notifications by e-mail as well"))
    notify_all_submissions = BooleanField(
        _l("Tell me of every city's submission (national reviewers)")
    )
    submit = SubmitField(_l("Save"))
