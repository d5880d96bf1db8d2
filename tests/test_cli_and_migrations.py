"""The command line: users, demo data, and a schema built from the migrations alone."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskCliRunner

from app import create_app
from app.extensions import db
from app.models import Assessment, City, User
from tests.conftest import count_rows


def test_create_user_makes_the_city_when_needed(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Wang@Gov.example",
            "--password",
            "a long enough password",
            "--role",
            "official",
            "--city",
            "杭州",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "wang@gov.example"))
        assert user is not None and user.city is not None and user.city.name == "杭州"
        assert user.check_password("a long enough password")
        assert user.password_hash != "a long enough password"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "official"], "an official needs --city"),
        (["--role", "boss"], "Invalid value for '--role'"),
    ],
)
def test_create_user_refuses_bad_input(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(
        args=["create-user", "--email", "x@y.example", "--password", "pw", *args]
    )
    assert result.exit_code != 0
    assert message in result.output


def test_create_user_refuses_a_duplicate(app: Flask, runner: FlaskCliRunner) -> None:
    args = [
        "create-user",
        "--email",
        "a@b.example",
        "--password",
        "a long enough password",
        "--role",
        "admin",
    ]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "already exists" in result.output
    assert count_rows(app, User) == 1


def test_seed_demo_runs_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["seed-demo", "--force"])
    assert first.exit_code == 0, first.output
    assert "admin@cityready.example" in first.output
    cities, assessments = count_rows(app, City), count_rows(app, Assessment)
    assert cities >= 5 and assessments > cities
    second = runner.invoke(args=["seed-demo", "--force"])
    assert "not added" in second.output
    assert count_rows(app, Assessment) == assessments


@pytest.fixture
def empty_database_app(tmp_path: Path) -> Iterator[Flask]:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    yield app
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


def test_migrations_build_exactly_the_models_schema(empty_database_app: Flask) -> None:
    runner = empty_database_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with (
        empty_database_app.app_context(),
        db.engine.connect() as connection,
        warnings.catch_warnings(),
    ):
        # SQLite builds no index on an expression here (``ddl_if``), and Alembic says so.
        warnings.filterwarnings("ignore", "autogenerate skipping .* expression-based index")
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("app_config", [{"CITYREADY_ENV": "production"}, {}])
def test_seed_demo_refuses_outside_development_without_force(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """Its logins' passwords are published: on a live server they would be anyone's way in."""
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert "runs only with CITYREADY_ENV=development" in refused.output
    assert "--force" in refused.output
    assert count_rows(app, User) == 0


@pytest.mark.parametrize("app_config", [{"CITYREADY_ENV": "development"}])
def test_seed_demo_runs_in_development(app: Flask, runner: FlaskCliRunner) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert count_rows(app, User) > 0


def test_seed_demo_repeats_the_logins_on_a_second_run(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo", "--force"])
    second = runner.invoke(args=["seed-demo", "--force"])
    assert "official@hangzhou.example" in second.output


def test_migrated_schema_accepts_the_review_statuses(empty_database_app: Flask) -> None:
    runner = empty_database_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with empty_database_app.app_context():
        city = City(name="杭州")
        author = User(email="a@b.example", role="official", city=city, password_hash="x")
        db.session.add_all(
            [
                Assessment(city=city, author=author, questionnaire_version="2026.1", status=s)
                for s in ("draft", "submitted", "approved", "returned")
            ]
        )
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Assessment).values(status="archived"))
        db.session.rollback()
    # Going back folds the review outcomes into 'submitted', which the old schema knows.
    assert runner.invoke(args=["db", "downgrade", "0003"]).exit_code == 0
    with empty_database_app.app_context(), db.engine.connect() as connection:
        statuses = connection.execute(sa.text("SELECT status FROM assessment ORDER BY id"))
        assert [s for (s,) in statuses] == ["draft", "submitted", "submitted", "submitted"]


def test_the_survey_totals_migration_tallies_the_answers_already_given(
    empty_database_app: Flask,
) -> None:
    runner = empty_database_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0022"]).exit_code == 0
    day, moment = date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)
    with empty_database_app.app_context(), db.engine.begin() as connection:
        tables = sa.MetaData()
        tables.reflect(connection)
        rows = {
            "city": [{"id": 1, "name": "c", "created_at": moment}],
            "user": [
                {
                    "id": 1,
                    "email": "a@b.example",
                    "password_hash": "x",
                    "role": "official",
                    "city_id": 1,
                    "active": True,
                    "created_at": moment,
                }
            ],
            "assessment": [
                {
                    "id": 1,
                    "city_id": 1,
                    "author_id": 1,
                    "questionnaire_version": "2026.1",
                    "status": "submitted",
                    "created_at": moment,
                    "updated_at": moment,
                }
            ],
            "survey": [
                {
                    "id": 1,
                    "city_id": 1,
                    "assessment_id": 1,
                    "token": "t",
                    "content_version": "2026.1",
                    "closes_on": day,
                    "opened_by_id": 1,
                    "created_at": moment,
                }
            ],
            "survey_response": [
                {"survey_id": 1, "answers": a, "source": s, "received_on": day, "verified": v}
                for a, s, v in [
                    ({"q1": 5, "q2": 3}, "online", False),
                    ({"q1": 5}, "paper", False),
                    ({"q1": 5, "q2": 7}, "online", False),
                ]
            ],
        }
        for name, given in rows.items():
            connection.execute(tables.tables[name].insert(), given)
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with empty_database_app.app_context(), db.engine.connect() as connection:
        tallied = connection.execute(
            sa.text("SELECT channel, question_id, point, answers FROM survey_tally")
        ).all()
    assert sorted(map(tuple, tallied)) == [
        ("open", "", 0, 2),
        ("open", "q1", 5, 2),
        ("open", "q2", 3, 1),
        ("paper", "", 0, 1),
        ("paper", "q1", 5, 1),
    ]
    assert runner.invoke(args=["db", "downgrade", "0022"]).exit_code == 0
