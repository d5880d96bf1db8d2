"""A reviewer's check of each answer of a submitted assessment, and the verified figures.

The city's own answers and scores are never changed: the verified score is computed beside
them, from the answers as the reviewer accepted or adjusted them.
"""

from __future__ import annotations

from app.assessments.scores import bank_for
from app.core.verification import VerifiedScores, verified_scores
from app.extensions import db
from app.models import COMMENT_MAX_LENGTH, Answer, Assessment, User, utcnow

REFUSALS = ("not_in_review", "no_answer", "status", "value", "reason")


class VerificationRefused(ValueError):
    """Nothing was recorded; ``reason`` is one of ``REFUSALS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_answer(
    assessment: Assessment,
    question_id: str,
    reviewer: User,
    status: str,
    value: str | None = None,
    reason: str = "",
) -> Answer:
    """Record that the reviewer accepted the answer, or adjusted its level for a stated reason.

    Only a submitted assessment is in review: a draft may still change, an approved one is
    decided.
    """
    if assessment.status != "submitted":
        raise VerificationRefused("not_in_review")
    answer = assessment.answer_for(question_id)
    question = bank_for(assessment).question(question_id)
    if answer is None or question is None:
        raise VerificationRefused("no_answer")
    reason = reason.strip()
    if status == "adjusted":
        if value is None or question.option(value) is None:
            raise VerificationRefused("value")
        if not reason or len(reason) > COMMENT_MAX_LENGTH:
            raise VerificationRefused("reason")
    elif status == "accepted":
        value = None
        if len(reason) > COMMENT_MAX_LENGTH:
            raise VerificationRefused("reason")
    else:
        raise VerificationRefused("status")
    answer.verification_status, answer.verified_value = status, value
    answer.verification_reason, answer.verified_by, answer.verified_at = reason, reviewer, utcnow()
    db.session.flush()
    return answer


def assessment_verified_scores(assessment: Assessment) -> VerifiedScores:
    checks = {
        a.question_id: (a.verification_status, a.verified_value)
        for a in assessment.answers
        if a.verification_status is not None
    }
    return verified_scores(bank_for(assessment), assessment.answer_values(), checks)
