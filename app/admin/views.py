"""Admin pages under /admin: every route is for admins only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import audit
from app.admin.filters import filter_messages
from app.admin.forms import ApproveForm, ReturnForm, return_form
from app.extensions import content, db, login_manager
from app.models import Assessment
from app.operations import bank_for, report_snapshot
from app.report_insights import report_insights
from app.submission_filters import LEVEL_CHOICES, PER_PAGE, SORT_KEYS, STATUS_CHOICES, parse_filters
from app.submissions import cities, submissions_page
from app.templating import display_zone
from app.workflow import (
    TransitionRefused,
    approve_assessment,
    return_for_revision,
    status_history,
)

bp = Blueprint("admin", __name__)


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the login page; signed-in officials get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not current_user.is_admin:
        abort(403)
    return None


def _assessment_or_404(assessment_id: int) -> Assessment:
    found = db.session.scalar(
        sa.select(Assessment)
        .where(Assessment.id == assessment_id)
        .options(
            sa.orm.joinedload(Assessment.city),
            sa.orm.joinedload(Assessment.author),
            sa.orm.selectinload(Assessment.answers),
        )
    )
    if found is None:
        abort(404)
    return found


def _detail(
    assessment: Assessment,
    approve: ApproveForm | None = None,
    returning: ReturnForm | None = None,
) -> str:
    bank = bank_for(assessment)
    return render_template(
        "admin/assessment.html",
        assessment=assessment,
        bank=bank,
        report=report_snapshot(assessment),
        history=status_history(assessment),
        approve_form=approve or ApproveForm(prefix="approve", formdata=None),
        return_form=returning or return_form(bank, prefix="return", formdata=None),
        keep_doing=content.catalogue.keep_doing,
        insights=report_insights(assessment),
    )


def _refused(refused: TransitionRefused, assessment_id: int) -> Response:
    db.session.rollback()
    if refused.already_done and refused.wanted == "approved":
        flash(_("This assessment was approved already; nothing changed."), "info")
    elif refused.already_done:
        flash(_("This assessment was returned already; nothing changed."), "info")
    else:
        flash(
            _("Only a submitted assessment can be approved or returned; nothing changed."),
            "error",
        )
    return redirect(url_for("admin.assessment", assessment_id=assessment_id))


@bp.get("/assessments")
def submissions() -> str:
    """Every city's assessments, filtered, sorted and paged by the query string."""
    city_choices = cities()
    parsed = parse_filters(request.args, frozenset(c.id for c in city_choices))
    page, rows = submissions_page(parsed.filters, PER_PAGE, display_zone())
    return render_template(
        "admin/submissions.html",
        filters=parsed.filters,
        problems=filter_messages(parsed.problems),
        page=page,
        rows=rows,
        cities=city_choices,
        statuses=STATUS_CHOICES,
        levels=LEVEL_CHOICES,
        sort_keys=SORT_KEYS,
    )


@bp.get("/assessments/<int:assessment_id>")
def assessment(assessment_id: int) -> str:
    return _detail(_assessment_or_404(assessment_id))


@bp.post("/assessments/<int:assessment_id>/approve")
def approve(assessment_id: int) -> str | Response:
    assessment = _assessment_or_404(assessment_id)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        return _detail(assessment, approve=form)
    try:
        approve_assessment(assessment, current_user, form.comment.data or "")
    except TransitionRefused as refused:
        return _refused(refused, assessment.id)
    audit.record("approve", obj=assessment)
    db.session.commit()
    flash(_("Approved. The city can see your decision on its report."), "success")
    return redirect(url_for("admin.assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/return")
def send_back(assessment_id: int) -> str | Response:
    assessment = _assessment_or_404(assessment_id)
    bank = bank_for(assessment)
    form = return_form(bank, prefix="return")
    if not form.validate_on_submit():
        flash(_("The assessment was not returned: see the messages below."), "error")
        return _detail(assessment, returning=form)
    notes = {q.id: form.note(q.id).data or "" for q in bank.questions()}
    try:
        return_for_revision(assessment, current_user, form.comment.data or "", notes)
    except TransitionRefused as refused:
        return _refused(refused, assessment.id)
    audit.record("return", obj=assessment)
    db.session.commit()
    flash(_("Returned to the city with your comments."), "success")
    return redirect(url_for("admin.assessment", assessment_id=assessment.id))
