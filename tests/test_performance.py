"""Pages whose cost stays flat as data grows, and the cache of what submission freezes.

The statement counts are taken with SQLAlchemy's ``before_cursor_execute`` event: a page that
loads related rows one by one (N+1) issues more statements for more rows and fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.assessments.operations import AnswerInput, save_answers, submit_assessment
from app.assessments.workflow import approve_assessment, return_for_revision
from app.departments.operations import invite_department, save_department_answers
from app.extensions import content, db
from app.models import Assessment, City, Department, Survey, SurveyResponse, User
from app.platform.caching import LockedLRU
from app.surveys.operations import open_survey
from tests.conftest import bearer


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def without_csrf_tokens(page: bytes) -> bytes:
    """The page with its CSRF tokens blanked: signed with the time, they change every second."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token"', page)


def statements_for(app: Flask, client: FlaskClient, path: str, **kwargs: Any) -> int:
    with counting_statements(app) as statements:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, response.data[:300]
    return len(statements)


@pytest.fixture
def city_official(
    make_user: Callable[..., int], login: Callable[..., Any], make_city: Callable[..., int]
) -> int:
    city_id = make_city("Flat City")
    user_id = make_user("official@flat.example", city_id=city_id)
    login("official@flat.example")
    return user_id


@pytest.fixture
def reviewer(make_user: Callable[..., int]) -> int:
    return make_user("admin@flat.example", role="admin")


def add_rounds(make_assessment: Callable[..., int], user_id: int, count: int) -> list[int]:
    """Assessments with every question answered, every other one submitted."""
    return [make_assessment(user_id, submit=i % 2 == 0) for i in range(count)]


def test_the_assessment_list_costs_the_same_for_one_or_ten(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
) -> None:
    add_rounds(make_assessment, city_official, 1)
    few = statements_for(app, client, "/assessments")
    add_rounds(make_assessment, city_official, 9)
    assert statements_for(app, client, "/assessments") == few


