"""Changes to assessments shared by the pages and the API: who may see what, saving, submitting.

These functions flush but never commit: the view that calls them owns the transaction, so a
request either stores everything it was given or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from flask import abort

from app.action_plan import resolve_targets, target_scores
from app.extensions import content, db
from app.models import Answer, Assessment, City, Target, User, utcnow
from app.questionnaire import QuestionBank
from app.scoring import Snapshot, match_countermeasures, score_assessment, snapshot
from app.uncertainty import AnswerCertainty, Uncertainty, assess_uncertainty
from app.workflow import change_status


@dataclass(frozen=True)
class AnswerInput:
    value: str
    comment: str = ""
    confidence: str | None = None
    evidence: str = ""


class IncompleteAssessment(ValueError):
    """Submission was asked for while questions are still unanswered."""

    def __init__(self, unanswered: list[str]) -> None:
        super().__init__(f"{len(unanswered)} questions are unanswered")
        self.unanswered = unanswered


def visible_assessments(user: User) -> sa.Select[Assessment]:
    """Admins see every assessment; an official sees only their own city's."""
    query = sa.select(Assessment)
    if not user.is_admin:
        query = query.where(Assessment.city_id == user.city_id)
    return query


def assessment_or_404(user: User, assessment_id: int) -> Assessment:
    """Return the assessment if the user may see it; another city's is a plain 404."""
    found = db.session.scalar(visible_assessments(user).where(Assessment.id == assessment_id))
    if found is None:
        abort(404)
    return found


def start_assessment(
    author: User, city: City, source: str = "web", paper_form_id: str | None = None
) -> Assessment:
    """A new draft on the current question bank; ``source`` says how its answers arrive."""
    assessment = Assessment(
        city=city,
        author=author,
        questionnaire_version=content.current.version,
        status="draft",
        source=source,
        paper_form_id=paper_form_id,
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def bank_for(assessment: Assessment) -> QuestionBank:
    return content.bank(assessment.questionnaire_version)


def save_answers(assessment: Assessment, answers: Mapping[str, AnswerInput]) -> None:
    """Create or update the given answers; an empty value removes the answer."""
    existing = {a.question_id: a for a in assessment.answers}
    for question_id, given in answers.items():
        row = existing.get(question_id)
        if not given.value:
            if row is not None:
                assessment.answers.remove(row)
            continue
        if row is None:
            row = Answer(question_id=question_id)
            assessment.answers.append(row)
        row.value, row.comment = given.value, given.comment
        row.confidence, row.evidence = given.confidence, given.evidence.strip()
    assessment.updated_at = utcnow()
    db.session.flush()


FINISHED_STATUSES = ("submitted", "approved")
"""Rounds whose answers are final: a draft or a returned assessment may still change."""


def city_targets(city_id: int) -> dict[str, int]:
    """The target levels a city has set, keyed by area id or question id."""
    query = sa.select(Target.scope, Target.level).where(Target.city_id == city_id)
    return {row.scope: row.level for row in db.session.execute(query)}


def compute_snapshot(assessment: Assessment) -> Snapshot:
    bank = bank_for(assessment)
    answers = assessment.answer_values()
    card = score_assessment(bank, answers)
    targets = target_scores(resolve_targets(bank, city_targets(assessment.city_id)))
    return snapshot(card, match_countermeasures(bank, content.catalogue, answers, card, targets))


def earlier_rounds(assessment: Assessment) -> list[Assessment]:
    """The city's finished rounds before this one, oldest first (all of them for a draft)."""
    query = sa.select(Assessment).where(
        Assessment.city_id == assessment.city_id,
        Assessment.status.in_(FINISHED_STATUSES),
        Assessment.id != assessment.id,
    )
    if assessment.submitted_at is not None:
        query = query.where(Assessment.submitted_at < assessment.submitted_at)
    return list(db.session.scalars(query.order_by(Assessment.submitted_at, Assessment.id)))


PEER_STATUS = "approved"
"""Only reviewed assessments are compared between cities."""


def latest_approved_per_city() -> list[Assessment]:
    """Each city's most recent approved assessment, by city name."""
    rows = db.session.scalars(
        sa.select(Assessment)
        .where(Assessment.status == PEER_STATUS)
        .options(sa.orm.joinedload(Assessment.city))
        .order_by(Assessment.city_id, Assessment.submitted_at.desc(), Assessment.id.desc())
    )
    latest: dict[int, Assessment] = {}
    for row in rows:
        latest.setdefault(row.city_id, row)
    return sorted(latest.values(), key=lambda row: row.city.name)


def report_snapshot(assessment: Assessment) -> Snapshot:
    """The snapshot fixed at submission, or while the answers may change, their figures now."""
    if not assessment.is_editable and assessment.score_snapshot is not None:
        return cast(Snapshot, assessment.score_snapshot)
    return compute_snapshot(assessment)


def assessment_uncertainty(assessment: Assessment) -> Uncertainty:
    """Score ranges from the answers as stored."""
    answers = {
        a.question_id: AnswerCertainty(a.value, a.confidence, a.evidence)
        for a in assessment.answers
    }
    return assess_uncertainty(bank_for(assessment), answers)


def submit_assessment(assessment: Assessment, actor: User | None = None) -> None:
    """Freeze the scores of a complete draft or returned assessment and mark it submitted.

    Raises ``IncompleteAssessment`` while questions are unanswered, and
    ``app.workflow.TransitionRefused`` when it has been submitted already.
    """
    unanswered = [
        q.id for q in bank_for(assessment).questions() if q.id not in assessment.answer_values()
    ]
    if unanswered:
        raise IncompleteAssessment(unanswered)
    frozen = compute_snapshot(assessment)
    change_status(
        assessment,
        actor or assessment.author,
        "submitted",
        score_snapshot=dict(frozen),
        overall_score=frozen["overall"],
        planning_score=frozen["areas"]["planning"],
        environment_score=frozen["areas"]["environment"],
        participation_score=frozen["areas"]["participation"],
        level=frozen["level"],
        submitted_at=utcnow(),
        reviewed_at=None,
    )


def find_or_create_city(name: str) -> City:
    city = db.session.scalar(sa.select(City).where(City.name == name))
    if city is None:
        city = City(name=name)
        db.session.add(city)
        db.session.flush()
    return city
