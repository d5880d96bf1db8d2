"""Changes to assessments shared by the pages and the API: who may see what, saving, submitting.

These functions flush but never commit: the view that calls them owns the transaction, so a
request either stores everything it was given or nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.assessments.workflow import change_status
from app.core.questionnaire import QuestionBank
from app.core.scoring import Snapshot, match_countermeasures, score_assessment, snapshot
from app.core.targets import resolve_targets, target_scores
from app.core.uncertainty import AnswerCertainty, Uncertainty, assess_uncertainty
from app.extensions import content, db
from app.models import (
    EDITABLE_STATUSES,
    ActionItem,
    Answer,
    Assessment,
    City,
    Department,
    StatusChange,
    Survey,
    SurveyResponse,
    Target,
    User,
    utcnow,
)
from app.platform.caching import frozen_cache


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
    found = db.session.scalar(
        visible_assessments(user)
        .where(Assessment.id == assessment_id)
        # The snapshot is parsed only where it is used: a cached report or JSON never needs it.
        .options(so.joinedload(Assessment.city), so.defer(Assessment.score_snapshot))
    )
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


def file_assessment(
    author: User,
    city: City,
    answers: Mapping[str, AnswerInput],
    submit: bool,
    source: str = "web",
) -> Assessment:
    """Start an assessment with all its answers, submitted if asked, as the API files one.

    The new row and its answers go to the database in one flush, with no query to load an
    answer list that cannot exist yet.
    """
    assessment = Assessment(
        city=city,
        author=author,
        questionnaire_version=content.current.version,
        status="draft",
        source=source,
    )
    db.session.add(assessment)
    save_answers(assessment, answers)
    if submit:
        submit_assessment(assessment)
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
    return snapshot(card, match_countermeasures(bank, content.catalogue, answers, card, targets))


PEER_STATUS = "approved"
"""Only reviewed assessments are compared between cities."""


class FrozenVersion(NamedTuple):
    """A visible assessment as its cache keys need it, read without loading the assessment."""

    city_name: str
    key: tuple[Hashable, ...] | None
    """Everything a cached report or JSON of it is built from; None while it can change."""


def frozen_version(user: User, assessment_id: int) -> FrozenVersion:
    """The assessment's version and that of everything its report shows, in one indexed query;
    another city's assessment is a plain 404, as with ``assessment_or_404``.

    The key holds the assessment's status and ``updated_at`` (every status change and every
    saved answer writes a new one) and its city's name (a rename touches no assessment). The
    city's targets and action items: any insert, update or delete moves their count or newest
    ``updated_at``. Earlier rounds and the peers change only by a status change, and every
    status change anywhere adds a ``status_change`` row, so its newest id moves. The residents'
    survey and the departments go on after submission: responses are only ever added (count and
    newest id), departments are invited, removed or answer (count and newest ``updated_at``).
    Today's date is in it because a survey closes on a date.
    """
    # Plain Core through the connection: the ORM has no entity to build here, only its overhead.
    row = db.session.connection().execute(_VERSION, {"assessment_id": assessment_id}).one_or_none()
    if row is None or not (user.is_admin or row.city_id == user.city_id):
        abort(404)
    if row.status in EDITABLE_STATUSES:
        return FrozenVersion(row.name, None)
    return FrozenVersion(row.name, (assessment_id, *row, date.today()))


def _version_statement() -> sa.Select[Any]:
    """Subqueries correlate with the outer assessment row, so the whole key is one query."""
    city_id, assessment_id = Assessment.city_id, Assessment.id
    parts: list[Any] = [
        Assessment.city_id,
        Assessment.status,
        Assessment.updated_at,
        City.name,
        sa.select(sa.func.max(StatusChange.id)).scalar_subquery(),
    ]
    for model in (Target, ActionItem):
        parts += [
            sa.select(sa.func.count()).where(model.city_id == city_id).scalar_subquery(),
            sa.select(sa.func.max(model.updated_at))
            .where(model.city_id == city_id)
            .scalar_subquery(),
        ]
    parts.append(
        sa.select(Survey.closes_on).where(Survey.assessment_id == assessment_id).scalar_subquery()
    )
    for aggregate in (sa.func.count(), sa.func.max(SurveyResponse.id)):
        parts.append(
            sa.select(aggregate)
            .select_from(SurveyResponse)
            .join(Survey)
            .where(Survey.assessment_id == assessment_id)
            .scalar_subquery()
        )
    departments = Department.assessment_id == assessment_id
    parts += [
        sa.select(sa.func.count()).where(departments).scalar_subquery(),
        sa.select(sa.func.max(Department.updated_at)).where(departments).scalar_subquery(),
    ]
    return (
        sa.select(*parts)
        .join(City, City.id == Assessment.city_id)
        .where(Assessment.id == sa.bindparam("assessment_id"))
    )


_VERSION = _version_statement()


def latest_rounds(statuses: tuple[str, ...]) -> sa.Select[tuple[int]]:
    """The id of each city's most recently submitted assessment among those in ``statuses``,
    picked in SQL however many rounds a city has."""
    ranked = (
        sa.select(
            Assessment.id,
            sa.func.row_number()
            .over(
                partition_by=Assessment.city_id,
                order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()),
            )
            .label("newest"),
        )
        .where(Assessment.status.in_(statuses))
        .subquery()
    )
    return sa.select(ranked.c.id).where(ranked.c.newest == 1)


class PeerScores(NamedTuple):
    """A city's latest approved round as the peer comparison reads it: headline figures only."""

    id: int
    city_id: int
    city_name: str
    overall_score: float | None
    planning_score: float | None
    environment_score: float | None
    participation_score: float | None


def current_peers() -> tuple[PeerScores, ...]:
    """``latest_approved_per_city``, read again only after a new approval.

    Approval is final (``app.assessments.workflow.TRANSITIONS``) and adds a status change, so the
    newest approving change names the version of the whole comparison; finding it is one index
    lookup, where the comparison itself reads every approved round.
    """
    newest = db.session.scalar(
        sa.select(sa.func.max(StatusChange.id)).where(StatusChange.to_status == PEER_STATUS)
    )
    return frozen_cache.get_or_make(("peers", newest), lambda: tuple(latest_approved_per_city()))


def latest_approved_per_city() -> list[PeerScores]:
    """Each city's most recent approved assessment, by city name: one plain row per city."""
    rows = db.session.execute(
        sa.select(
            Assessment.id,
            Assessment.city_id,
            City.name,
            Assessment.overall_score,
            Assessment.planning_score,
            Assessment.environment_score,
            Assessment.participation_score,
        )
        .join(Assessment.city)
        .where(Assessment.id.in_(latest_rounds((PEER_STATUS,))))
    )
    # Sorted here, not in SQL: the order of names must not depend on the database's collation.
    return sorted((PeerScores(*row) for row in rows), key=lambda peer: peer.city_name)


def report_snapshot(
    assessment: Assessment, chosen_targets: Mapping[str, int] | None = None
) -> Snapshot:
    """The snapshot fixed at submission, or while the answers may change, their figures now."""
    if not assessment.is_editable and assessment.score_snapshot is not None:
        return cast(Snapshot, assessment.score_snapshot)
    return compute_snapshot(assessment, chosen_targets)


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