def test_the_admins_list_costs_the_same_for_one_city_or_many(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    make_user("admin@flat.example", role="admin")
    first = make_user("official@one.example")
    add_rounds(make_assessment, first, 1)
    login("admin@flat.example")
    few = statements_for(app, client, "/assessments")
    for n in range(4):
        add_rounds(make_assessment, make_user(f"official@more{n}.example"), 2)
    assert statements_for(app, client, "/assessments") == few


def test_the_api_list_costs_the_same_for_two_or_ten(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    headers = bearer(api_token("official@flat.example"))
    # From the second round on, a report also reads the round before it whole.
    add_rounds(make_assessment, city_official, 2)
    # The peers are read once per version of the data: each count follows a first read that
    # brings them up to date.
    url = "/api/v1/assessments?per_page=100"
    statements_for(app, client, url, headers=headers)
    few = statements_for(app, client, url, headers=headers)
    add_rounds(make_assessment, city_official, 8)
    statements_for(app, client, url, headers=headers)
    assert statements_for(app, client, url, headers=headers) == few


def answer_one_question(app: Flask, assessment_id: int, comment: str) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        save_answers(assessment, {"planning.top_level_design": AnswerInput("1", comment)})
        db.session.commit()


def review(app: Flask, assessment_id: int, reviewer_id: int, decision: str) -> None:
    """Approve, return (with a note on one question) or resubmit, as the admin pages do."""
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        reviewer = db.session.get(User, reviewer_id)
        assert assessment is not None and reviewer is not None
        if decision == "approve":
            approve_assessment(assessment, reviewer, "Approved after review")
        elif decision == "return":
            notes = {"planning.top_level_design": "Which plan is meant?"}
            return_for_revision(assessment, reviewer, "Please name the plan", notes)
        else:
            submit_assessment(assessment)
        db.session.commit()


@pytest.mark.parametrize("app_config", [{"FROZEN_CACHE_SIZE": 0}])
def test_the_report_costs_the_same_for_few_answers_or_all(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    """Without the cache, the report's cost must not follow its answers or countermeasures."""
    add_rounds(make_assessment, city_official, 1)
    sparse = make_assessment(city_official, level=None)
    answer_one_question(app, sparse, "one answer")
    full = make_assessment(city_official, level="1")
    few = statements_for(app, client, f"/assessments/{sparse}/report")
    assert statements_for(app, client, f"/assessments/{full}/report") == few
    add_rounds(make_assessment, city_official, 6)
    assert statements_for(app, client, f"/assessments/{full}/report") == few


@pytest.mark.parametrize("app_config", [{"FROZEN_CACHE_SIZE": 0}])
def test_the_report_costs_the_same_however_long_its_review_history(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
    reviewer: int,
) -> None:
    make_assessment(city_official, level="3", submit=True)  # both have a round before them
    once = make_assessment(city_official, level="2", submit=True)
    often = make_assessment(city_official, level="2", submit=True)
    for decision in ("return", "resubmit", "return", "resubmit", "approve"):
        review(app, often, reviewer, decision)
    few = statements_for(app, client, f"/assessments/{once}/report")
    assert statements_for(app, client, f"/assessments/{often}/report") == few


def test_a_submitted_report_is_rendered_once_then_served_from_the_cache(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(city_official, level="2", submit=True)
    with counting_statements(app) as first:
        first_page = client.get(f"/assessments/{assessment_id}/report").data
    with counting_statements(app) as again:
        second_page = client.get(f"/assessments/{assessment_id}/report").data
    assert without_csrf_tokens(second_page) == without_csrf_tokens(first_page)
    # The user with their city, then the version of the assessment and of all its report shows:
    # the answers, the snapshot, the history, the targets, the actions, the peers, the
    # residents' survey and the departments stay in the database.
    assert len(again) == 2, again
    assert len(first) > len(again)
    assert not any("FROM answer" in statement for statement in again)


def test_a_cached_report_follows_every_step_of_the_review(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
    reviewer: int,
) -> None:
    assessment_id = make_assessment(city_official, level="3", submit=True)
    path = f"/assessments/{assessment_id}/report"
    assert b"Please name the plan" not in client.get(path).data
    review(app, assessment_id, reviewer, "return")
    returned = client.get(path).data
    assert b"Please name the plan" in returned and b"Which plan is meant?" in returned
    answer_one_question(app, assessment_id, "The 2025 master plan")
    assert b"The 2025 master plan" in client.get(path).data
    review(app, assessment_id, reviewer, "resubmit")
    resubmitted = client.get(path).data
    assert b"The 2025 master plan" in resubmitted and b"Approved after review" not in resubmitted
    review(app, assessment_id, reviewer, "approve")
    assert b"Approved after review" in client.get(path).data


def test_a_cached_report_follows_the_citys_targets_and_actions(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(city_official, level="2", submit=True)
    path = f"/assessments/{assessment_id}/report"
    assert b"No targets set yet" in client.get(path).data
    client.post(f"/assessments/{assessment_id}/targets", data={"t-planning": "5"})
    assert b"No targets set yet" not in client.get(path).data
    client.post(f"/assessments/{assessment_id}/targets", data={"t-planning": ""})
    assert b"No targets set yet" in client.get(path).data
    with app.app_context():
        first_cm = db.session.get(Assessment, assessment_id)
        assert first_cm is not None and first_cm.score_snapshot is not None
        cm_id = first_cm.score_snapshot["countermeasures"][0]["id"]
    owner = "Bureau of Big Data"
    field = f"new-{cm_id.replace('.', '-')}"
    client.post(
        f"/assessments/{assessment_id}/actions/{cm_id}",
        data={f"{field}-owner": owner, f"{field}-status": "planned"},
    )
    assert owner.encode() in client.get(path).data


def test_a_cached_report_follows_its_residents_and_departments(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    """The survey and the departments go on after submission: each change shows at once."""
    assessment_id = make_assessment(city_official, level="2", submit=True)
    path = f"/assessments/{assessment_id}/report"

    def page() -> bytes:
        return without_csrf_tokens(client.get(path).data)

    def change(step: Callable[[Assessment], object]) -> None:
        with app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            assert assessment is not None
            step(assessment)
            db.session.commit()

    def answer(survey_id: int) -> None:
        first = content.resident_survey.questions[0].id
        db.session.add(SurveyResponse(survey_id=survey_id, answers={first: 4}, received_on=today))

    today = date.today()
    before = page()
    change(lambda a: open_survey(a, a.author, today + timedelta(days=7)))
    opened = page()
    assert opened != before
    change(lambda a: answer(db.session.scalars(sa.select(Survey.id)).one()))
    assert b"1 resident answered" in (answered := page())
    change(lambda a: invite_department(a, a.author, "Transport bureau"))
    assert b"Transport bureau" in (invited := page())
    with app.app_context():
        first_question = next(content.current.questions()).id
        department = db.session.scalars(sa.select(Department)).one()
        save_department_answers(department, {first_question: "5"})
        first_save = department.updated_at
        db.session.commit()
    assert (saved := page()) != invited
    with app.app_context():
        department = db.session.scalars(sa.select(Department)).one()
        assert department.updated_at >= first_save
        save_department_answers(department, {first_question: "1"})
        db.session.commit()
    assert page() != saved
    assert answered != opened


@pytest.mark.parametrize("app_config", [{"FROZEN_CACHE_SIZE": 0}])
def test_the_report_costs_the_same_however_many_earlier_rounds(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    """A report compares its answers with the city's earlier rounds: they load in one query."""
    make_assessment(city_official, level="2", submit=True)
    latest = make_assessment(city_official, level="3", submit=True)
    few = statements_for(app, client, f"/assessments/{latest}/report")
    for level in ("1", "2", "4", "5"):
        make_assessment(city_official, level=level, submit=True)
    latest = make_assessment(city_official, level="3", submit=True)
    assert statements_for(app, client, f"/assessments/{latest}/report") == few


def test_the_report_cache_keeps_each_language_apart(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(city_official, level="2", submit=True)
    path = f"/assessments/{assessment_id}/report"
    english = without_csrf_tokens(client.get(f"{path}?lang=en").data)
    chinese = without_csrf_tokens(client.get(f"{path}?lang=zh").data)
    assert b"Recommended countermeasures" in english
    assert b"Recommended countermeasures" not in chinese
    assert without_csrf_tokens(client.get(f"{path}?lang=en").data) == english


def test_a_draft_report_is_never_cached(
    app: Flask, client: FlaskClient, city_official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(city_official, level="2")
    client.get(f"/assessments/{assessment_id}/report")
    with app.app_context():
        kept = app.extensions["cityready_frozen"].keys()
    assert [key[0] for key in kept] == ["peers"]  # what every report reads, not this one


def test_an_api_read_is_cached_and_follows_a_rename_and_a_review(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
    reviewer: int,
    api_token: Callable[..., str],
) -> None:
    headers = bearer(api_token("official@flat.example"))
    assessment_id = make_assessment(city_official, level="4", submit=True)
    first = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    with counting_statements(app) as again:
        second = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    assert second == first
    # Token and user, then the version of the assessment and of everything its JSON shows.
    assert len(again) == 2, again
    with app.app_context():
        city = db.session.scalar(sa.select(City).where(City.name == "Flat City"))
        assert city is not None
        city.name = "Flatter City"
        db.session.commit()
    renamed = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    assert renamed["city"]["name"] == "Flatter City"
    assert {**renamed, "city": first["city"]} == first
    review(app, assessment_id, reviewer, "approve")
    approved = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    assert approved["status"] == "approved" and approved["reviewed_at"] is not None


def test_filing_through_the_api_costs_the_same_however_many_rounds_the_city_has(
    app: Flask,
    client: FlaskClient,
    city_official: int,
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    from tests.test_api import all_answers

    headers = bearer(api_token("official@flat.example"))
    body = {"answers": all_answers(app), "submit": True}

    def file() -> tuple[int, dict[str, Any]]:
        with counting_statements(app) as statements:
            response = client.post("/api/v1/assessments", json=body, headers=headers)
        assert response.status_code == 201
        return len(statements), response.get_json()

    add_rounds(make_assessment, city_official, 1)
    file()  # reads the peers, kept until the next approval anywhere
    few, filed = file()
    assert filed["status"] == "submitted" and len(filed["answers"]) == len(body["answers"])
    read = client.get(f"/api/v1/assessments/{filed['id']}", headers=headers).get_json()
    assert read == filed
    add_rounds(make_assessment, city_official, 6)
    assert file()[0] == few


def test_the_lru_drops_the_least_recently_used_entry() -> None:
    cache = LockedLRU(2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    off = LockedLRU(0)
    off.set("a", 1)
    assert off.get("a") is None and len(off) == 0
    cache.clear()
    assert len(cache) == 0


def test_a_filing_inserts_all_its_answers_in_one_statement(
    app: Flask, client: FlaskClient, official_token: str
) -> None:
    with app.app_context():
        answers = {q.id: {"value": "3"} for q in content.current.questions()}
    with counting_statements(app) as statements:
        response = client.post(
            "/api/v1/assessments",
            json={"answers": answers, "submit": True},
            headers=bearer(official_token),
        )
    assert response.status_code == 201
    assert len(response.get_json()["answers"]) == len(answers)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO ANSWER")]
    assert len(inserts) == 1, inserts
