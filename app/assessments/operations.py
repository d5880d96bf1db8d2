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
from app.core.bank_move import BankMove, plan_bank_move
from app.extensions import content, db
from app.models import FINISHED_STATUSES, Answer, Assessment, City, User, utcnow
from app.platform import audit
from app.rounds.queries import open_round_for


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


class MoveRefused(ValueError):
    """A move to another question bank was asked for where none may happen."""


def bank_move_for(assessment: Assessment, version: str) -> BankMove:
    """What moving ``assessment`` to bank ``version`` would carry and drop.

    Raises ``MoveRefused`` unless it is a draft and ``version`` is a newer bank: a submitted
    assessment keeps its bank, answers and frozen scores for good.
    """
    if assessment.status != "draft":
        raise MoveRefused("only a draft can move to another question bank")
    newer = {bank.version: bank for bank in content.newer_banks(assessment.questionnaire_version)}
    if version not in newer:
        raise MoveRefused(f"question bank {version} is not newer than this draft's")
    return plan_bank_move(bank_for(assessment), newer[version], assessment.answer_values())


def move_to_bank(assessment: Assessment, version: str) -> BankMove:
    """Move a draft to a newer question bank, keeping every answer whose question is unchanged
    and removing the others (with their comments and evidence)."""
    move = bank_move_for(assessment, version)
    for row in [a for a in assessment.answers if a.question_id not in move.carried]:
        assessment.answers.remove(row)
    assessment.questionnaire_version = version
    assessment.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "save",
        obj=assessment,
        detail=f"moved to question bank {version} from {move.source}: "
        f"{len(move.carried)} answers kept, {len(move.dropped)} dropped",
    )
    return move


def start_assessment(
    author: User, city: City, source: str = "web", paper_form_id: str | None = None
) -> Assessment:
    """A new draft; ``source`` says how its answers arrive. It joins the open evaluation round
    of the city, if there is one, on the round's question bank; otherwise on the current one."""
    evaluation_round = open_round_for(city.id) if city.id is not None else None
    assessment = Assessment(
        city=city,
        author=author,
        evaluation_round=evaluation_round,
        questionnaire_version=(
            content.current.version
            if evaluation_round is None
            else evaluation_round.questionnaire_version
        ),
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
        if row.value != given.value:
            # A reviewer's check was of the value given then: a changed answer is checked anew.
            row.verification_status, row.verified_value = None, None
            row.verification_reason, row.verified_by_id, row.verified_at = "", None, None
        row.value, row.comment = given.value, given.comment
        row.carried_over = False
        row.confidence, row.evidence = given.confidence, given.evidence.strip()
    assessment.updated_at = utcnow()
    db.session.flush()


def previous_round(city_id: int) -> Assessment | None:
    """The city's latest finished (submitted or approved) round: what a new draft carries over."""
    return db.session.scalar(
        sa.select(Assessment)
        .where(Assessment.city_id == city_id, Assessment.status.in_(FINISHED_STATUSES))
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def carry_over_previous_round(assessment: Assessment) -> int:
    """Copy the answers of the city's latest finished round into a new draft, each marked
    carried over until an official confirms it; how many were copied.

    Only questions of the draft's bank whose value is still one of their answers are copied.
    """
    previous = previous_round(assessment.city_id)
    if previous is None:
        return 0
    bank = bank_for(assessment)
    copied = 0
    for old in previous.answers:
        question = bank.question(old.question_id)
        if question is None or question.option(old.value) is None:
            continue
        assessment.answers.append(
            Answer(
                question_id=old.question_id,
                value=old.value,
                comment=old.comment,
                confidence=old.confidence,
                evidence=old.evidence,
                carried_over=True,
            )
        )
        copied += 1
    db.session.flush()
    return copied


def unconfirmed_carried_over(assessment: Assessment) -> list[str]:
    """The questions whose answer was carried over and not yet confirmed by saving it."""
    return [a.question_id for a in assessment.answers if a.carried_over]


def confirm_carried_over(assessment: Assessment, question_id: str) -> Answer | None:
    """Confirm a carried-over answer as it stands, as saving it unchanged would; None when the
    draft has no answer to that question. Confirming an answer given anew changes nothing."""
    answer = assessment.answer_for(question_id)
    if answer is not None and answer.carried_over:
        answer.carried_over = False
        assessment.updated_at = utcnow()
        db.session.flush()
    return answer


def submit_assessment(assessment: Assessment, actor: User | None = None) -> None:
    """Freeze the scores of a complete draft or returned assessment and mark it submitted.

    Raises ``IncompleteAssessment`` while questions are unanswered, and
    ``app.assessments.workflow.TransitionRefused`` when it has been submitted already.
    """
    answered = assessment.answer_values()
    unanswered = [q.id for q in bank_for(assessment).questions() if q.id not in answered]
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
