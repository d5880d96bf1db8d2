from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.auth.tokens import token_required
from app.models import Assessment, User
from app.platform import audit
from app.platform.pdf import pdf_response, render_pdf, render_slot
from app.reports.insights import report_context

bp = Blueprint("reports", __name__)


def report_pdf_response(assessment: Assessment, user: User) -> Response:
    """The report as PDF: the same partials as the HTML report, laid out for A4."""
    html = render_template("reports/report.html", **report_context(assessment))
    with render_slot(f"user-{user.id}"):
        document = render_pdf(html)
    audit.record("download", obj=assessment, detail="report.pdf", commit=True)
    return pdf_response(document, f"cityready-report-{assessment.id}.pdf")


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@login_required
def report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(assessment_or_404(current_user, assessment_id), current_user)


@bp.get("/api/v1/assessments/<int:assessment_id>/report.pdf")
@token_required
def api_report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(assessment_or_404(g.api_user, assessment_id), g.api_user)
