"""Resident surveys: opening one, taking answers anonymously, and summing them up.

No response keeps anything about who sent it. Abuse is limited per address by a counter in the
rate-limit store (memory, or Redis in production) keyed by a salted hash of the address, so the
address itself is never written anywhere, and by the survey's closing date. Like ``operations``,
these functions flush but never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, request
from limits import parse

from app.core.resident_survey import SurveyResults, summarise
from app.extensions import content, db, limiter
from app.models import Assessment, Survey, SurveyResponse, User


def survey_of(assessment: Assessment) -> Survey | None:
    return db.session.scalar(sa.select(Survey).where(Survey.assessment_id == assessment.id))


def open_survey(assessment: Assessment, opened_by: User, closes_on: date) -> Survey:
    survey = Survey(
        city_id=assessment.city_id,
        assessment_id=assessment.id,
        token=secrets.token_urlsafe(24),
        content_version=content.resident_survey.version,
        closes_on=closes_on,
        opened_by_id=opened_by.id,
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def survey_by_token_or_404(token: str) -> Survey:
    found = db.session.scalar(sa.select(Survey).where(Survey.token == token[:64]))
    if found is None:
        abort(404)
    return found


def _address_key(survey: Survey) -> str:
    """A salted hash of the client address: enough to count, useless to identify anyone."""
    salt = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(salt, address + b"|" + survey.token.encode(), hashlib.sha256).hexdigest()


def within_rate_limit(survey: Survey) -> bool:
    """Count one response from this address; False once it has sent too many."""
    limit = parse(current_app.config["SURVEY_LIMIT_PER_ADDRESS"])
    return bool(limiter.limiter.hit(limit, "resident-survey", _address_key(survey)))


def record_response(
    survey: Survey, answers: Mapping[str, int], today: date, source: str = "online"
) -> SurveyResponse:
    response = SurveyResponse(
        survey_id=survey.id, answers=dict(answers), source=source, received_on=today
    )
    db.session.add(response)
    db.session.flush()
    return response


def survey_results(survey: Survey) -> SurveyResults:
    rows = db.session.scalars(
        sa.select(SurveyResponse.answers).where(SurveyResponse.survey_id == survey.id)
    )
    return summarise(content.resident_survey, list(rows))
