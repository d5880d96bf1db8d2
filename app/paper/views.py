from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.assessments.operations import (
    AnswerInput,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.assessments.queries import visible_cities
from app.core.questionnaire import QuestionBank
from app.extensions import content, db
from app.models import Assessment, City
from app.paper.form_ids import parse_form_id
from app.paper.forms import PaperResponseForm, answer_key, paper_response_form
from app.paper.operations import issue_form_ids, printed_for
from app.platform import audit
from app.platform.pdf import pdf_response, render_pdf, render_slot
from app.platform.pdf.overlay import overlay_pages, page_count
from app.web.i18n import content_language

bp = Blueprint("paper", __name__)

MAX_COPIES = 10


@bp.get("/paper/questionnaire.pdf")
@login_required
def questionnaire_pdf() -> Response:
    """Blank questionnaires to print, each copy with its own form id on every page."""
    copies = request.args.get("copies", "1")
    # isdigit() alone takes "²", which int() refuses, and int() refuses 5,000 digits too.
    if not (copies.isascii() and copies.isdigit() and len(copies) <= 2) or not (
        1 <= int(copies) <= MAX_COPIES
    ):
        abort(400)
    bank = content.current
    # The same for every copy and every request of this bank, language and city: laid out once
    # and then served from the PDF cache. Only the ids, on otherwise empty pages, are new.
    blank = render_template(
        "paper/questionnaire.html", bank=bank, city=current_user.city, answer_key=answer_key
    )
    form_ids = issue_form_ids(bank.version, int(copies), current_user.city)
    with render_slot(f"user-{current_user.id}"):
        questionnaire = render_pdf(blank)
        ids = render_pdf(
            render_template(
                "paper/form_id_stamps.html",
                form_ids=form_ids,
                pages=page_count(questionnaire),
            ),
            keep=False,
        )
    # Recorded only once printed: a render that failed issued nothing.
    db.session.commit()
    return pdf_response(
        overlay_pages(questionnaire, ids), f"cityready-questionnaire-{bank.version}.pdf"
    )


def _form(bank: QuestionBank) -> PaperResponseForm:
    form = paper_response_form(bank, content_language())
    if current_user.is_admin:
        cities = db.session.scalars(visible_cities(current_user)).all()
        form.city.choices = [SelectChoice(str(c.id), c.name) for c in cities]
    else:
        del form.city
    return form


def _checked_form_id(form: PaperResponseForm, bank: QuestionBank, city: City | None) -> str | None:
    """The canonical form id, or None with the reason beside the field."""
    parsed = parse_form_id(form.form_id.data or "", content.banks)
    if parsed is None:
        form.form_id.errors.append(
            _("This is not a form id from our questionnaires. Check it against the paper.")
        )
        return None
    form_id, version = parsed
    if version != bank.version:
        form.form_id.errors.append(
            _(
                "This form was printed for question bank %(version)s; only the current bank, "
                "%(current)s, can be keyed in.",
                version=version,
                current=bank.version,
            )
        )
        return None
    if db.session.scalar(sa.select(Assessment.id).where(Assessment.paper_form_id == form_id)):
        form.form_id.errors.append(_("This form has already been keyed in."))
        return None
    if city is not None and not printed_for(form_id, city):
        form.form_id.errors.append(
            _("This form was not printed for this city. Check the id against the paper.")
        )
        return None
    return form_id


def _unanswered(form: PaperResponseForm, bank: QuestionBank) -> list[str]:
    """Mark each question with no valid key as needed for submission; return their field names."""
    missing = [q for q in bank.questions() if not form.value_for(q) and not form.answer(q).errors]
    for question in missing:
        form.answer(question).errors.append(
            _("Needed to submit: type the key of the box ticked, or save as a draft.")
        )
    return [form.answer(q).name for q in missing]


def _keyed_in_for(form: PaperResponseForm) -> City | None:
    """The city the form is keyed in for: the admin's choice, or the official's own city."""
    if not current_user.is_admin:
        return current_user.city  # type: ignore[no-any-return]
    # Read after validation: a city that is not among the choices has an error, not a row.
    return None if form.city.errors or not form.city.data else db.session.get(City, form.city.data)


def _store(
    form: PaperResponseForm, bank: QuestionBank, form_id: str, city: City | None
) -> Assessment | None:
    """Record the keyed-in answers (and submit them if asked); None if the form id got taken."""
    if city is None:
        abort(400)
    try:
        assessment = start_assessment(current_user, city, "paper", form_id)
        save_answers(
            assessment,
            {
                q.id: AnswerInput(form.value_for(q), form.comment(q).data or "")
                for q in bank.questions()
            },
        )
        audit.record("save", obj=assessment, detail="paper")
        if form.submit.data:
            submit_assessment(assessment)
            audit.record("submit", obj=assessment, detail="paper")
        db.session.commit()
    except IntegrityError:  # someone keyed in the same form at the same moment
        db.session.rollback()
        form.form_id.errors.append(_("This form has already been keyed in."))
        return None
    return assessment


@bp.route("/paper/responses/new", methods=["GET", "POST"])
@login_required
def key_in() -> str | Response:
    """Key in a paper questionnaire: every question on one page, one key per answer."""
    bank = content.current
    form = _form(bank)
    unanswered: list[str] = []
    if form.is_submitted():
        # Check everything at once, so one round trip shows every mistake on the page.
        fields_valid = form.validate()
        city = _keyed_in_for(form)
        form_id = None if form.form_id.errors else _checked_form_id(form, bank, city)
        unanswered = _unanswered(form, bank) if form.submit.data else []
        if (
            fields_valid
            and form_id
            and not unanswered
            and (stored := _store(form, bank, form_id, city))
        ):
            if form.submit.data:
                flash(_("Paper form %(form)s keyed in and submitted.", form=form_id), "success")
                return redirect(url_for("assessment.report", assessment_id=stored.id))
            flash(_("Paper form %(form)s keyed in as a draft.", form=form_id), "success")
            return redirect(url_for("assessment.review", assessment_id=stored.id))
        flash(_("Some entries need your attention; nothing has been saved yet."), "error")
    return render_template(
        "paper/key_in.html", form=form, bank=bank, answer_key=answer_key, unanswered=unanswered
    )
