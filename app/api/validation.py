"""Check a POSTed assessment before anything is stored, collecting every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from flask import Request

from app.assessments.operations import AnswerInput
from app.assessments.queries import may_see_city
from app.core.questionnaire import QuestionBank
from app.core.resident_survey import ResidentSurvey, answer_problems
from app.core.uncertainty import CONFIDENCES, evidence_problem
from app.extensions import db
from app.models import (
    ACTION_OWNER_MAX_LENGTH,
    ACTION_STATUSES,
    COMMENT_MAX_LENGTH,
    DEPARTMENT_NAME_MAX_LENGTH,
    TARGET_LEVELS,
    City,
    User,
)
from app.plans.operations import ActionInput
from app.web.input_guard import MAX_ID

MAX_LISTED_PROBLEMS = 50
"""Problems named one by one in an error; a body of a million unknown ids is not answered with
a million lines."""


def first_problems(problems: dict[str, str]) -> dict[str, str]:
    """The first ``MAX_LISTED_PROBLEMS`` problems, and under "…" how many more were not listed."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    listed = dict(islice(problems.items(), MAX_LISTED_PROBLEMS))
    listed["…"] = f"{len(problems) - MAX_LISTED_PROBLEMS} more problems not listed"
    return listed


@dataclass(frozen=True)
class AssessmentBody:
    answers: dict[str, AnswerInput]
    submit: bool
    city: City
    carry_over: bool = False
    confirm_carried_over: bool = False


def _answer(bank: QuestionBank, qid: str, given: Any) -> AnswerInput | str:
    question = bank.question(qid)
    if question is None:
        return "unknown question id"
    if not isinstance(given, dict):
        return 'must be an object like {"value": "3", "comment": "..."}'
    value, comment = given.get("value"), given.get("comment", "")
    if not isinstance(value, str) or question.option(value) is None:
        allowed = ", ".join(o.value for o in question.options)
        return f"'value' must be one of: {allowed}"
    if not isinstance(comment, str):
        return "'comment' must be a string"
    if len(comment) > COMMENT_MAX_LENGTH:
        return f"'comment' must be at most {COMMENT_MAX_LENGTH} characters"
    if "\x00" in comment:
        return "'comment' must not contain NUL characters"
    confidence, evidence = given.get("confidence"), given.get("evidence", "")
    if confidence is not None and confidence not in CONFIDENCES:
        return f"'confidence' must be null or one of: {', '.join(CONFIDENCES)}"
    if not isinstance(evidence, str):
        return "'evidence' must be a string: a note or an http(s) link"
    if (problem := evidence_problem(evidence)) is not None:
        return f"'evidence' {problem}"
    return AnswerInput(value, comment, confidence, evidence)


def parse_assessment_body(
    request: Request, bank: QuestionBank, user: User
) -> AssessmentBody | tuple[int, dict[str, Any]]:
    """Return the parsed body, or (status, errors) naming every field that is wrong."""
    body = request.get_json(silent=True)
    if body is None:
        return 400, {"body": "must be a JSON object sent with Content-Type: application/json"}
    if not isinstance(body, dict):
        return 400, {"body": "must be a JSON object"}
    errors: dict[str, Any] = {}

    raw_answers = body.get("answers", {})
    answers: dict[str, AnswerInput] = {}
    if not isinstance(raw_answers, dict):
        errors["answers"] = "must be an object keyed by question id"
    else:
        answer_errors = {}
        for qid, given in raw_answers.items():
            parsed = _answer(bank, qid, given)
            if isinstance(parsed, str):
                answer_errors[qid] = parsed
            else:
                answers[qid] = parsed
        if answer_errors:
            errors["answers"] = first_problems(answer_errors)

    flags = {name: body.get(name, False) for name in ("carry_over", "confirm_carried_over")}
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            errors[name] = "must be true or false"

    submit = body.get("submit", False)
    if not isinstance(submit, bool):
        errors["submit"] = "must be true or false"
    # Answers carried over count too: a carried-over draft is checked whole once they are in.
    elif submit and "answers" not in errors and flags["carry_over"] is not True:
        missing = [q.id for q in bank.questions() if q.id not in answers]
        if missing:
            errors["unanswered"] = missing

    city: City | None = None
    if user.is_admin:
        city_id = body.get("city_id")
        if isinstance(city_id, bool) or not isinstance(city_id, int):
            errors["city_id"] = "admins must name the city with an integer city_id"
        else:
            # An id beyond the column's range names no city (and would overflow the query).
            city = db.session.get(City, city_id) if 0 < city_id <= MAX_ID else None
            # Another province's city is, to a provincial reviewer, no city at all.
            if city is None or not may_see_city(user, city.id):
                city = None
                errors["city_id"] = "no such city"
    else:
        # An official always files for their own city; a city_id in the body is ignored.
        city = user.city
        if city is None:
            errors["city_id"] = "your account is not assigned to a city"

    if errors or city is None:
        return 422, errors
    return AssessmentBody(
        answers,
        bool(submit),
        city,
        carry_over=flags["carry_over"] is True,
        confirm_carried_over=flags["confirm_carried_over"] is True,
    )


