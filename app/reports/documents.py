"""Reports rendered before anyone asks, stored in the database for every worker and server.

A submitted assessment's report is rendered in the background when its status changes and
whenever a reader finds no copy for the current version of what it shows (a write to its
city's data, or to what the peer comparison shows: ``app.reports.versions``), so a download is
served from the ``stored_document`` table. Each kind of document is one entry in ``KINDS``, the
PDF and the Word report, each rendered, stored, retried and served the same way.

A render that raises is tried again up to ``DOCUMENT_RENDER_ATTEMPTS`` times; one whose worker
died leaves its row "rendering" and is asked again by the next reader once the row has been
quiet for longer than a render may take.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from app.extensions import db
from app.models import Assessment, StoredDocument, utcnow
from app.platform import jobs
from app.platform.caching import frozen_cache
from app.platform.pdf import render_pdf
from app.reports.summary import report_context, report_parts
from app.reports.versions import FrozenVersion, document_version
from app.reports.word import report_docx
from app.web.i18n import content_language

RENDER_JOB = "render-document"
DONE, QUEUED, RENDERING, FAILED = "done", "queued", "rendering", "failed"


@dataclass(frozen=True)
class DocumentKind:
    mimetype: str
    build: Callable[[Assessment], bytes]
    """Runs in a request context in the document's language."""
    name: str = "document"
    """What a reader is told is being prepared (or failed)."""


def _build_pdf(assessment: Assessment) -> bytes:
    return render_pdf(render_template("reports/report.html", **report_context(assessment)))


def _build_docx(assessment: Assessment) -> bytes:
    parts = report_parts(assessment)
    return report_docx(assessment, parts.bank, parts.report, parts.summary, content_language())


KINDS: dict[str, DocumentKind] = {
    "pdf": DocumentKind("application/pdf", _build_pdf, "PDF"),
    "docx": DocumentKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _build_docx,
        "Word report",
    ),
}


def _quiet_for() -> timedelta:
    """How long a render in progress may go without finishing before it counts as abandoned."""
    return timedelta(seconds=2 * int(current_app.config["PDF_RENDER_TIMEOUT"]) + 10)


_ONE = (
    StoredDocument.assessment_id == sa.bindparam("assessment_id"),
    StoredDocument.kind == sa.bindparam("kind"),
    StoredDocument.language == sa.bindparam("language"),
    StoredDocument.version_key == sa.bindparam("version_key"),
)
_STATE = sa.select(
    StoredDocument.id, StoredDocument.status, StoredDocument.updated_at, StoredDocument.error
).where(*_ONE)
_CONTENT = sa.select(StoredDocument.content).where(*_ONE, StoredDocument.status == DONE)


def is_ready(assessment_id: int, kind: str, language: str, version: str) -> bool:
    """Whether the document is stored; asks for it when it is not, and is not on its way."""
    with db.engine.connect() as connection:
        row = connection.execute(_STATE, _names(assessment_id, kind, language, version)).first()
    if row is not None and row.status == DONE:
        return True
    if row is None or row.updated_at < utcnow() - _quiet_for():
        _ask(assessment_id, kind, language, version, abandoned=row is not None)
    return False


def pdf_pending(version: FrozenVersion, assessment_id: int, language: str) -> bool:
    """Whether the report page should say its PDF is still being prepared (and ask for it).

    Once stored, it stays stored for this version: that answer is kept beside the report.
    """
    if version.digest is None or not current_app.config["DOCUMENTS_AHEAD"]:
        return False  # rendered when it is downloaded, as a draft's always is
    key = version.cache_key("document-ready", "pdf", language)
    if frozen_cache.entries.get(key):
        return False
    if is_ready(assessment_id, "pdf", language, version.digest):
        frozen_cache.entries.set(key, True)
        return False
    return True


class DocumentFailed(Exception):
    """Every attempt at rendering the document failed; the message is the last one's error."""


def stored_content(
    assessment_id: int, kind: str, language: str, version: str, wait: float
) -> bytes | None:
    """The stored document, waiting up to ``wait`` seconds for a render on its way; None if it
    is not ready by then.

    One that failed is asked for once more; ``DocumentFailed`` if that fails too.
    """
    names = _names(assessment_id, kind, language, version)
    deadline = time.monotonic() + wait
    pause, asked_again = 0.05, False
    while True:
        with db.engine.connect() as connection:
            row = connection.execute(_STATE, names).first()
            if row is not None and row.status == DONE:
                return bytes(connection.execute(_CONTENT, names).scalar_one() or b"")
        if row is None or (row.status != FAILED and row.updated_at < utcnow() - _quiet_for()):
            _ask(assessment_id, kind, language, version, abandoned=row is not None)
        elif row.status == FAILED:
            if asked_again:
                raise DocumentFailed(row.error)
            _ask(assessment_id, kind, language, version, abandoned=True)
            asked_again = True
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.5)


def prepare_after_commit(assessment: Assessment) -> None:
    """Render the assessment's documents once the transaction that changed it commits."""
    if not current_app.config["DOCUMENTS_AHEAD"]:
        return
    assessment_id = assessment.id
    sa.event.listen(
        db.session(), "after_commit", lambda _session: _prepare(assessment_id), once=True
    )


