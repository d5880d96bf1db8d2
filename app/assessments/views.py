from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.assessments.forms import (
    AreaForm,
    MoveBankForm,
    NewAssessmentForm,
    SubmitForm,
    WorkbookUploadForm,
    answer_field_name,
    area_form,
    comment_field_name,
)
from app.assessments.operations import (
    AnswerInput,
    IncompleteAssessment,
    MoveRefused,
    bank_move_for,
    carry_over_previous_round,
    move_to_bank,
    save_answers,
    start_assessment,
    submit_assessment,
    unconfirmed_carried_over,
)
from app.assessments.queries import assessment_or_404, visible_assessments, visible_cities
from app.assessments.scores import bank_for
from app.assessments.workbook import (
    WorkbookProblem,
    WorkbookRefused,
    answers_workbook,
    read_answers_workbook,
)
from app.assessments.workflow import TransitionRefused, status_history
from app.core.questionnaire import Area, Question
from app.evidence.operations import evidence_by_question
from app.extensions import content, db
from app.models import Assessment, City
from app.platform import audit
from app.platform.caching import frozen_cache
from app.reports import documents
from app.reports.summary import report_context
from app.reports.versions import frozen_version
from app.web.conditional import etag_for, not_modified
from app.web.i18n import content_language
from app.web.input_guard import receives_files

bp = Blueprint("assessment", __name__)


def _new_assessment_form() -> NewAssessmentForm:
    form = NewAssessmentForm()
    if current_user.is_admin:
        cities = db.session.scalars(visible_cities(current_user)).all()
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
    """Each role's own start: reviewers their dashboard, officials their city's assessments."""
    if current_user.is_admin:
        return redirect(url_for("admin.dashboard"))
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
    if form.carry_over.data:
        copied = carry_over_previous_round(assessment)
        if copied:
            flash(
                ngettext(
                    "%(num)d answer was carried over from the previous round: please confirm it.",
                    "%(num)d answers were carried over from the previous round: please confirm "
                    "each of them.",
                    copied,
                ),
                "info",
            )
        else:
            flash(_("There is no finished previous round to carry answers over from."), "info")
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
        save_answers(assessment, _answers_given(form, area.questions))
        audit.record("save", obj=assessment, detail=area.id)
        db.session.commit()
        if form.save_and_next.data:
            _say_what_is_left(assessment, area)
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
        evidence_files=evidence_by_question(assessment),
    )


@bp.post("/assessments/<int:assessment_id>/areas/<area_id>/autosave")
@login_required
def autosave(assessment_id: int, area_id: str) -> tuple[Response, int]:
    """Store one area's answers as the official gives them, so leaving the page loses nothing.

    The body is the area's own form. Only the questions it carries are touched (a browser
    always sends a question's comment box), and if any field is invalid nothing is stored.
    """
    assessment = assessment_or_404(current_user, assessment_id)
    area = bank_for(assessment).area(area_id)
    if area is None:
        abort(404)
    if not assessment.is_editable:
        message = _("This assessment has been submitted and can no longer be changed.")
        return jsonify({"errors": {"request": message}}), 409
    form = area_form(area, content_language())
    if not form.validate_on_submit():
        errors = {name: messages[0] for name, messages in form.errors.items() if messages}
        return jsonify({"errors": errors}), 422
    given = [q for q in area.questions if comment_field_name(q.id) in request.form]
    if given:
        save_answers(assessment, _answers_given(form, given))
        audit.record("save", obj=assessment, detail=area.id)
        db.session.commit()
    answered = assessment.answer_values()
    in_area = sum(q.id in answered for q in area.questions)
    return jsonify({"saved": len(given), "answered": in_area, "answered_total": len(answered)}), 200


def _answers_given(form: AreaForm, questions: Iterable[Question]) -> dict[str, AnswerInput]:
    return {
        q.id: AnswerInput(
            form.answer(q.id).data or "",
            form.comment(q.id).data or "",
            form.confidence(q.id).data or None,
            form.evidence(q.id).data or "",
        )
        for q in questions
    }


def _say_what_is_left(assessment: Assessment, area: Area) -> None:
    """Moving on is allowed with gaps, but never silently: name each question still open."""
    answered = assessment.answer_values()
    left = [(n, q) for n, q in enumerate(area.questions, start=1) if q.id not in answered]
    if not left:
        return
    links = Markup(", ").join(
        Markup('<a href="{href}">{label}</a>').format(
            href=url_for("assessment.area", assessment_id=assessment.id, area_id=area.id)
            + "#"
            + answer_field_name(q.id),
            label=_("question %(n)d", n=n),
        )
        for n, q in left
    )
    # Every value is escaped before it goes in: the message itself is ours.
    flash(
        Markup(  # noqa: S704  # nosec B704
            ngettext(
                "%(area)s: %(num)d question is still unanswered (%(links)s). You can come back"
                " to it at any time before you submit.",
                "%(area)s: %(num)d questions are still unanswered (%(links)s). You can come back"
                " to them at any time before you submit.",
                len(left),
                area=escape(area.title.get(content_language())),
                links=links,
            )
        ),
        "warning",
    )


