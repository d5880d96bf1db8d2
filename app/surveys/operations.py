"""Resident surveys: opening one, taking answers anonymously, and summing them up.

No response keeps anything about who sent it. Abuse is limited four ways. Online answers with a
single-use invitation code count as verified; answers through the open link are labelled
unverified and limited per address by a counter in the database keyed by a salted hash of the
address, so the address itself is never written anywhere. Online answers are counted per clock
hour, and a burst is flagged. Paper answers are audited and refused after the closing date or
beyond the number of blank forms printed. Like every ``operations`` module, these functions flush
but never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import abort, current_app
from limits import parse
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.resident_survey import (
    CHANNELS,
    SCALE_POINTS,
    SurveyResults,
    Tally,
    channel_of,
    publishable,
    summarise_tally,
    tally,
)
from app.extensions import content, db
from app.models import (
    RESPONSES_TALLIED,
    Assessment,
    Survey,
    SurveyAnswerCount,
    SurveyInvitation,
    SurveyResponse,
    SurveyTally,
    User,
    utcnow,
)
from app.platform import audit
from app.platform.data_version import VERSION_OPTION

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits that cannot be misread for one another on paper (no 0/O, 1/I)."""
CODE_LENGTH = 10
"""50 bits: guessing one of a few thousand live codes takes hundreds of billions of tries."""
MAX_INVITATIONS = 500
"""Codes, or blank forms, printed at once: one print run, not a way to fill the database."""


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
    address = audit.client_network().encode()
    return hmac.new(salt, address + b"|" + survey.token.encode(), hashlib.sha256).hexdigest()


def within_rate_limit(survey: Survey) -> bool:
    """Count one open-link answer (or wrong code) from this address; False past the limit.

    Counted in the database, in fixed windows of the limit's length, so every worker and server
    shares the count and a restart forgets nothing; one statement, so answers arriving at once
    are all counted.
    """
    limit = parse(current_app.config["SURVEY_LIMIT_PER_ADDRESS"])
    length = limit.get_expiry()
    now = int(utcnow().timestamp())
    window = datetime.fromtimestamp(now - now % length, UTC)
    upsert = _INSERTS[db.session.get_bind().dialect.name](SurveyAnswerCount)
    counted = db.session.execute(
        upsert.values(survey_id=survey.id, address_key=_address_key(survey), window_start=window)
        .values(answers=1)
        .on_conflict_do_update(
            index_elements=["survey_id", "address_key", "window_start"],
            set_={"answers": SurveyAnswerCount.answers + 1},
        )
        .returning(SurveyAnswerCount.answers)
    ).scalar_one()
    # Windows that can no longer count go, so the table stays the size of one window's traffic.
    db.session.execute(
        sa.delete(SurveyAnswerCount).where(
            SurveyAnswerCount.survey_id == survey.id, SurveyAnswerCount.window_start < window
        )
    )
    return bool(counted <= limit.amount)


_INSERTS: dict[str, Callable[[Any], Any]] = {
    "sqlite": sqlite_insert,
    "postgresql": postgresql_insert,
}
"""Both databases the app runs on count in one INSERT … ON CONFLICT DO UPDATE."""


def record_response(
    survey: Survey,
    answers: Mapping[str, int],
    today: date,
    source: str = "online",
    verified: bool = False,
) -> SurveyResponse:
    response = SurveyResponse(
        survey_id=survey.id,
        answers=dict(answers),
        source=source,
        received_on=today,
        verified=verified,
    )
    db.session.add(response)
    db.session.flush()
    return response


def _tally_rows(
    survey_id: int, channel: str, responses: int, counts: Tally
) -> list[dict[str, Any]]:
    """The ``SurveyTally`` rows that add these responses and their tally to a survey's: the
    number of responses under ``RESPONSES_TALLIED``, then each point chosen at least once."""
    chosen = [(RESPONSES_TALLIED, 0, responses)] + [
        (question_id, point, answers)
        for question_id, per_point in counts.items()
        for point, answers in enumerate(per_point, start=1)
        if answers
    ]
    return [
        {
            "survey_id": survey_id,
            "channel": channel,
            "question_id": question_id,
            "point": point,
            "answers": answers,
        }
        for question_id, point, answers in chosen
    ]


