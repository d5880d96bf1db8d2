"""Admin pages under /admin: every route is for admins only."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin.dashboard import compared_assessments, current_dashboard
from app.admin.export import csv_chunks
from app.admin.filter_messages import compare_message, filter_messages
from app.admin.filters import (
    LEVEL_CHOICES,
    PER_PAGE,
    SORT_KEYS,
    STATUS_CHOICES,
    parse_compare_ids,
    parse_filters,
)
from app.admin.forms import (
    ApproveForm,
    ReturnForm,
    ReviewerNotesForm,
    return_form,
    reviewer_notes_form,
    verify_form,
)
from app.admin.queries import (
    EXPORT_FIELDS,
    city_choices,
    export_row,
    stream_submissions,
    submissions_page,
)
from app.admin.standings import city_standings, parse_city_page, parse_city_sort
from app.assessments.queries import ANSWERS_AND_REVIEWERS, visible_assessments
from app.assessments.scores import bank_for, report_snapshot
from app.assessments.verification import (
    VerificationRefused,
    assessment_verified_scores,
    verify_answer,
)
from app.assessments.workflow import (
    TransitionRefused,
    approve_assessment,
    return_for_revision,
    status_history,
)
from app.core.questionnaire import QuestionBank
from app.core.review_stats import largest_differences
from app.extensions import content, db, login_manager
from app.models import Assessment, utcnow
from app.platform import audit
from app.reports.insights import report_insights
from app.web.i18n import content_language
from app.web.templating import display_zone

bp = Blueprint("admin", __name__)
P = ParamSpec("P")
R = TypeVar("R")


@bp.before_request
def admins_only() -> Response | None:
    """Signed-out visitors go to the login page; signed-in officials get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not current_user.is_admin:
        abort(403)
    return None