def _prepare(assessment_id: int) -> None:
    """Render the assessment's documents, in every language, for the version now committed."""
    with db.engine.connect() as connection:
        version = document_version(connection, assessment_id)
    if version is None:
        return
    for language in current_app.config["LANGUAGES"]:
        for kind in KINDS:
            is_ready(assessment_id, kind, language, version)


def _names(assessment_id: int, kind: str, language: str, version: str) -> dict[str, object]:
    return {
        "assessment_id": assessment_id,
        "kind": kind,
        "language": language,
        "version_key": version,
    }


def _ask(assessment_id: int, kind: str, language: str, version: str, abandoned: bool) -> None:
    """Mark the document queued (in a transaction of its own) and queue its render."""
    names = _names(assessment_id, kind, language, version)
    where = [getattr(StoredDocument, column) == value for column, value in names.items()]
    with db.engine.begin() as connection:
        if abandoned:
            current_app.logger.warning(
                "The %s of assessment %s (%s) was not finished (failed, or its worker stopped); "
                "rendering it again",
                kind,
                assessment_id,
                language,
            )
            connection.execute(
                sa.update(StoredDocument)
                .where(*where, StoredDocument.status != DONE)
                .values(status=QUEUED, attempts=0, updated_at=utcnow())
            )
        else:
            try:
                with connection.begin_nested():
                    connection.execute(
                        sa.insert(StoredDocument).values(
                            **names, status=QUEUED, attempts=0, error="", updated_at=utcnow()
                        )
                    )
            except sa.exc.IntegrityError:
                return  # another request asked a moment ago
    jobs.enqueue(RENDER_JOB, assessment_id, kind, language)


@jobs.job(RENDER_JOB)
def render_document(assessment_id: int, kind: str, language: str) -> None:
    """Render and store one document for the version of its assessment now committed."""
    with current_app.test_request_context(base_url=_base_url()), force_locale(language):
        version = document_version(db.session.connection(), assessment_id)
        if version is None:
            return  # back in the city's hands, or deleted: nothing to show
        row = _claim(assessment_id, kind, language, version)
        if row is None:
            return
        try:
            assessment = db.session.get_one(Assessment, assessment_id)
            content = KINDS[kind].build(assessment)
        except Exception as error:
            db.session.rollback()
            _failed(row, assessment_id, kind, language, error)
            raise
        _store(row, assessment_id, kind, language, content)


def _base_url() -> str | None:
    """An address the app answers to: a request for any other host has no URL adapter, and
    production always names its hosts (``PUBLIC_URL`` or ``TRUSTED_HOSTS``)."""
    if public_url := current_app.config.get("PUBLIC_URL"):
        return str(public_url)
    if trusted := current_app.config.get("TRUSTED_HOSTS"):
        return f"http://{trusted[0]}"
    return None


def _claim(assessment_id: int, kind: str, language: str, version: str) -> int | None:
    """Take the document's row for this render; None when it is done or another render that
    has not gone quiet holds it."""
    names = _names(assessment_id, kind, language, version)
    row = db.session.execute(_STATE, names).first()
    now = utcnow()
    if row is None:
        document = StoredDocument(**names, status=RENDERING, attempts=1, updated_at=now)
        db.session.add(document)
        db.session.commit()
        return document.id
    taken = row.status == RENDERING and row.updated_at >= now - _quiet_for()
    if row.status in (DONE, FAILED) or taken:
        db.session.rollback()
        return None
    db.session.execute(
        sa.update(StoredDocument)
        .where(StoredDocument.id == row.id)
        .values(status=RENDERING, attempts=StoredDocument.attempts + 1, updated_at=now)
    )
    db.session.commit()
    return int(row.id)


def _failed(row: int, assessment_id: int, kind: str, language: str, error: Exception) -> None:
    attempts = db.session.scalar(sa.select(StoredDocument.attempts).where(StoredDocument.id == row))
    again = (attempts or 0) < int(current_app.config["DOCUMENT_RENDER_ATTEMPTS"])
    db.session.execute(
        sa.update(StoredDocument)
        .where(StoredDocument.id == row)
        .values(status=QUEUED if again else FAILED, error=str(error)[:2000], updated_at=utcnow())
    )
    db.session.commit()
    if again:
        current_app.logger.warning(
            "Rendering the %s of assessment %s (%s) failed on attempt %s (%s); trying again",
            kind,
            assessment_id,
            language,
            attempts,
            error,
        )
        jobs.enqueue(RENDER_JOB, assessment_id, kind, language)
    else:
        current_app.logger.error(
            "Rendering the %s of assessment %s (%s) failed %s times (%s); the next reader asks "
            "again",
            kind,
            assessment_id,
            language,
            attempts,
            error,
        )


def _store(row: int, assessment_id: int, kind: str, language: str, content: bytes) -> None:
    db.session.execute(
        sa.update(StoredDocument)
        .where(StoredDocument.id == row)
        .values(status=DONE, content=content, error="", updated_at=utcnow())
    )
    # Earlier versions are never shown again.
    db.session.execute(
        sa.delete(StoredDocument).where(
            StoredDocument.assessment_id == assessment_id,
            StoredDocument.kind == kind,
            StoredDocument.language == language,
            StoredDocument.id != row,
            StoredDocument.status == DONE,
        )
    )
    db.session.commit()