def add_to_tally(
    connection: sa.Connection, survey_id: int, channel: str, responses: list[dict[str, int]]
) -> None:
    """Add responses to the survey's running totals in one statement, in SQL, so responses
    arriving at once in several workers are all counted. Called for every response the ORM
    inserts (``_tally_each_response``); a bulk load through Core calls it itself."""
    table = cast(sa.Table, SurveyTally.__table__)
    upsert = _INSERTS[connection.dialect.name](table)
    connection.execute(
        upsert.values(_tally_rows(survey_id, channel, *tally(responses))).on_conflict_do_update(
            index_elements=["survey_id", "channel", "question_id", "point"],
            set_={"answers": table.c.answers + upsert.excluded.answers},
        )
    )


@sa.event.listens_for(SurveyResponse, "after_insert")
def _tally_each_response(_mapper: Any, connection: sa.Connection, response: Any) -> None:
    """However a response is added, its answers reach the totals in the same flush: the
    results read only the totals. Its own row advances the city's data version."""
    channel = channel_of(response.source, response.verified)
    add_to_tally(connection, response.survey_id, channel, [response.answers])


def count_online_answer(survey: Survey, now: datetime) -> None:
    """Count one online answer in its clock hour, and keep the busiest hour so far.

    Done in SQL, so answers arriving at once in several workers are all counted.
    """
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    options = {VERSION_OPTION: [survey.city_id], "synchronize_session": False}
    same_hour = Survey.hour_started_at == hour
    answers = db.session.execute(
        sa.update(Survey)
        .where(Survey.id == survey.id)
        .values(
            hour_answers=sa.case((same_hour, Survey.hour_answers + 1), else_=1),
            hour_started_at=hour,
        )
        .returning(Survey.hour_answers)
        .execution_options(**options)
    ).scalar_one()
    db.session.execute(
        sa.update(Survey)
        .where(Survey.id == survey.id, Survey.busiest_hour_answers < answers)
        .values(busiest_hour_answers=answers, busiest_hour_at=hour)
        .execution_options(**options)
    )


def burst_flagged(survey: Survey) -> bool:
    """Whether more online answers than the burst limit ever came in one clock hour."""
    return survey.busiest_hour_answers > current_app.config["SURVEY_BURST_PER_HOUR"]


def _code_digest(survey: Survey, code: str) -> str:
    return hashlib.sha256(f"{survey.id}:{code}".encode()).hexdigest()


def normalised_code(typed: str) -> str:
    """A code as printed, whatever the case, spaces or dashes it was typed with."""
    return "".join(c for c in typed.upper() if c.isascii() and c.isalnum())[: 2 * CODE_LENGTH]


def issue_invitations(survey: Survey, count: int) -> list[str]:
    """Make ``count`` single-use codes; they are returned only here, for printing."""
    codes = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
    ]
    db.session.add_all(
        SurveyInvitation(survey_id=survey.id, code_hash=_code_digest(survey, code))
        for code in codes
    )
    survey.invitations_printed += count
    audit.record("save", obj=survey, detail=f"resident survey: {count} invitation codes printed")
    db.session.flush()
    return codes


def redeem_invitation(survey: Survey, typed: str, today: date) -> bool:
    """Mark the code used; False when it is not one of this survey's or was used already.

    One conditional UPDATE: of two answers sent at once with the same code, only one counts.
    """
    code = normalised_code(typed)
    if len(code) != CODE_LENGTH:
        return False
    used: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(SurveyInvitation)
        .where(
            SurveyInvitation.survey_id == survey.id,
            SurveyInvitation.code_hash == _code_digest(survey, code),
            SurveyInvitation.used_on.is_(None),
        )
        .values(used_on=today)
        .execution_options(**{VERSION_OPTION: [survey.city_id], "synchronize_session": False})
    )
    return bool(used.rowcount == 1)


