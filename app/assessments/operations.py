"""Changes to assessments shared by the pages, the API and the paper key-in: starting,
saving, filing and submitting.

These functions flush but never commit: the view that calls them owns the transaction, so a
request either stores everything it was given or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from app.assessments.scores import bank_for, compute_snapshot
from app.assessments.workflow import change_status
from app.extensions import content, db
from app.models import Answer, Assessment, City, User, utcnow


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


def file_assessment(
    author: User,
    city: City,
    answers: Mapping[str, AnswerInput],
    submit: bool,
    source: str = "web",
) -> Assessment:
    """Start an assessment with all its answers, submitted if asked, as the API files one.

    The answers go to the database in one batched INSERT (SQLAlchemy's insertmanyvalues):
    nothing needs their ids, and the ORM, wanting them back, would write them one row at a time
    on SQLite.
    """
    assessment = Assessment(
        city=city,
        author=author,
        questionnaire_version=content.current.version,
        status="draft",
        source=source,
    )
    db.session.add(assessment)
    db.session.flush()
    rows = [
        {
            "assessment_id": assessment.id,
            "question_id": question_id,
            "value": given.value,
            "comment": given.comment,
            "confidence": given.confidence,
            "evidence": given.evidence.strip(),
        }
        for question_id, given in answers.items()
        if given.value
    ]
    if rows:
        db.session.execute(sa.insert(Answer).execution_options(data_version_cities=[city.id]), rows)
    if submit:
        submit_assessment(assessment)
    return assessment


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


def submit_assessment(assessment: Assessment, actor: User | None = None) -> None:
    """Freeze the scores of a complete draft or returned assessment and mark it submitted.

    Raises ``IncompleteAssessment`` while questions are unanswered, and
    ``app.assessments.workflow.TransitionRefused`` when it has been submitted already.
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
