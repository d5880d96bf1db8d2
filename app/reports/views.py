from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.auth.tokens import token_required
from app.models import Assessment, User
from app.platform import audit
from app.platform.pdf import pdf_response, render_pdf, render_slot
from app.reports.documents import report_docx
from app.reports.ledger import ledger_xlsx
from app.reports.summary import report_context, report_parts
from app.web.i18n import content_language

bp = Blueprint("reports", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_pdf_response(assessment: Assessment, user: User) -> Response:
    """The report as PDF: the same partials as the HTML report, laid out for A4."""
    html = render_template("reports/report.html", **report_context(assessment))
    with render_slot(f"user-{user.id}"):
        document = render_pdf(html)
    audit.record("download", obj=assessment, detail="report.pdf", commit=True)
    return pdf_response(document, f"cityready-report-{assessment.id}.pdf")


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, not to view (app.web.headers keeps it out of every cache)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_docx_response(assessment: Assessment) -> Response:
    """The report as an editable Word document in the reader's language."""
    parts = report_parts(assessment)
    document = report_docx(assessment, parts.bank, parts.report, parts.summary, content_language())
    audit.record("download", obj=assessment, detail="report.docx", commit=True)
    return _attachment(document, DOCX, f"cityready-report-{assessment.id}.docx")


def ledger_xlsx_response(assessment: Assessment) -> Response:
    """The rectification ledger as an Excel workbook in the reader's language."""
    parts = report_parts(assessment)
    workbook = ledger_xlsx(assessment, parts.summary, parts.insights.actions, content_language())
    audit.record("download", obj=assessment, detail="ledger.xlsx", commit=True)
    return _attachment(workbook, XLSX, f"cityready-ledger-{assessment.id}.xlsx")


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@login_required
def report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(assessment_or_404(current_user, assessment_id), current_user)


@bp.get("/api/v1/assessments/<int:assessment_id>/report.pdf")
@token_required
def api_report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(assessment_or_404(g.api_user, assessment_id), g.api_user)


@bp.get("/assessments/<int:assessment_id>/report.docx")
@login_required
def report_docx_file(assessment_id: int) -> Response:
    return report_docx_response(assessment_or_404(current_user, assessment_id))


@bp.get("/api/v1/assessments/<int:assessment_id>/report.docx")
@token_required
def api_report_docx(assessment_id: int) -> Response:
    return report_docx_response(assessment_or_404(g.api_user, assessment_id))


@bp.get("/assessments/<int:assessment_id>/ledger.xlsx")
@login_required
def ledger_xlsx_file(assessment_id: int) -> Response:
    return ledger_xlsx_response(assessment_or_404(current_user, assessment_id))


@bp.get("/api/v1/assessments/<int:assessment_id>/ledger.xlsx")
@token_required
def api_ledger_xlsx(assessment_id: int) -> Response:
    return ledger_xlsx_response(assessment_or_404(g.api_user, assessment_id))