@bp.get("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> str | Response:
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    return _review_page(assessment, WorkbookUploadForm(), [])


def _review_page(
    assessment: Assessment,
    workbook_form: WorkbookUploadForm,
    workbook_problems: list[WorkbookProblem],
) -> str:
    """The review page, also as the answer to a refused workbook, which lists its problems."""
    bank = bank_for(assessment)
    answered = assessment.answer_values()
    return render_template(
        "assessment/review.html",
        assessment=assessment,
        bank=bank,
        answered=answered,
        unanswered=[q for q in bank.questions() if q.id not in answered],
        carried_over=[bank.question(q) for q in unconfirmed_carried_over(assessment)],
        form=SubmitForm(),
        workbook_form=workbook_form,
        workbook_problems=workbook_problems,
        pending_return=assessment.pending_return,
        newer_bank=_newer_bank(assessment),
    )


def _newer_bank(assessment: Assessment) -> str | None:
    """The newest bank a draft may move to, or None when it is on the newest already."""
    if assessment.status != "draft":
        return None
    newer = content.newer_banks(assessment.questionnaire_version)
    return newer[-1].version if newer else None


@bp.route("/assessments/<int:assessment_id>/question-bank", methods=["GET", "POST"])
@login_required
def move_bank(assessment_id: int) -> str | Response:
    """Confirm, then move a draft to the newest question bank; the page lists what is lost."""
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    form = MoveBankForm()
    version = (form.version.data if form.is_submitted() else None) or _newer_bank(assessment)
    try:
        move = bank_move_for(assessment, version or "")
    except MoveRefused:
        if form.is_submitted():
            abort(400)
        flash(_("This draft is on the newest question bank already."), "info")
        return redirect(url_for("assessment.review", assessment_id=assessment.id))
    if form.validate_on_submit():
        move_to_bank(assessment, move.target)
        db.session.commit()
        flash(
            _(
                "The draft now uses question bank %(version)s. Please check the questions whose "
                "answers were not carried over.",
                version=move.target,
            ),
            "success",
        )
        return redirect(url_for("assessment.review", assessment_id=assessment.id))
    if form.is_submitted():
        abort(400)
    form.version.data = move.target
    return render_template(
        "assessment/move_bank.html",
        assessment=assessment,
        bank=bank_for(assessment),
        move=move,
        form=form,
    )


@bp.get("/assessments/<int:assessment_id>/submit")
@login_required
def confirm_submit(assessment_id: int) -> str | Response:
    """Submitting cannot be undone by the city, so it is asked for on a page of its own that
    says what follows, and works the same without JavaScript."""
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    answered = assessment.answer_values()
    if any(q.id not in answered for q in bank_for(assessment).questions()):
        return redirect(url_for("assessment.review", assessment_id=assessment.id))
    return render_template(
        "assessment/confirm_submit.html",
        assessment=assessment,
        form=SubmitForm(),
        carried_over=unconfirmed_carried_over(assessment),
    )


@bp.post("/assessments/<int:assessment_id>/submit")
@login_required
def submit(assessment_id: int) -> Response:
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    if unconfirmed_carried_over(assessment) and not form.confirm_carried_over.data:
        flash(
            _(
                "Some answers carried over from the previous round are not confirmed yet: "
                "confirm them, or tick the box to submit them as they are."
            ),
            "error",
        )
        return redirect(url_for("assessment.confirm_submit", assessment_id=assessment.id))
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
    key = version.cache_key(
        "report-html", language, current_user.is_admin, current_user.is_national_reviewer
    )
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/assessments/<int:assessment_id>/answers.xlsx")
@login_required
def answers_xlsx(assessment_id: int) -> Response:
    """The answers as a workbook to fill in off-line, in the reader's language."""
    assessment = assessment_or_404(current_user, assessment_id)
    audit.record("export", obj=assessment, detail="answers.xlsx", commit=True)
    return Response(
        answers_workbook(assessment, content_language()),
        mimetype=XLSX,
        headers={
            "Content-Disposition": (
                f'attachment; filename="cityready-{assessment.id}-answers.xlsx"'
            )
        },
    )


@bp.post("/assessments/<int:assessment_id>/answers.xlsx")
@login_required
@receives_files
def upload_answers_xlsx(assessment_id: int) -> tuple[str, int] | Response:
    """Read a filled workbook in whole, or store nothing and list every problem in it."""
    assessment = assessment_or_404(current_user, assessment_id)
    if (done := _editable_or_redirect(assessment)) is not None:
        return done
    form = WorkbookUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the filled workbook to read in."), "error")
        return redirect(url_for("assessment.review", assessment_id=assessment.id))
    try:
        given = read_answers_workbook(assessment, form.workbook.data.read())
    except WorkbookRefused as refused:
        return _review_page(assessment, form, refused.problems), 422
    save_answers(assessment, given)
    audit.record("save", obj=assessment, detail="answers.xlsx")
    db.session.commit()
    flash(
        ngettext(
            "%(num)d answer was read in from the workbook.",
            "%(num)d answers were read in from the workbook.",
            len(given),
        ),
        "success",
    )
    return redirect(url_for("assessment.review", assessment_id=assessment.id))
