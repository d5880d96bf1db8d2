from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, current_app, g
from flask_login import current_user, login_required
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.auth.tokens import token_required
from app.extensions import db
from app.models import Assessment, User
from app.platform import audit
from app.platform.pdf import RETRY_AFTER_SECONDS, pdf_response, render_slot
from app.reports import documents
from app.reports.ledger import ledger_xlsx
from app.reports.summary import report_parts
from app.reports.versions import frozen_version
from app.web.conditional import etag_for, not_modified
from app.web.i18n import content_language

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_pdf_response(user: User, assessment_id: int) -> Response:
    """The report as PDF, the same partials as the HTML report laid out for A4: a submitted
    one from storage (rendered in the background), a draft rendered now."""
    return _stored_document_response(user, assessment_id, "pdf")


def report_docx_response(user: User, assessment_id: int) -> Response:
    """The report as an editable Word document in the reader's language: a submitted one from
    storage, as its PDF is, a draft built now."""
    return _stored_document_response(user, assessment_id, "docx")


def _stored_document_response(user: User, assessment_id: int, kind: str) -> Response:
    version = frozen_version(user, assessment_id)
    filename = f"cityready-report-{assessment_id}.{kind}"
    if version.digest is None:
        return _draft_document(assessment_or_404(user, assessment_id), user, kind, filename)
    language = content_language()
    etag = etag_for(kind, language, version.digest)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    wait = float(current_app.config["DOCUMENT_WAIT_SECONDS"])
    name = documents.KINDS[kind].name
    try:
        document = documents.stored_content(assessment_id, kind, language, version.digest, wait)
    except documents.DocumentFailed as failed:
        raise ServiceUnavailable(
            f"The {name} could not be produced: {failed}", retry_after=RETRY_AFTER_SECONDS
        ) from failed
    if document is None:
        raise ServiceUnavailable(
            f"The {name} is still being prepared; try again in a moment.",
            retry_after=max(1, round(wait)),
        )
    audit.record(
        "download", obj=db.session.get_one(Assessment, assessment_id), detail=f"report.{kind}"
    )
    db.session.commit()
    response = _file_response(document, kind, filename)
    response.set_etag(etag)
    return response


def _file_response(document: bytes, kind: str, filename: str) -> Response:
    if kind == "pdf":
        return pdf_response(document, filename)
    return _attachment(document, documents.KINDS[kind].mimetype, filename)


def _draft_document(assessment: Assessment, user: User, kind: str, filename: str) -> Response:
    # A draft is built now, by the same builder as a stored copy; a PDF holds the person's one
    # render slot while WeasyPrint lays it out.
    slot = render_slot(f"user-{user.id}") if kind == "pdf" else nullcontext()
    with slot:
        document = documents.KINDS[kind].build(assessment)
    audit.record("download", obj=assessment, detail=f"report.{kind}", commit=True)
    return _file_response(document, kind, filename)


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, not to view (app.web.headers keeps it out of every cache)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ledger_xlsx_response(assessment: Assessment) -> Response:
    """The rectification ledger as an Excel workbook in the reader's language."""
    parts = report_parts(assessment)
    workbook = ledger_xlsx(assessment, parts.summary, parts.insights.actions, content_language())
    audit.record("download", obj=assessment, detail="ledger.xlsx", commit=True)
    return _attachment(workbook, XLSX, f"cityready-ledger-{assessment.id}.xlsx")


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@login_required
def report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(current_user, assessment_id)


@bp.get("/api/v1/assessments/<int:assessment_id>/report.pdf")
@token_required
def api_report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(g.api_user, assessment_id)


@bp.get("/assessments/<int:assessment_id>/report.docx")
@login_required
def report_docx_file(assessment_id: int) -> Response:
    return report_docx_response(current_user, assessment_id)


@bp.get("/api/v1/assessments/<int:assessment_id>/report.docx")
@token_required
def api_report_docx(assessment_id: int) -> Response:
    return report_docx_response(g.api_user, assessment_id)


@bp.get("/assessments/<int:assessment_id>/ledger.xlsx")
@login_required
def ledger_xlsx_file(assessment_id: int) -> Response:
    return ledger_xlsx_response(assessment_or_404(current_user, assessment_id))


@bp.get("/api/v1/assessments/<int:assessment_id>/ledger.xlsx")
@token_required
def api_ledger_xlsx(assessment_id: int) -> Response:
    return ledger_xlsx_response(assessment_or_404(g.api_user, assessment_id))
