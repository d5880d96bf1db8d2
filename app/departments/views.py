from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.assessments.scores import bank_for
from app.departments.forms import InviteForm, NewLinkForm, department_form
from app.departments.operations import (
    DuplicateDepartment,
    department_by_token_or_404,
    department_or_404,
    department_view,
    departments_of,
    invite_department,
    new_link,
    save_department_answers,
    submit_department,
)
from app.extensions import db
from app.web.i18n import content_language
from app.web.links import public_url_for

bp = Blueprint("departments", __name__)


def _flash_link(name: str, token: str) -> None:
    link = public_url_for("departments.answer", token=token)
    flash(
        _(
            "Send this private link to %(name)s; it is shown only now: %(link)s",
            name=name,
            link=link,
        ),
        "success",
    )


@bp.route("/assessments/<int:assessment_id>/departments", methods=["GET", "POST"])
@login_required
def manage(assessment_id: int) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            department, token = invite_department(assessment, current_user, form.name.data or "")
        except DuplicateDepartment:
            form.name.errors.append(_("This department has been invited already."))
        else:
            db.session.commit()
            _flash_link(department.name, token)
            return redirect(url_for("departments.manage", assessment_id=assessment.id))
    return render_template(
        "departments/manage.html",
        assessment=assessment,
        bank=bank_for(assessment),
        form=form,
        link_form=NewLinkForm(),
        departments=departments_of(assessment),
        view=department_view(assessment),
    )


@bp.post("/departments/<int:department_id>/link")
@login_required
def relink(department_id: int) -> Response:
    department = department_or_404(current_user, department_id)
    if NewLinkForm().validate_on_submit():
        token = new_link(department)
        db.session.commit()
        _flash_link(department.name, token)
    return redirect(url_for("departments.manage", assessment_id=department.assessment_id))


@bp.route("/d/<token>", methods=["GET", "POST"])
def answer(token: str) -> str | tuple[str, int] | Response:
    """A department answers through its private link, without an account."""
    department = department_by_token_or_404(token)
    bank = bank_for(department.assessment)
    form = department_form(bank, content_language())
    if department.submitted_at is None and form.validate_on_submit():
        save_department_answers(
            department, {q.id: form.answer(q.id).data or "" for q in bank.questions()}
        )
        if form.submit.data:
            submit_department(department)
        db.session.commit()
        flash(
            _("Thank you: your answers are submitted.") if form.submit.data else _("Saved."),
            "success",
        )
        return redirect(url_for("departments.answer", token=token))
    if not form.is_submitted():
        for question_id, value in department.answer_values().items():
            if bank.question(question_id) is not None:
                form.answer(question_id).data = value
    if form.errors:
        flash(_("Nothing was submitted or saved yet: see the message above the buttons."), "error")
    page = render_template("departments/answer.html", department=department, bank=bank, form=form)
    return (page, 422) if form.errors else page