def national_reviewers_only(view: Callable[P, R]) -> Callable[P, R]:
    """For pages that reach beyond one province: accounts (a provincial reviewer could make
    themselves a national one), the audit log, provinces. Provincial reviewers get 403."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_national_reviewer:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _assessment_or_404(assessment_id: int) -> Assessment:
    found = db.session.scalar(
        visible_assessments(current_user)
        .where(Assessment.id == assessment_id)
        .options(
            sa.orm.joinedload(Assessment.city),
            sa.orm.joinedload(Assessment.author),
            ANSWERS_AND_REVIEWERS,
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
        keep_doing=content.catalogue_for(bank.version).keep_doing,
        insights=report_insights(assessment),
        verified=assessment_verified_scores(assessment),
    )


def _notes(bank: QuestionBank, form: ReviewerNotesForm) -> dict[str, str]:
    return {q.id: form.note(q.id).data or "" for q in bank.questions()}


def _kept_notes(bank: QuestionBank, notes_form: ReviewerNotesForm) -> ReturnForm:
    """The return form showing the notes just sent, so a refused approval loses none of them."""
    kept = return_form(bank, prefix="return", formdata=None)
    for question in bank.questions():
        kept.note(question.id).data = notes_form.note(question.id).data
        kept.note(question.id).errors = notes_form.note(question.id).errors
    return kept


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
    choices = city_choices(current_user)
    parsed = parse_filters(request.args, choices.ids)
    page, rows = submissions_page(parsed.filters, PER_PAGE, display_zone(), current_user)
    return render_template(
        "admin/submissions.html",
        filters=parsed.filters,
        problems=filter_messages(parsed.problems),
        page=page,
        rows=rows,
        city_options=choices.html(parsed.filters.city_id),
        statuses=STATUS_CHOICES,
        levels=LEVEL_CHOICES,
        sort_keys=SORT_KEYS,
    )


@bp.get("")
def dashboard() -> str:
    """Counts by status and level, mean scores, the cities' table and the most widespread weak
    points."""
    city_sort = parse_city_sort(request.args)
    city_page, standings = city_standings(city_sort, current_user, parse_city_page(request.args))
    return render_template(
        "admin/dashboard.html",
        figures=current_dashboard(content.current, current_user),
        bank=content.current,
        city_sort=city_sort,
        standings=standings,
        city_page=city_page,
    )


@bp.get("/questions")
def questions() -> str:
    """The current question bank beside the paper, so a figure can be traced to its section."""
    bank = content.current
    catalogue = content.catalogue
    measures = {
        q.id: [cm for cm in catalogue.countermeasures if q.id in cm.question_ids]
        for q in bank.questions()
    }
    return render_template(
        "admin/questions.html", bank=bank, countermeasures=measures, catalogue=catalogue
    )


@bp.get("/compare")
def compare() -> tuple[str, int] | str:
    """Two to six assessments side by side; any other choice is a 400 or 404 with a message."""
    ids, problem = parse_compare_ids(request.args.getlist("ids"))
    if problem is not None:
        return _cannot_compare(compare_message(problem)), 400
    compared, unknown = compared_assessments(ids, current_user)
    if unknown:
        message = ngettext(
            "There is no assessment %(ids)s.",
            "There are no assessments %(ids)s.",
            len(unknown),
            ids=", ".join(f"#{i}" for i in unknown),
        )
        return _cannot_compare(message), 404
    bank = content.current
    return render_template(
        "admin/compare.html",
        compared=compared,
        bank=bank,
        differences=largest_differences(bank, [c.answers for c in compared]),
        problem=None,
    )


def _cannot_compare(message: str) -> str:
    return render_template("admin/compare.html", problem=message, compared=[])


@bp.get("/assessments.csv")
def submissions_csv() -> Response:
    """The filtered list as CSV, streamed: one row per assessment, one column per question."""
    parsed = parse_filters(request.args, city_choices(current_user).ids)
    if parsed.problems:
        # The page sets a bad filter aside with a message beside it; a download has no such
        # place, and every row instead of the ones asked for would pass for a right answer.
        abort(400)
    audit.record("export", detail="assessments.csv", commit=True)
    question_ids = [q.id for q in content.current.questions()]
    rows = (
        export_row(assessment, answers, question_ids, verified)
        for assessment, answers, verified in stream_submissions(
            parsed.filters, display_zone(), current_user
        )
    )
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(csv_chunks([*EXPORT_FIELDS, *question_ids], rows)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="cityready-assessments-{stamp}.csv"'
        },
    )


@bp.get("/assessments/<int:assessment_id>")
def assessment(assessment_id: int) -> str:
    return _detail(_assessment_or_404(assessment_id))


@bp.post("/assessments/<int:assessment_id>/approve")
def approve(assessment_id: int) -> str | Response:
    assessment = _assessment_or_404(assessment_id)
    bank = bank_for(assessment)
    form = ApproveForm(prefix="approve")
    notes_form = reviewer_notes_form(bank, prefix="return")
    # Both are checked, so every message shows at once.
    if not (form.validate_on_submit() & notes_form.validate()):
        flash(_("The assessment was not approved: see the messages below."), "error")
        return _detail(assessment, approve=form, returning=_kept_notes(bank, notes_form))
    unverified = assessment_verified_scores(assessment).unverified
    if unverified and assessment.status == "submitted" and not form.confirm_unverified.data:
        flash(
            ngettext(
                "%(num)d answer is not verified yet. Verify it, or tick the box to approve anyway.",
                "%(num)d answers are not verified yet. Verify them, or tick the box to approve "
                "anyway.",
                len(unverified),
            ),
            "error",
        )
        return _detail(assessment, approve=form, returning=_kept_notes(bank, notes_form))
    try:
        approve_assessment(
            assessment, current_user, form.comment.data or "", _notes(bank, notes_form)
        )
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
    try:
        return_for_revision(assessment, current_user, form.comment.data or "", _notes(bank, form))
    except TransitionRefused as refused:
        return _refused(refused, assessment.id)
    audit.record("return", obj=assessment)
    db.session.commit()
    flash(_("Returned to the city with your comments."), "success")
    return redirect(url_for("admin.assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/answers/<question_id>/verification")
def verify(assessment_id: int, question_id: str) -> Response:
    """Accept one answer, or adjust its level with a reason; back to the answer on the page."""
    assessment = _assessment_or_404(assessment_id)
    question = bank_for(assessment).question(question_id)
    if question is None:
        abort(404)
    form = verify_form(question, content_language())
    back = url_for("admin.assessment", assessment_id=assessment.id) + f"#verify-{question_id}"
    if not form.validate_on_submit():
        problems = [e for errors in form.errors.values() for e in errors]
        flash(" ".join(str(p) for p in problems), "error")
        return redirect(back)
    try:
        verify_answer(
            assessment,
            question_id,
            current_user,
            form.status.data or "",
            form.value.data if form.status.data == "adjusted" else None,
            form.reason.data or "",
        )
    except VerificationRefused as refused:
        db.session.rollback()
        flash(
            _("Only the answers of a submitted assessment can be verified.")
            if refused.reason == "not_in_review"
            else _("The check was not recorded: there is no such answer to verify."),
            "error",
        )
        return redirect(back)
    audit.record("save", obj=assessment, detail=f"verification {question_id}")
    db.session.commit()
    flash(_("Check recorded."), "success")
    return redirect(back)
