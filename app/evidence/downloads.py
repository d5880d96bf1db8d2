"""The one way an evidence file leaves the app, shared by the pages and the API."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from werkzeug.wrappers import Response

from app.evidence.operations import evidence_bytes
from app.models import EvidenceFile

DOWNLOAD_POLICY = "default-src 'none'; sandbox"
"""Were a browser to show a file anyway, it would run nothing and reach nothing of this site."""


def download_response(row: EvidenceFile) -> Response:
    """The file as an attachment under its safe name, with the type read from its content and
    ``nosniff``: never shown inline as a page of this site."""
    response = send_file(
        BytesIO(evidence_bytes(row)),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
