"""An assessment's figures: its question bank, the city's targets, its scores and ranges.

A submitted assessment keeps the snapshot frozen at submission; while it may still change, its
figures are computed from the answers as they stand.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import cast

import sqlalchemy as sa

from app.core.questionnaire import QuestionBank
from app.core.scoring import Snapshot, match_countermeasures, score_assessment, snapshot
from app.core.targets import resolve_targets, target_scores
from app.core.uncertainty import AnswerCertainty, Uncertainty, assess_uncertainty
from app.extensions import content, db
from app.models import Assessment, Target


def bank_for(assessment: Assessment) -> QuestionBank:
    return content.bank(assessment.questionnaire_version)


def city_targets(city_id: int) -> dict[str, int]:
    """The target levels a city has set, keyed by area id or question id."""
    query = sa.select(Target.scope, Target.level).where(Target.city_id == city_id)
    return {row.scope: row.level for row in db.session.execute(query)}


def compute_snapshot(
    assessment: Assessment, chosen_targets: Mapping[str, int] | None = None
) -> Snapshot:
    """Score the answers as they stand; ``chosen_targets`` spares the query when known."""
    bank = bank_for(assessment)
    answers = assessment.answer_values()
    card = score_assessment(bank, answers)
    if chosen_targets is None:
        chosen_targets = city_targets(assessment.city_id)
    targets = target_scores(resolve_targets(bank, chosen_targets))
    return snapshot(
        card,
        match_countermeasures(bank, content.catalogue_for(bank.version), answers, card, targets),
    )


def report_snapshot(
    assessment: Assessment, chosen_targets: Mapping[str, int] | None = None
) -> Snapshot:
    """The snapshot fixed at submission, or while the answers may change, their figures now."""
    if not assessment.is_editable and assessment.score_snapshot is not None:
        return cast(Snapshot, assessment.score_snapshot)
    return compute_snapshot(assessment, chosen_targets)


def assessment_uncertainty(
    assessment: Assessment, with_files: Collection[str] = frozenset()
) -> Uncertainty:
    """Score ranges from the answers as stored; an answer to a question in ``with_files`` has
    a document attached, which counts as evidence."""
    answers = {
        a.question_id: AnswerCertainty(
            a.value, a.confidence, a.evidence, a.question_id in with_files
        )
        for a in assessment.answers
    }
    return assess_uncertainty(bank_for(assessment), answers)
