from __future__ import annotations

from flask import Blueprint, current_app, g, render_template
from flask_login import current_user, login_required
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wrappers import Response

from app.assessments.queries import assessment_or_404
from app.auth.tokens import token_required
from app.extensions import db
from app.models import Assessment, User
from app.platform import audit
from app.platform.pdf import RETRY_AFTER_SECONDS, pdf_response, render_pdf, render_slot
from app.reports import documents
from app.reports.insights import report_context
from app.reports.versions import frozen_version
from app.web.conditional import etag_for, not_modified
from app.web.i18n import content_language

bp = Blueprint("reports", __name__)


def report_pdf_response(user: User, assessment_id: int) -> Response:
    """The report as PDF, the same partials as the HTML report laid out for A4: a submitted
    one from storage (rendered in the background), a draft rendered now."""
    version = frozen_version(user, assessment_id)
    if version.digest is None:
        return _draft_pdf(assessment_or_404(user, assessment_id), user)
    language = content_language()
    etag = etag_for("pdf", language, version.digest)
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    wait = float(current_app.config["DOCUMENT_WAIT_SECONDS"])
    try:
        document = documents.stored_content(assessment_id, "pdf", language, version.digest, wait)
    except documents.DocumentFailed as failed:
        raise ServiceUnavailable(
            f"The PDF could not be produced: {failed}", retry_after=RETRY_AFTER_SECONDS
        ) from failed
    if document is None:
        raise ServiceUnavailable(
            "The PDF is still being prepared; try again in a moment.",
            retry_after=max(1, round(wait)),
        )
    audit.record("download", obj=db.session.get_one(Assessment, assessment_id), detail="report.pdf")
    db.session.commit()
    response = pdf_response(document, f"cityready-report-{assessment_id}.pdf")
    response.set_etag(etag)
    return response


def _draft_pdf(assessment: Assessment, user: User) -> Response:
    html = render_template("reports/report.html", **report_context(assessment))
    with render_slot(f"user-{user.id}"):
        document = render_pdf(html)
    audit.record("download", obj=assessment, detail="report.pdf", commit=True)
    return pdf_response(document, f"cityready-report-{assessment.id}.pdf")


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@login_required
def report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(current_user, assessment_id)


@bp.get("/api/v1/assessments/<int:assessment_id>/report.pdf")
@token_required
def api_report_pdf(assessment_id: int) -> Response:
    return report_pdf_response(g.api_user, assessment_id)