def _json_object(request: Request) -> dict[str, Any] | tuple[int, dict[str, Any]]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return 400, {"body": "must be a JSON object sent with Content-Type: application/json"}
    return body


def parse_targets_body(
    request: Request, bank: QuestionBank
) -> dict[str, int | None] | tuple[int, dict[str, Any]]:
    """``{"targets": {"<area or question id>": 1..5 or null}}``; null clears a target."""
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    raw = body.get("targets")
    if not isinstance(raw, dict):
        return 422, {"targets": "must be an object keyed by area or question id"}
    problems: dict[str, str] = {}
    for scope, level in raw.items():
        if bank.area(scope) is None and bank.question(scope) is None:
            problems[scope] = "unknown area or question id"
        elif level is not None and (
            isinstance(level, bool) or not isinstance(level, int) or level not in TARGET_LEVELS
        ):
            problems[scope] = "must be a level from 1 to 5, or null to clear it"
    if problems:
        return 422, {"targets": first_problems(problems)}
    return dict(raw)


@dataclass(frozen=True)
class ActionBody:
    countermeasure_id: str
    given: ActionInput


def parse_action_body(
    request: Request, current: ActionInput | None = None
) -> ActionBody | tuple[int, dict[str, Any]]:
    """A new action (``countermeasure_id`` and ``owner`` required) or changes to ``current``."""
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    errors: dict[str, str] = {}
    countermeasure_id = body.get("countermeasure_id", "")
    if current is None and (not isinstance(countermeasure_id, str) or not countermeasure_id):
        errors["countermeasure_id"] = "must name one of the report's countermeasures"
    owner = body.get("owner", current.owner if current else None)
    if not isinstance(owner, str) or not owner.strip() or len(owner) > ACTION_OWNER_MAX_LENGTH:
        errors["owner"] = f"must be a non-empty string of at most {ACTION_OWNER_MAX_LENGTH} chars"
    status = body.get("status", current.status if current else "planned")
    if status not in ACTION_STATUSES:
        errors["status"] = f"must be one of: {', '.join(ACTION_STATUSES)}"
    due: date | None = current.due_date if current else None
    if "due_date" in body:
        raw_due = body["due_date"]
        try:
            due = None if raw_due is None else date.fromisoformat(raw_due)
        except (TypeError, ValueError):
            errors["due_date"] = "must be a date like 2027-03-31, or null"
    if errors:
        return 422, errors
    return ActionBody(str(countermeasure_id), ActionInput(str(owner).strip(), due, str(status)))


def parse_survey_body(request: Request, today: date) -> date | tuple[int, dict[str, Any]]:
    """``{"closes_on": "YYYY-MM-DD"}``, today or later."""
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    try:
        closes_on = date.fromisoformat(body.get("closes_on"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 422, {"closes_on": "must be a date like 2027-03-31"}
    if closes_on < today:
        return 422, {"closes_on": "must not be in the past"}
    return closes_on


def parse_survey_response(
    request: Request, survey: ResidentSurvey
) -> dict[str, int] | tuple[int, dict[str, Any]]:
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    answers = body.get("answers")
    if not isinstance(answers, dict) or not answers:
        return 422, {"answers": "must be a non-empty object keyed by survey question id"}
    problems = answer_problems(survey, answers)
    if problems:
        return 422, {"answers": first_problems(problems)}
    return {str(k): int(v) for k, v in answers.items()}


def parse_department_body(request: Request) -> str | tuple[int, dict[str, Any]]:
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    name = body.get("name")
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name.strip()) > DEPARTMENT_NAME_MAX_LENGTH
        or name.strip().startswith("#")
    ):
        return 422, {
            "name": f"must be 1 to {DEPARTMENT_NAME_MAX_LENGTH} characters, not starting with #"
        }
    return name.strip()


@dataclass(frozen=True)
class BankMoveBody:
    version: str | None
    dry_run: bool


def parse_bank_move_body(request: Request) -> BankMoveBody | tuple[int, dict[str, Any]]:
    """``{"version": "2026.2", "dry_run": false}``; both optional (the newest bank, a real move)."""
    body = _json_object(request)
    if isinstance(body, tuple):
        return body
    version, dry_run = body.get("version"), body.get("dry_run", False)
    if version is not None and (not isinstance(version, str) or not 0 < len(version) <= 20):
        return 422, {"version": "must be a question bank version such as 2026.2"}
    if not isinstance(dry_run, bool):
        return 422, {"dry_run": "must be true or false"}
    return BankMoveBody(version, dry_run)
