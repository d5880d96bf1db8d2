"""The audit log page, /admin/audit: admins read and filter it; nothing here changes it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectChoice, SelectField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from app.admin.filters import FIRST_DAY, LAST_DAY, positive_int
from app.admin.views import bp, national_reviewers_only
from app.extensions import db
from app.models import AUDIT_ACTIONS, AuditEvent, City
from app.platform.audit import ACTION_LABELS
from app.web.templating import display_zone

EVENTS_PER_PAGE = 50
"""Unless the app's ``AUDIT_EVENTS_PER_PAGE`` says otherwise."""


def _within_clocks(form: FlaskForm, field: DateField) -> None:
    """Refuse the first and last days there are, which not every clock can turn into UTC."""
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(
            _l("Give the date as YYYY-MM-DD, for example 2026-03-31; it was left out.")
        )


class AuditFilterForm(FlaskForm):
    """Filters read from the query string: a link to a filtered page can be shared."""

    class Meta:
        csrf = False  # a GET form that only reads

    action = SelectField(_l("Event"), validators=[Optional()])
    email = SearchField(_l("User email contains"), validators=[Optional(), Length(max=254)])
    city = SelectField(_l("City"), validators=[Optional()])
    date_from = DateField(_l("From date"), validators=[Optional(), _within_clocks])
    date_to = DateField(_l("To date (inclusive)"), validators=[Optional(), _within_clocks])
    submit = SubmitField(_l("Filter"))


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _l("Any action"))] + [
        SelectChoice(action, ACTION_LABELS[action]) for action in AUDIT_ACTIONS
    ]
    cities = db.session.execute(sa.select(City.id, City.name).order_by(City.name)).all()
    form.city.choices = [SelectChoice("", _l("Any city"))] + [
        SelectChoice(str(city_id), name) for city_id, name in cities
    ]
    return form


def _filtered_events(form: AuditFilterForm) -> sa.Select[AuditEvent]:
    """The events the filters ask for, newest first; dates are days on the readers' clock."""
    zone = display_zone()
    query = sa.select(AuditEvent)
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if email := (form.email.data or "").strip().lower():
        query = query.where(sa.func.lower(AuditEvent.email).contains(email, autoescape=True))
    if form.city.data:
        query = query.where(AuditEvent.city_id == int(form.city.data))
    if form.date_from.data:
        start = datetime.combine(form.date_from.data, time.min, zone)
        query = query.where(AuditEvent.created_at >= start)
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time.min, zone)
        query = query.where(AuditEvent.created_at < end)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


@bp.get("/audit")
@national_reviewers_only
def audit_log() -> str:
    form = _filter_form()
    # Invalid filters (a date like 2026-13-40) filter nothing and say so next to the field.
    form.validate()
    for field in (form.action, form.email, form.city, form.date_from, form.date_to):
        if field.errors:
            field.data = None
    page = db.paginate(
        _filtered_events(form).options(sa.orm.joinedload(AuditEvent.city)),
        page=positive_int(request.args.get("page", "")) or 1,
        per_page=current_app.config.get("AUDIT_EVENTS_PER_PAGE", EVENTS_PER_PAGE),
        error_out=False,
        count=True,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/audit.html", form=form, page=page, labels=ACTION_LABELS, filter_args=args
    )
