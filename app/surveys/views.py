from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.assessments.scores import report_snapshot
from app.extensions import content, db
from app.models import Assessment, Survey
from app.surveys.forms import (
    InvitationsForm,
    OnlineResponseForm,
    OpenSurveyForm,
    PaperFormsForm,
    ResponseForm,
    response_form,
)
from app.surveys.operations import (
    PaperRefused,
    burst_flagged,
    count_online_answer,
    issue_invitations,
    normalised_code,
    open_survey,
    paper_refusal,
    paper_responses,
    print_paper_forms,
    record_paper_response,
    record_response,
    redeem_invitation,
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


def _now() -> datetime:
    return datetime.now(UTC)


def _answer_page(survey: Survey, form: OnlineResponseForm, **problems: str) -> str:
    return render_template(
        "residents/answer.html",
        survey=survey,
        questions=content.resident_survey,
        form=form,
        **problems,
    )


@bp.route("/s/<token>", methods=["GET", "POST"])
def answer(token: str) -> str | Response | tuple[str, int]:
    """A resident answers: verified with an invitation code, else unverified and limited per
    address; an empty questionnaire is not counted."""
    survey = survey_by_token_or_404(token)
    questions = content.resident_survey
    if not survey.is_open(_today()):
        return render_template("residents/closed.html", survey=survey), 410
    form = response_form(questions, content_language(), OnlineResponseForm)
    if not form.is_submitted():
        form.code.data = request.args.get("code", "")[:40]
    if not form.validate_on_submit():
        return _answer_page(survey, form)
    answers = form.answers(questions)
    if not answers:
        return _answer_page(
            survey,
            form,
            problem=_(
                "Please answer at least one question: an empty questionnaire is not counted."
            ),
        ), 422
    verified = bool(normalised_code(form.code.data or ""))
    if verified and not redeem_invitation(survey, form.code.data, _today()):
        form.code.errors = [
            _("This invitation code is not one of this survey's, or it has been used already.")
        ]
        # A wrong code counts against the address, like an answer: codes cannot be guessed fast.
        # The count is all this request stores.
        within_limit = within_rate_limit(survey)
        db.session.commit()
        return _answer_page(survey, form), 422 if within_limit else 429
    if not verified and not within_rate_limit(survey):
        message = _(
            "Many answers have come from your connection already. "
            "Thank you; please try again later, or use the invitation code you received."
        )
        return _answer_page(survey, form, limited=message), 429
    record_response(survey, answers, _today(), verified=verified)
    count_online_answer(survey, _now())
    db.session.commit()
    return redirect(url_for("residents.thanks", token=token))


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> str:
    return render_template("residents/thanks.html", survey=survey_by_token_or_404(token))


def _qr_svg(link: str, scale: int) -> bytes:
    svg = BytesIO()
    segno.make(link, error="m").save(svg, kind="svg", scale=scale, border=2, xmldecl=False)
    return svg.getvalue()


@bp.get("/s/<token>/qr.svg")
def qr_code(token: str) -> Response:
    survey = survey_by_token_or_404(token)
    link = public_url_for("residents.answer", token=survey.token)
    return Response(_qr_svg(link, 6), mimetype="image/svg+xml")


@bp.get("/s/<token>/print")
def printable(token: str) -> str:
    """The questionnaire for a resident to print; only forms printed by the city count for
    paper answers (``print_forms``)."""
    survey = survey_by_token_or_404(token)
    return render_template(
        "residents/print.html", survey=survey, questions=content.resident_survey, sheets=[None]
    )


def _manage_page(
    assessment: Assessment,
    survey: Survey | None,
    form: OpenSurveyForm | None = None,
    paper: ResponseForm | None = None,
    **extra: object,
) -> str:
    """The survey page, with the forms as they were filled in when one was refused."""
    questions = content.resident_survey
    if survey is not None:
        extra = {
            "results": survey_results(survey),
            "paper_typed_in": paper_responses(survey),
            "paper_closed": paper_refusal(survey, _today()),
            "burst": burst_flagged(survey),
            "burst_limit": current_app.config["SURVEY_BURST_PER_HOUR"],
            "forms_form": PaperFormsForm(prefix="forms", formdata=None),
            "invite_form": InvitationsForm(prefix="invite", formdata=None),
            **extra,
        }
    if paper is None:
        paper = response_form(
            questions, content_language(), ResponseForm, prefix="paper", formdata=None
        )
    return render_template(
        "residents/manage.html",
        assessment=assessment,
        survey=survey,
        form=form or OpenSurveyForm(formdata=None),
        paper=paper,
        questions=questions,
        participation=report_snapshot(assessment)["areas"].get("participation"),
        today=_today(),
        **extra,
    )


def _own_survey_or_404(assessment_id: int) -> tuple[Assessment, Survey]:
    assessment = assessment_or_404(current_user, assessment_id)
    survey = survey_of(assessment)
    if survey is None:
        abort(404)
    return assessment, survey


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
    return _manage_page(assessment, survey, form)


def _paper_refusal_message(reason: str, survey: Survey) -> str:
    if reason == "closed":
        return _(
            "The survey closed on %(day)s: paper questionnaires can no longer be typed in.",
            day=survey.closes_on.isoformat(),
        )
    return _(
        "All %(num)d paper questionnaires printed have been typed in. Print more from this "
        "page before typing in another: only printed forms can be counted.",
        num=survey.paper_forms_printed,
    )


@bp.post("/assessments/<int:assessment_id>/survey/paper")
@login_required
def paper_response(assessment_id: int) -> Response | tuple[str, int]:
    """Type in one paper questionnaire: audited, until the closing date, and no more of them
    than blank forms were printed."""
    assessment, survey = _own_survey_or_404(assessment_id)
    form = response_form(content.resident_survey, content_language(), ResponseForm, prefix="paper")
    if not form.validate_on_submit():
        abort(400)
    answers = form.answers(content.resident_survey)
    reason = paper_refusal(survey, _today())
    if reason is not None:
        problem = _paper_refusal_message(reason, survey)
        return _manage_page(assessment, survey, paper=form, paper_problem=problem), 409
    if not answers:
        problem = _("Tick at least one answer: an empty questionnaire is not counted.")
        return _manage_page(assessment, survey, paper=form, paper_problem=problem), 422
    try:
        record_paper_response(survey, answers, _today())
    except PaperRefused as refused:
        problem = _paper_refusal_message(refused.reason, survey)
        return _manage_page(assessment, survey, paper=form, paper_problem=problem), 409
    db.session.commit()
    flash(_("Paper answers recorded."), "success")
    return redirect(url_for("residents.manage", assessment_id=assessment.id) + "#paper")


def _refused_print_run(
    assessment: Assessment, survey: Survey, form: FlaskForm, key: str, closed: str
) -> str | tuple[str, int] | None:
    """The survey page again, with ``form`` as ``<key>_form``, when the print run cannot go
    ahead: the survey has closed (409, ``closed`` beside the form), or the number is wrong."""
    if not survey.is_open(_today()):
        return _manage_page(
            assessment, survey, **{f"{key}_form": form, f"{key}_problem": closed}
        ), 409
    if not form.validate_on_submit():
        return _manage_page(assessment, survey, **{f"{key}_form": form})
    return None


@bp.post("/assessments/<int:assessment_id>/survey/forms")
@login_required
def print_forms(assessment_id: int) -> str | tuple[str, int]:
    """Print blank paper questionnaires, each numbered; the count caps the paper answers."""
    assessment, survey = _own_survey_or_404(assessment_id)
    form = PaperFormsForm(prefix="forms")
    closed = _("The survey has closed: no more questionnaires can be printed.")
    refused = _refused_print_run(assessment, survey, form, "forms", closed)
    if refused is not None:
        return refused
    sheets = print_paper_forms(survey, form.copies.data)
    db.session.commit()
    return render_template(
        "residents/print.html", survey=survey, questions=content.resident_survey, sheets=sheets
    )


@bp.post("/assessments/<int:assessment_id>/survey/invitations")
@login_required
def invitations(assessment_id: int) -> str | tuple[str, int]:
    """Print single-use invitation codes, each with its QR code; they are shown only here."""
    assessment, survey = _own_survey_or_404(assessment_id)
    form = InvitationsForm(prefix="invite")
    closed = _("The survey has closed: no more invitations can be printed.")
    refused = _refused_print_run(assessment, survey, form, "invite", closed)
    if refused is not None:
        return refused
    codes = issue_invitations(survey, form.count.data)
    db.session.commit()
    cards = []
    for code in codes:
        link = public_url_for("residents.answer", token=survey.token, code=code)
        # Inline, not a link to qr.svg: the unused code stays out of access logs. The markup is
        # segno's, holding only the link the app built: nothing a user typed.
        qr = Markup(_qr_svg(link, 3).decode())  # noqa: S704  # nosec B704
        cards.append((f"{code[:5]}-{code[5:]}", qr))
    link = public_url_for("residents.answer", token=survey.token)
    return render_template("residents/invitations.html", survey=survey, cards=cards, link=link)
