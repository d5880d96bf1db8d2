from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.assessments.forms import NewAssessmentForm, SubmitForm, area_form
from app.assessments.operations import (
    AnswerInput,
    IncompleteAssessment,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.assessments.queries import assessment_or_404, visible_assessments
from app.assessments.scores import bank_for
from app.assessments.workflow import TransitionRefused, status_history
from app.extensions import content, db
from app.models import Assessment, City
from app.platform import audit
from app.platform.caching import frozen_cache
from app.reports import documents
from app.reports.insights import report_context
from app.reports.versions import frozen_version
from app.web.conditional import etag_for, not_modified
from app.web.i18n import content_language

bp = Blueprint("assessment", __name__)


def _new_assessment_form() -> NewAssessmentForm:
    form = NewAssessmentForm()
    if current_user.is_admin:
        cities = db.session.scalars(sa.select(City).order_by(City.name)).all()
        form.city.choices = [SelectChoice(str(c.id), c.name) for c in cities]
    else:
        del form.city
    return form


def _editable_or_redirect(assessment: Assessment) -> Response | None:
    if assessment.is_editable:
        return None
    if assessment.status == "approved":
        flash(_("This assessment has been approved and can no longer be changed."), "warning")
    else:
        flash(_("This assessment has been submitted and can no longer be changed."), "warning")
    return redirect(url_for("assessment.report", assessment_id=assessment.id))


@bp.get("/")
@login_required
def home() -> Response:
    return redirect(url_for("assessment.index"))


@bp.get("/assessments")
@login_required
def index() -> str:
    query = visible_assessments(current_user).order_by(Assessment.created_at.desc())
    assessments = db.session.scalars(
        query.options(
            sa.orm.joinedload(Assessment.city),
            sa.orm.joinedload(Assessment.author),
            sa.orm.selectinload(Assessment.answers),
        )
    ).all()
    return render_template(
        "assessment/index.html",
        assessments=assessments,
        form=_new_assessment_form(),
        first_area_id=content.current.areas[0].id,
    )


@bp.post("/assessments/new")
@login_required
def new() -> str | Response:
    form = _new_assessment_form()
    if not form.validate_on_submit():
        flash(_("Choose the city this assessment is for."), "error")
        return redirect(url_for("assessment.index"))
    city = db.session.get(City, form.city.data) if current_user.is_admin else current_user.city
    if city is None:
        abort(400)
    assessment = start_assessment(current_user, city)
    db.session.commit()
    first_area = content.current.areas[0].id
    return redirect(url_for("assessment.area", assessment_id=assessment.id, area_id=first_area))


@bp.route("/assessments/<int:assessment_id>/areas/<area_id>", methods=["GET", "POST"])
@login_required
def area(assessment_id: int, area_id: str) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    bank = bank_for(assessment)
    area = bank.area(area_id)
    if area is None:
        abort(404)
    form = area_form(area, content_language())
    if form.validate_on_submit():
        save_answers(
            assessment,
            {
                q.id: AnswerInput(
                    form.answer(q.id).data or "",
                    form.comment(q.id).data or "",
                    form.confidence(q.id).data or None,
                    form.evidence(q.id).data or "",
                )
                for q in area.questions
            },
        )
        audit.record("save", obj=assessment, detail=area.id)
        db.session.commit()
        if form.save_and_next.data:
            position = bank.areas.index(area)
            if position + 1 < len(bank.areas):
                next_area = bank.areas[position + 1].id
                return redirect(
                    url_for("assessment.area", assessment_id=assessment.id, area_id=next_area)
                )
            return redirect(url_for("assessment.review", assessment_id=assessment.id))
        flash(_("Draft saved."), "success")
        return redirect(url_for("assessment.area", assessment_id=assessment.id, area_id=area.id))
    if not form.is_submitted():
        for answer in assessment.answers:
            if bank.question(answer.question_id) in area.questions:
                form.answer(answer.question_id).data = answer.value
                form.comment(answer.question_id).data = answer.comment
                form.confidence(answer.question_id).data = answer.confidence or ""
                form.evidence(answer.question_id).data = answer.evidence
    elif form.errors:
        flash(_("Some answers need your attention; nothing has been saved yet."), "error")
    return render_template(
        "assessment/area.html",
        assessment=assessment,
        bank=bank,
        area=area,
        form=form,
        answered=assessment.answer_values(),
        pending_return=assessment.pending_return,
    )


@bp.get("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    bank = bank_for(assessment)
    answered = assessment.answer_values()
    return render_template(
        "assessment/review.html",
        assessment=assessment,
        bank=bank,
        answered=answered,
        unanswered=[q for q in bank.questions() if q.id not in answered],
        form=SubmitForm(),
        pending_return=assessment.pending_return,
    )


@bp.post("/assessments/<int:assessment_id>/submit")
@login_required
def submit(assessment_id: int) -> Response:
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    if not SubmitForm().validate_on_submit():
        abort(400)
    try:
        submit_assessment(assessment, current_user)
    except TransitionRefused:
        db.session.rollback()
        flash(_("This assessment has been submitted already."), "info")
        return redirect(url_for("assessment.report", assessment_id=assessment.id))
    except IncompleteAssessment as missing:
        db.session.rollback()
        flash(
            ngettext(
                "%(num)d question still needs an answer before you can submit.",
                "%(num)d questions still need an answer before you can submit.",
                len(missing.unanswered),
            ),
            "error",
        )
        return redirect(url_for("assessment.review", assessment_id=assessment.id))
    audit.record("submit", obj=assessment)
    db.session.commit()
    flash(_("Submitted. Here is your city's report."), "success")
    return redirect(url_for("assessment.report", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int) -> Response:
    version = frozen_version(current_user, assessment_id)
    language = content_language()
    pdf_pending = documents.pdf_pending(version, assessment_id, language)
    # The page names its reader (and admins see more), so its tag is theirs; weak, as each
    # copy carries a fresh CSRF token.
    etag = etag_for("report", current_user.id, language, version.digest, pdf_pending)
    if version.digest is not None and (unchanged := not_modified(etag, weak=True)) is not None:
        return unchanged
    # Once submitted, the body is rendered once per version of what it shows and reused; admins
    # see every city's scores among the peers, so each kind of reader has its own.
    key = version.cache_key("report-html", language, current_user.is_admin)
    body = frozen_cache.get_or_make(key, lambda: _report_body(assessment_id))
    response = make_response(
        render_template(
            "assessment/report.html",
            city_name=version.city_name,
            body=body,
            pdf_pending=pdf_pending,
        )
    )
    if version.digest is not None:
        response.set_etag(etag, weak=True)
    return response


def _report_body(assessment_id: int) -> Markup:
    assessment = assessment_or_404(current_user, assessment_id)
    # Rendered with autoescape on, like every template: the markup is already safe.
    return Markup(  # noqa: S704  # nosec B704
        render_template(
            "assessment/_report_body.html",
            **report_context(assessment),
            history=status_history(assessment),
        )
    )
