"""Attaching, listing, reading and removing the files that back an answer.

Every refusal is raised before anything is added to the session, so a refused upload stores
nothing. The bytes go to ``EvidenceBlob`` in the same transaction as their ``EvidenceFile``
row: one database holds both, for every server, and one backup covers both.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from typing import IO

import sqlalchemy as sa
from flask import abort, current_app

from app.assessments.queries import visible_assessments
from app.assessments.scores import bank_for
from app.evidence.content_types import EXTENSIONS, sniff
from app.extensions import db
from app.models import (
    EVIDENCE_FILENAME_MAX_LENGTH,
    Assessment,
    EvidenceBlob,
    EvidenceFile,
    User,
)

REFUSALS = ("not_editable", "unknown_question", "too_large", "assessment_full", "type")


class EvidenceRefused(ValueError):
    """The file was not stored; ``reason`` is one of ``REFUSALS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def safe_filename(name: str, content_type: str) -> str:
    """The name the file is offered under: no folders, no control characters, and ending in
    the extension of what it really is, so a PDF called ``page.html`` is saved as a PDF."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    extension = EXTENSIONS[content_type]
    if not base.lower().endswith(extension):
        base = (base or "evidence") + extension
    if len(base) > EVIDENCE_FILENAME_MAX_LENGTH:
        base = base[: EVIDENCE_FILENAME_MAX_LENGTH - len(extension)] + extension
    return base


def _stored_bytes(assessment: Assessment) -> int:
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(EvidenceFile.size), 0)).where(
            EvidenceFile.assessment_id == assessment.id
        )
    )
    return int(total or 0)


def attach_evidence(
    assessment: Assessment, question_id: str, filename: str, stream: IO[bytes], user: User
) -> EvidenceFile:
    """Keep the file as evidence for one answer of an editable assessment, or refuse it."""
    if not assessment.is_editable:
        raise EvidenceRefused("not_editable")
    if bank_for(assessment).question(question_id) is None:
        raise EvidenceRefused("unknown_question")
    limit = current_app.config["EVIDENCE_MAX_FILE_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRefused("too_large")
    if _stored_bytes(assessment) + len(data) > current_app.config["EVIDENCE_MAX_ASSESSMENT_BYTES"]:
        raise EvidenceRefused("assessment_full")
    content_type = sniff(data)
    if content_type is None:
        raise EvidenceRefused("type")
    row = EvidenceFile(
        assessment=assessment,
        question_id=question_id,
        filename=safe_filename(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(EvidenceBlob(file_id=row.id, data=data))
    db.session.flush()
    return row


def evidence_of(assessment: Assessment) -> list[EvidenceFile]:
    """The assessment's files in the order they came, without their bytes."""
    query = (
        sa.select(EvidenceFile)
        .where(EvidenceFile.assessment_id == assessment.id)
        .order_by(EvidenceFile.id)
    )
    return list(db.session.scalars(query))


def evidence_by_question(assessment: Assessment) -> dict[str, list[EvidenceFile]]:
    found: dict[str, list[EvidenceFile]] = defaultdict(list)
    for row in evidence_of(assessment):
        found[row.question_id].append(row)
    return dict(found)


def evidence_file_or_404(user: User, file_id: int) -> EvidenceFile:
    """The file if the user may see its assessment; another city's is a plain 404."""
    visible = visible_assessments(user).with_only_columns(Assessment.id)
    found = db.session.scalar(
        sa.select(EvidenceFile).where(
            EvidenceFile.id == file_id, EvidenceFile.assessment_id.in_(visible)
        )
    )
    if found is None:
        abort(404)
    return found


def evidence_bytes(row: EvidenceFile) -> bytes:
    data = db.session.scalar(sa.select(EvidenceBlob.data).where(EvidenceBlob.file_id == row.id))
    if data is None:
        abort(404)
    return bytes(data)


def remove_evidence(row: EvidenceFile) -> None:
    """Delete a file while its assessment may still change; a finished round keeps its own."""
    if not row.assessment.is_editable:
        raise EvidenceRefused("not_editable")
    db.session.execute(sa.delete(EvidenceBlob).where(EvidenceBlob.file_id == row.id))
    db.session.delete(row)
    db.session.flush()
