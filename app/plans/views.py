from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.assessments.scores import bank_for, city_targets, report_snapshot
from app.extensions import db
from app.models import ActionItem, Assessment
from app.plans.forms import ActionForm, targets_form
from app.plans.operations import (
    ActionInput,
    UnknownCountermeasure,
    action_or_404,
    actions_of,
    plan_action,
    set_targets,
    update_action,
)

bp = Blueprint("plan", __name__)


def _new_prefix(countermeasure_id: str) -> str:
    return "new-" + countermeasure_id.replace(".", "-")


def _edit_prefix(item: ActionItem) -> str:
    return f"action-{item.id}"


def _given(form: ActionForm) -> ActionInput:
    return ActionInput(form.owner.data or "", form.due_date.data, form.status.data or "planned")


@bp.route("/assessments/<int:assessment_id>/targets", methods=["GET", "POST"])
@login_required
def targets(assessment_id: int) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    bank = bank_for(assessment)
    form = targets_form(bank)
    scopes = [a.id for a in bank.areas] + [q.id for q in bank.questions()]
    if form.validate_on_submit():
        chosen = {s: int(form.target(s).data) if form.target(s).data else None for s in scopes}
        set_targets(assessment.city_id, chosen)
        db.session.commit()
        flash(_("Targets saved."), "success")
        return redirect(url_for("assessment.report", assessment_id=assessment.id) + "#targets")
    if not form.is_submitted():
        for scope, level in city_targets(assessment.city_id).items():
            if scope in scopes:
                form.target(scope).data = str(level)
    return render_template("plan/targets.html", assessment=assessment, bank=bank, form=form)


def _render_actions(assessment: Assessment, failed: tuple[str, ActionForm] | None = None) -> str:
    items = actions_of(assessment)
    planned = {item.countermeasure_id: item for item in items}
    forms: dict[str, ActionForm] = {}
    for cm in report_snapshot(assessment)["countermeasures"]:
        item = planned.get(cm["id"])
        if item is None:
            forms[cm["id"]] = ActionForm(prefix=_new_prefix(cm["id"]), formdata=None)
        else:
            forms[cm["id"]] = ActionForm(prefix=_edit_prefix(item), formdata=None, obj=item)
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "plan/actions.html",
        assessment=assessment,
        bank=bank_for(assessment),
        report=report_snapshot(assessment),
        planned=planned,
        forms=forms,
    )


@bp.get("/assessments/<int:assessment_id>/actions")
@login_required
def actions(assessment_id: int) -> str:
    return _render_actions(assessment_or_404(current_user, assessment_id))


@bp.post("/assessments/<int:assessment_id>/actions/<countermeasure_id>")
@login_required
def plan(assessment_id: int, countermeasure_id: str) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    form = ActionForm(prefix=_new_prefix(countermeasure_id))
    if not form.validate_on_submit():
        return _render_actions(assessment, (countermeasure_id, form))
    try:
        plan_action(assessment, countermeasure_id, _given(form))
    except UnknownCountermeasure:
        abort(404)
    db.session.commit()
    flash(_("Added to the action plan."), "success")
    return redirect(url_for("plan.actions", assessment_id=assessment.id))


@bp.post("/actions/<int:action_id>")
@login_required
def update(action_id: int) -> str | Response:
    item = action_or_404(current_user, action_id)
    form = ActionForm(prefix=_edit_prefix(item))
    if not form.validate_on_submit():
        return _render_actions(item.assessment, (item.countermeasure_id, form))
    update_action(item, _given(form))
    db.session.commit()
    flash(_("Action updated."), "success")
    return redirect(url_for("plan.actions", assessment_id=item.assessment_id))
