from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.assessments.scores import bank_for
from app.evidence.downloads import download_response
from app.evidence.forms import EvidenceRemoveForm, EvidenceUploadForm
from app.evidence.operations import (
    EvidenceRefused,
    attach_evidence,
    evidence_file_or_404,
    remove_evidence,
)
from app.extensions import db
from app.models import Assessment
from app.platform import audit
from app.web.input_guard import receives_files

bp = Blueprint("evidence", __name__)


def _refusal_message(reason: str) -> str:
    config = current_app.config
    if reason == "too_large":
        megabytes = config["EVIDENCE_MAX_FILE_BYTES"] // 2**20
        return _("The file is too large: each file may be at most %(mb)d MB.", mb=megabytes)
    if reason == "assessment_full":
        megabytes = config["EVIDENCE_MAX_ASSESSMENT_BYTES"] // 2**20
        return _(
            "The file was not attached: the files of one assessment may total at most %(mb)d MB.",
            mb=megabytes,
        )
    if reason == "type":
        return _(
            "Only PDF, PNG, JPEG and Office files (Word, Excel, PowerPoint) can be attached; "
            "this file is none of them, whatever its name says."
        )
    if reason == "unknown_question":
        return _("That question is not part of this assessment.")
    return _("This assessment can no longer be changed, so its files cannot either.")


def _back_to_answer(assessment: Assessment, question_id: str) -> Response:
    bank = bank_for(assessment)
    area = next((a for a in bank.areas if bank.question(question_id) in a.questions), None)
    if area is None or not assessment.is_editable:
        return redirect(url_for("assessment.report", assessment_id=assessment.id))
    page = url_for("assessment.area", assessment_id=assessment.id, area_id=area.id)
    return redirect(f"{page}#evidence-{question_id}")


@bp.post("/assessments/<int:assessment_id>/evidence")
@login_required
@receives_files
def upload(assessment_id: int) -> Response:
    assessment = assessment_or_404(current_user, assessment_id)
    form = EvidenceUploadForm()
    question_id = form.question_id.data or ""
    if not form.validate_on_submit():
        flash(_("Choose a file to attach."), "error")
        return _back_to_answer(assessment, question_id)
    try:
        attached = attach_evidence(
            assessment,
            question_id,
            form.file.data.filename or "",
            form.file.data.stream,
            current_user,
        )
    except EvidenceRefused as refused:
        db.session.rollback()
        flash(_refusal_message(refused.reason), "error")
        return _back_to_answer(assessment, question_id)
    audit.record("save", obj=assessment, detail=f"evidence {attached.filename}")
    db.session.commit()
    flash(_("Attached %(name)s.", name=attached.filename), "success")
    return _back_to_answer(assessment, question_id)


@bp.get("/evidence/<int:file_id>")
@login_required
def download(file_id: int) -> Response:
    row = evidence_file_or_404(current_user, file_id)
    audit.record("download", obj=row.assessment, detail=f"evidence {row.id}", commit=True)
    return download_response(row)


@bp.post("/evidence/<int:file_id>/remove")
@login_required
def remove(file_id: int) -> Response:
    row = evidence_file_or_404(current_user, file_id)
    assessment, question_id = row.assessment, row.question_id
    if not EvidenceRemoveForm().validate_on_submit():
        return _back_to_answer(assessment, question_id)
    try:
        remove_evidence(row)
    except EvidenceRefused as refused:
        db.session.rollback()
        flash(_refusal_message(refused.reason), "error")
        return _back_to_answer(assessment, question_id)
    audit.record("save", obj=assessment, detail=f"evidence {file_id} removed")
    db.session.commit()
    flash(_("The file was removed."), "success")
    return _back_to_answer(assessment, question_id)
