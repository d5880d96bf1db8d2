"""The one version that every cache keys on follows every write, whatever the table.

A change to any row of any table a page reads must reach the page at once: tested here row by
row for each model, and end to end by renaming a city, which no assessment records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.assessments.workflow import approve_assessment, return_for_revision
from app.departments.operations import invite_department, save_department_answers
from app.extensions import content, db
from app.models import (
    ActionItem,
    Answer,
    Assessment,
    City,
    Department,
    DepartmentAnswer,
    EvidenceBlob,
    EvidenceFile,
    ReviewerNote,
    StatusChange,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyTally,
    Target,
    User,
)
from app.platform import data_version
from app.reports.peers import latest_approved_per_city
from app.surveys.operations import open_survey
from tests.conftest import bearer


def current(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return data_version.current(db.session.connection())


def test_every_model_says_which_city_it_belongs_to_or_why_no_page_reads_it() -> None:
    mapped = {mapper.class_ for mapper in db.Model.registry.mappers}
    assert set(data_version.CITY_OF) | set(data_version.NOT_SHOWN) == mapped
    assert not set(data_version.CITY_OF) & set(data_version.NOT_SHOWN)


@pytest.fixture
def world(
    app: Flask, make_user: Callable[..., int], make_assessment: Callable[..., int]
) -> dict[str, int]:
    """One city with a row in every table a report reads, and a second city beside it."""
    official_id = make_user("official@one.example")
    other_official = make_user("official@two.example")
    admin_id = make_user("admin@x.example", role="admin")
    assessment_id = make_assessment(official_id, level="2", submit=True)
    make_assessment(other_official, level="4", submit=True)
    with app.app_context():
        assessment = db.session.get_one(Assessment, assessment_id)
        admin = db.session.get_one(User, admin_id)
        first = next(content.current.questions()).id
        return_for_revision(assessment, admin, "Check it", {first: "Source?"})
        db.session.add(Target(city_id=assessment.city_id, scope="planning", level=4))
        db.session.add(
            ActionItem(
                city_id=assessment.city_id,
                assessment_id=assessment_id,
                countermeasure_id=content.catalogue.countermeasures[0].id,
                owner="Planning bureau",
                due_date=None,
            )
        )
        survey = open_survey(assessment, assessment.author, date.today() + timedelta(days=7))
        survey_question = content.resident_survey.questions[0].id
        db.session.add(
            SurveyResponse(
                survey_id=survey.id, answers={survey_question: 4}, received_on=date.today()
            )
        )
        db.session.add(SurveyInvitation(survey_id=survey.id, code_hash="0" * 64))
        department, _ = invite_department(assessment, assessment.author, "Transport bureau")
        save_department_answers(department, {first: "3"})
        evidence = EvidenceFile(
            assessment=assessment,
            question_id=first,
            filename="plan.pdf",
            content_type="application/pdf",
            size=5,
            sha256="0" * 64,
        )
        db.session.add(evidence)
        db.session.flush()
        db.session.add(EvidenceBlob(file_id=evidence.id, data=b"%PDF-"))
        db.session.commit()
        return {"city": assessment.city_id, "assessment": assessment_id, "official": official_id}


CHANGES: dict[type[Any], Callable[[Any], None]] = {
    City: lambda row: setattr(row, "name", row.name + " (renamed)"),
    Assessment: lambda row: setattr(row, "paper_form_id", "X-1"),
    Target: lambda row: setattr(row, "level", 5),
    ActionItem: lambda row: setattr(row, "owner", "Another bureau"),
    Survey: lambda row: setattr(row, "closes_on", row.closes_on + timedelta(days=1)),
    Answer: lambda row: setattr(row, "comment", "On second thought"),
    StatusChange: lambda row: setattr(row, "comment", "Amended"),
    Department: lambda row: setattr(row, "name", "Water bureau"),
    ReviewerNote: lambda row: setattr(row, "comment", "Amended"),
    SurveyResponse: lambda row: setattr(row, "received_on", row.received_on - timedelta(days=1)),
    DepartmentAnswer: lambda row: setattr(row, "value", "4"),
    SurveyInvitation: lambda row: setattr(row, "used_on", date.today()),
    SurveyTally: lambda row: setattr(row, "answers", row.answers + 1),
    User: lambda row: setattr(row, "email", "renamed@one.example"),
    EvidenceFile: lambda row: setattr(row, "filename", "renamed.pdf"),
}


KEPT = (City, User, Assessment, Survey, StatusChange)


def test_each_model_shown_anywhere_has_a_change_below() -> None:
    assert set(CHANGES) == set(data_version.CITY_OF)


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda model: model.__name__)
@pytest.mark.parametrize("how", ["change", "delete"])
def test_changing_or_deleting_any_row_advances_its_citys_version(
    app: Flask, world: dict[str, int], model: type[Any], how: str
) -> None:
    if how == "delete" and model in KEPT:
        pytest.skip("other rows point at it, and the app never deletes it")
    with app.app_context():
        city_before = db.session.get_one(City, world["city"]).data_version
        rows = db.session.scalars(sa.select(model).order_by(model.id)).all()
        row = next(r for r in rows if model is not User or r.id == world["official"])
        before = data_version.current(db.session.connection())
        if how == "change":
            CHANGES[model](row)
        else:
            db.session.delete(row)
        db.session.commit()
        after = data_version.current(db.session.connection())
        city_after = db.session.scalar(sa.select(City.data_version).where(City.id == world["city"]))
    assert after != before
    assert city_after is not None and city_after > city_before


def test_a_new_row_advances_the_version_of_its_city_only(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        versions = dict(db.session.execute(sa.select(City.id, City.data_version)).all())
        db.session.add(Target(city_id=world["city"], scope="environment", level=3))
        db.session.commit()
        after = dict(db.session.execute(sa.select(City.id, City.data_version)).all())
    assert after[world["city"]] == versions[world["city"]] + 1
    assert {k: v for k, v in after.items() if k != world["city"]} == {
        k: v for k, v in versions.items() if k != world["city"]
    }


def test_a_bulk_write_advances_the_cities_it_names_or_else_every_city(
    app: Flask, world: dict[str, int]
) -> None:
    def versions() -> dict[int, int]:
        return dict(db.session.execute(sa.select(City.id, City.data_version)).all())

    with app.app_context():
        before = versions()
        db.session.execute(
            sa.update(Target).values(level=2).execution_options(data_version_cities=[world["city"]])
        )
        db.session.commit()
        named = versions()
        db.session.execute(sa.update(Target).values(level=3))
        db.session.commit()
        unnamed = versions()
    assert {k for k in before if named[k] != before[k]} == {world["city"]}
    assert all(unnamed[k] == named[k] + 1 for k in before)


def test_a_model_nobody_classified_cannot_be_written(
    app: Flask, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(data_version.CITY_OF, Target)
    with app.app_context():
        db.session.add(Target(city_id=world["city"], scope="environment", level=3))
        with pytest.raises(TypeError, match="CITY_OF"):
            db.session.flush()
        db.session.rollback()


def test_signing_in_and_token_writes_leave_the_version_alone(
    app: Flask, client: FlaskClient, world: dict[str, int], login: Callable[..., Any]
) -> None:
    before = current(app)
    login("official@one.example")
    client.get("/assessments")
    assert current(app) == before


@pytest.fixture
def five_approved(
    app: Flask, make_user: Callable[..., int], make_assessment: Callable[..., int]
) -> list[int]:
    reviewer = make_user("admin@x.example", role="admin")
    ids = []
    for i, level in enumerate("12345"):
        assessment_id = make_assessment(make_user(f"peer{i}@p.example"), level=level, submit=True)
        with app.app_context():
            approve_assessment(
                db.session.get_one(Assessment, assessment_id), db.session.get_one(User, reviewer)
            )
            db.session.commit()
        ids.append(assessment_id)
    return ids


def test_a_renamed_city_shows_at_once_on_every_page_that_names_it(
    app: Flask,
    client: FlaskClient,
    five_approved: list[int],
    login: Callable[..., Any],
    api_token: Callable[..., str],
) -> None:
    headers = bearer(api_token("admin@x.example"))
    login("admin@x.example")
    first, second = five_approved[:2]
    # The report and the API answer name the first city among the peers (admins see names).
    pages = (
        f"/assessments/{second}/report",
        "/admin/assessments",
        f"/admin/compare?ids={first}&ids={second}",
        f"/api/v1/assessments/{second}",
    )

    def shown(page: str) -> str:
        return client.get(page, headers=headers).get_data(as_text=True)

    # Read once each so that every cache holds the old name.
    for page in pages:
        assert "City of peer0@p.example" in shown(page), page
    with app.app_context():
        city = db.session.scalars(sa.select(City).where(City.name == "City of peer0@p.example"))
        city.one().name = "Renamed City"
        db.session.commit()
    for page in pages:
        assert "Renamed City" in shown(page) and "City of peer0@p.example" not in shown(page), page


def _tables_read(app: Flask, read: Callable[[], object]) -> set[str]:
    """The tables named by every statement ``read`` executes."""
    names: set[str] = set()

    def record(connection: Any, clause: Any, *args: Any) -> None:
        names.update(
            element.name
            for element in sa.sql.visitors.iterate(clause)
            if isinstance(element, sa.Table)
        )

    sa.event.listen(db.engine, "before_execute", record)
    try:
        read()
    finally:
        sa.event.remove(db.engine, "before_execute", record)
    return names


def test_the_peer_comparison_reads_only_models_shown_to_other_cities(
    app: Flask, five_approved: list[int]
) -> None:
    shown = {model.__table__.name for model in data_version.SHOWN_TO_OTHER_CITIES}
    with app.app_context():
        read = _tables_read(app, latest_approved_per_city)
    assert read, "the comparison was read"
    assert read <= shown, f"read by peers, not in SHOWN_TO_OTHER_CITIES: {read - shown}"


def _city_of(connection: sa.Connection, row: Any) -> int | None:
    model = type(row)
    column, parent = data_version.CITY_OF[model]
    if parent is None:
        return getattr(row, column)  # type: ignore[no-any-return]
    cities = data_version._resolve(connection, {parent: {getattr(row, column)}})
    return next(iter(cities), None)


@pytest.mark.parametrize("reader", ["official@one.example", "admin@x.example"])
def test_a_report_loads_no_row_of_another_city_but_those_shown_to_other_cities(
    app: Flask,
    client: FlaskClient,
    world: dict[str, int],
    login: Callable[..., Any],
    api_token: Callable[..., str],
    reader: str,
) -> None:
    """What the report reads beyond its own city's rows is keyed by the shared version alone;
    a model read there that is not classified fails here."""
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.role == "admin")).one()
        other = db.session.scalars(
            sa.select(Assessment).where(Assessment.city_id != world["city"])
        ).one()
        approve_assessment(other, admin)
        db.session.commit()
    headers = bearer(api_token(reader))
    login(reader)
    loaded: list[Any] = []

    def record(row: Any, context: Any) -> None:
        loaded.append(row)

    sa.event.listen(db.Model, "load", record, propagate=True)
    try:
        for url in (
            f"/assessments/{world['assessment']}/report",
            f"/api/v1/assessments/{world['assessment']}",
        ):
            assert client.get(url, headers=headers).status_code == 200, url
    finally:
        sa.event.remove(db.Model, "load", record)
    assert any(isinstance(row, Answer) for row in loaded), "the report's own rows were seen"
    with app.app_context():
        connection = db.session.connection()
        elsewhere = [
            row
            for row in loaded
            if type(row) in data_version.CITY_OF
            and type(row) is not User  # the reader, and authors shown through their city's rows
            and _city_of(connection, row) != world["city"]
        ]
    unclassified = [
        row
        for row in elsewhere
        if not data_version.SHOWN_TO_OTHER_CITIES.get(type(row), lambda row: False)(row)
    ]
    assert not unclassified, f"another city's rows read, not SHOWN_TO_OTHER_CITIES: {unclassified}"


def test_only_writes_other_cities_are_shown_advance_the_shared_version(
    app: Flask, world: dict[str, int]
) -> None:
    def shared_versions() -> dict[int, int]:
        return dict(db.session.execute(sa.select(City.id, City.shared_version)).all())

    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.role == "admin")).one()
        other = db.session.scalars(
            sa.select(Assessment).where(Assessment.city_id != world["city"])
        ).one()
        before = shared_versions()
        next(iter(other.answers)).comment = "a draft's comment"
        other.author.language = "zh"
        db.session.commit()
        assert shared_versions() == before, "nothing another city shows"
        approve_assessment(other, admin)
        db.session.commit()
        approved = shared_versions()
        assert approved[other.city_id] == before[other.city_id] + 1
        assert {k: v for k, v in approved.items() if k != other.city_id} == {
            k: v for k, v in before.items() if k != other.city_id
        }
        other.paper_form_id = "X-2"  # an approved round: shown to every other city
        db.session.commit()
        assert shared_versions()[other.city_id] == approved[other.city_id] + 1
        other.city.name = "Renamed"
        db.session.commit()
        assert shared_versions()[other.city_id] == approved[other.city_id] + 2
        other_id, other_city = other.id, other.city_id
        db.session.expunge_all()
        unread = db.session.get_one(Assessment, other_id)
        db.session.expire(unread)
        unread.paper_form_id = "X-3"  # its status never read: it may be an approved round
        db.session.commit()
        assert shared_versions()[other_city] == approved[other_city] + 3