def print_paper_forms(survey: Survey, copies: int) -> range:
    """Count ``copies`` more blank paper questionnaires; returns their sheet numbers."""
    first = survey.paper_forms_printed + 1
    survey.paper_forms_printed += copies
    audit.record(
        "save",
        obj=survey,
        detail=f"resident survey: {copies} blank paper questionnaires printed "
        f"(sheets {first}-{survey.paper_forms_printed})",
    )
    db.session.flush()
    return range(first, survey.paper_forms_printed + 1)


class PaperRefused(Exception):
    """A paper questionnaire cannot be typed in: ``reason`` is "closed" or "no_forms_left"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def paper_responses(survey: Survey) -> int:
    """Paper questionnaires typed in, from the running totals: one row, not a count."""
    return (
        db.session.scalar(
            sa.select(SurveyTally.answers).where(
                SurveyTally.survey_id == survey.id,
                SurveyTally.channel == "paper",
                SurveyTally.question_id == RESPONSES_TALLIED,
            )
        )
        or 0
    )


def paper_refusal(survey: Survey, today: date) -> str | None:
    """Why no more paper questionnaires can be typed in, if they cannot."""
    if not survey.is_open(today):
        return "closed"
    if paper_responses(survey) >= survey.paper_forms_printed:
        return "no_forms_left"
    return None


def record_paper_response(survey: Survey, answers: Mapping[str, int], today: date) -> int:
    """Type in one paper questionnaire, audited; returns how many are typed in now.

    Refused (``PaperRefused``) after the closing date, and beyond the blank forms printed.
    """
    # Two typed in at once wait for each other here on PostgreSQL, so the cap holds; SQLite
    # serialises write requests already (``app.platform.sqlite``).
    db.session.execute(sa.select(Survey.id).where(Survey.id == survey.id).with_for_update())
    reason = paper_refusal(survey, today)
    if reason is not None:
        raise PaperRefused(reason)
    record_response(survey, answers, today, source="paper")
    typed_in = paper_responses(survey)
    audit.record(
        "save",
        obj=survey,
        detail=f"resident survey: 1 paper questionnaire typed in "
        f"({typed_in} of {survey.paper_forms_printed} printed)",
    )
    return typed_in


def survey_results(survey: Survey) -> SurveyResults:
    """The survey's results from its running totals (``SurveyTally``): a few hundred rows
    read, never its responses, however many residents answered."""
    return surveys_results([survey.id])[survey.id]


def surveys_results(survey_ids: Iterable[int]) -> dict[int, SurveyResults]:
    """``survey_results`` of several surveys in one query, by survey id, as a list of reports
    needs them."""
    ids = list(survey_ids)
    channels: dict[int, dict[str, tuple[int, dict[str, list[int]]]]] = {
        survey_id: {name: (0, {}) for name in CHANNELS} for survey_id in ids
    }
    for row in db.session.execute(
        sa.select(
            SurveyTally.survey_id,
            SurveyTally.channel,
            SurveyTally.question_id,
            SurveyTally.point,
            SurveyTally.answers,
        ).where(SurveyTally.survey_id.in_(ids))
    ):
        responses, counts = channels[row.survey_id][row.channel]
        if row.question_id == RESPONSES_TALLIED:
            channels[row.survey_id][row.channel] = (responses + row.answers, counts)
        else:
            counts.setdefault(row.question_id, [0] * SCALE_POINTS)[row.point - 1] += row.answers
    return {survey_id: _results_of_tallies(tallied) for survey_id, tallied in channels.items()}


def _results_of_tallies(channels: dict[str, tuple[int, dict[str, list[int]]]]) -> SurveyResults:
    overall: dict[str, list[int]] = {}
    for _, counts in channels.values():
        for question_id, per_point in counts.items():
            summed = overall.setdefault(question_id, [0] * SCALE_POINTS)
            overall[question_id] = [a + b for a, b in zip(summed, per_point, strict=True)]
    results = summarise_tally(
        content.resident_survey,
        sum(responses for responses, _ in channels.values()),
        overall,
        channels,
    )
    return publishable(content.resident_survey, results)
