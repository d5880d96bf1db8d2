"""Departments answering one assessment each on their own: inviting them, their answers, and
the consolidated view the report shows. Functions flush and never commit, like ``operations``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from app.assessments.queries import may_see_city
from app.assessments.scores import bank_for
from app.core.consolidation import Consolidated, consolidate
from app.core.questionnaire import QuestionBank
from app.core.scoring import ScoreCard, score_assessment
from app.extensions import db
from app.models import ApiToken, Assessment, Department, DepartmentAnswer, User, utcnow

LEAD = "#lead"
"""The respondent name of the assessment's own answers, those of the inviting official."""


def _digest(token: str) -> str:
    return ApiToken.digest(token)


def departments_of(assessment: Assessment) -> list[Department]:
    return list(
        db.session.scalars(
            sa.select(Department)
            .where(Department.assessment_id == assessment.id)
            .options(sa.orm.selectinload(Department.answers))
            .order_by(Department.id)
        )
    )


class DuplicateDepartment(ValueError):
    """This assessment has invited a department of that name already."""


def invite_department(assessment: Assessment, inviter: User, name: str) -> tuple[Department, str]:
    """Create the department's answer set; returns it with its private link token, shown once."""
    name = name.strip()
    if any(d.name == name for d in departments_of(assessment)):
        raise DuplicateDepartment(name)
    token = secrets.token_urlsafe(24)
    department = Department(
        assessment_id=assessment.id, name=name, token_hash=_digest(token), invited_by_id=inviter.id
    )
    db.session.add(department)
    db.session.flush()
    return department, token


def new_link(department: Department) -> str:
    """Replace a department's link (the old one stops working) and return the new token."""
    token = secrets.token_urlsafe(24)
    department.token_hash = _digest(token)
    db.session.flush()
    return token


def department_by_token_or_404(token: str) -> Department:
    found = db.session.scalar(sa.select(Department).where(Department.token_hash == _digest(token)))
    if found is None:
        abort(404)
    return found


def department_or_404(user: User, department_id: int) -> Department:
    found = db.session.get(Department, department_id)
    if found is None or not may_see_city(user, found.assessment.city_id):
        abort(404)
    return found


def save_department_answers(department: Department, answers: Mapping[str, str]) -> None:
    """Create or update the given answers; an empty value removes the answer."""
    existing = {a.question_id: a for a in department.answers}
    for question_id, value in answers.items():
        row = existing.get(question_id)
        if not value:
            if row is not None:
                department.answers.remove(row)
        elif row is None:
            department.answers.append(DepartmentAnswer(question_id=question_id, value=value))
        else:
            row.value = value
    # Changed answers are other rows: the department's own stamp must still move.
    department.updated_at = utcnow()
    db.session.flush()


def submit_department(department: Department) -> None:
    department.submitted_at = utcnow()
    db.session.flush()


@dataclass(frozen=True)
class Respondent:
    name: str
    """A department's name, or LEAD for the assessment's own answers."""
    card: ScoreCard
    submitted: bool


@dataclass(frozen=True)
class DepartmentView:
    respondents: tuple[Respondent, ...]
    """The lead first, then every invited department, submitted or not."""
    consolidated: Consolidated
    """Merged from the lead and the departments that have submitted."""
    card: ScoreCard
    pending: int
    """Departments invited that have not submitted yet."""


def department_view(
    assessment: Assessment, departments: list[Department] | None = None
) -> DepartmentView | None:
    """The departments' scores and their consolidation; None when none has been invited.
    Pass ``departments`` (with their answers) when they are loaded already."""
    if departments is None:
        departments = departments_of(assessment)
    if not departments:
        return None
    bank: QuestionBank = bank_for(assessment)
    own = assessment.answer_values()
    sets = {LEAD: own} | {d.name: d.answer_values() for d in departments if d.submitted_at}
    merged = consolidate(bank, sets)
    respondents = [Respondent(LEAD, score_assessment(bank, own), True)] + [
        Respondent(d.name, score_assessment(bank, d.answer_values()), d.submitted_at is not None)
        for d in departments
    ]
    return DepartmentView(
        tuple(respondents),
        merged,
        score_assessment(bank, merged.answers),
        sum(1 for d in departments if d.submitted_at is None),
    )
