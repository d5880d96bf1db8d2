from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import segno
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.assessments.scores import report_snapshot
from app.extensions import content, db
from app.surveys.forms import OpenSurveyForm, response_form
from app.surveys.operations import (
    open_survey,
    record_response,
    survey_by_token_or_404,
    survey_of,
    survey_results,
    within_rate_limit,
)
from app.web.i18n import content_language
from app.web.links import public_url_for

bp = Blueprint("residents", __name__)

DEFAULT_OPEN_DAYS = 30


def _today() -> date:
    return date.today()


@bp.route("/s/<token>", methods=["GET", "POST"])
def answer(token: str) -> str | Response | tuple[str, int]:
    survey = survey_by_token_or_404(token)
    questions = content.resident_survey
    if not survey.is_open(_today()):
        return render_template("residents/closed.html", survey=survey), 410
    form = response_form(questions, content_language())
    if form.validate_on_submit():
        if not within_rate_limit(survey):
            message = _(
                "Many answers have come from your connection already. "
                "Thank you; please try again later."
            )
            return render_template(
                "residents/answer.html",
                survey=survey,
                questions=questions,
                form=form,
                limited=message,
            ), 429
        record_response(survey, form.answers(questions), _today())
        db.session.commit()
        return redirect(url_for("residents.thanks", token=token))
    return render_template("residents/answer.html", survey=survey, questions=questions, form=form)


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> str:
    return render_template("residents/thanks.html", survey=survey_by_token_or_404(token))


@bp.get("/s/<token>/qr.svg")
def qr_code(token: str) -> Response:
    survey = survey_by_token_or_404(token)
    link = public_url_for("residents.answer", token=survey.token)
    svg = BytesIO()
    segno.make(link, error="m").save(svg, kind="svg", scale=6, border=2, xmldecl=False)
    return Response(svg.getvalue(), mimetype="image/svg+xml")


@bp.get("/s/<token>/print")
def printable(token: str) -> str:
    survey = survey_by_token_or_404(token)
    return render_template("residents/print.html", survey=survey, questions=content.resident_survey)


@bp.route("/assessments/<int:assessment_id>/survey", methods=["GET", "POST"])
@login_required
def manage(assessment_id: int) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    survey = survey_of(assessment)
    form = OpenSurveyForm()
    if survey is None and form.validate_on_submit():
        if form.closes_on.data < _today():
            form.closes_on.errors.append(_("The closing date must not be in the past."))
        else:
            open_survey(assessment, current_user, form.closes_on.data)
            db.session.commit()
            flash(_("The survey is open: share its link or print it."), "success")
            return redirect(url_for("residents.manage", assessment_id=assessment.id))
    elif not form.is_submitted():
        form.closes_on.data = _today() + timedelta(days=DEFAULT_OPEN_DAYS)
    paper = response_form(
        content.resident_survey, content_language(), prefix="paper", formdata=None
    )
    return render_template(
        "residents/manage.html",
        assessment=assessment,
        survey=survey,
        form=form,
        paper=paper,
        questions=content.resident_survey,
        results=None if survey is None else survey_results(survey),
        participation=report_snapshot(assessment)["areas"].get("participation"),
        today=_today(),
    )


@bp.post("/assessments/<int:assessment_id>/survey/paper")
@login_required
def paper_response(assessment_id: int) -> Response:
    """Type in one paper questionnaire: no rate limit, and possible after the closing date."""
    assessment = assessment_or_404(current_user, assessment_id)
    survey = survey_of(assessment)
    if survey is None:
        abort(404)
    form = response_form(content.resident_survey, content_language(), prefix="paper")
    if not form.validate_on_submit():
        abort(400)
    record_response(survey, form.answers(content.resident_survey), _today(), source="paper")
    db.session.commit()
    flash(_("Paper answers recorded."), "success")
    return redirect(url_for("residents.manage", assessment_id=assessment.id) + "#paper")
