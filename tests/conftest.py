"""Fixtures: an app on a fresh database, a client, a CLI runner, and factories for test data.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.assessments.operations import (
    AnswerInput,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.extensions import content, db
from app.models import Assessment, City, Province, User
from app.platform import jobs

PASSWORD = "correct horse battery staple"
OFFICIAL = "official@a.example"
ADMIN = "admin@x.example"
# Production's scrypt costs a fifth of a second a hash; at 1,000 rounds the suite signs in freely.
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1000"
DEMO_CITY = "杭州 Hangzhou"
TRANSLATIONS = Path(__file__).parent.parent / "app" / "translations"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile stale catalogs as scripts/translations.sh does, so a bare pytest sees Chinese."""
    for source in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        compiled = source.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        with source.open("rb") as po_file:
            catalog = read_po(po_file)
        with compiled.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def pytest_configure(config: pytest.Config) -> None:
    """Give each pytest-xdist worker a PostgreSQL database of its own, so the suite runs in
    parallel there as it does on SQLite, where every test has its own file."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not shared.startswith("postgresql"):
        return
    url = sa.make_url(shared)
    own = url.set(database=f"{url.database}_{worker}")
    with _maintenance_connection(url) as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)
    config.stash[_WORKER_DATABASE] = own


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(_WORKER_DATABASE, None)
    if own is not None:
        with _maintenance_connection(own) as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))


_WORKER_DATABASE = pytest.StashKey[sa.URL]()


@contextmanager
def _maintenance_connection(url: sa.URL) -> Iterator[sa.Connection]:
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _push_request_context() -> Iterator[None]:
    """Replace pytest-flask's shared request context: each request must get its own session,
    as it does in production, or stale objects hide bugs such as a deactivated user's token."""
    yield


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module adds to the test app's; override this fixture to change them."""
    return {}


@pytest.fixture
def app(tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
            # A parallel run on a busy machine renders slowly; the limit itself has its own tests.
            "PDF_RENDER_TIMEOUT": 120,
            # A download waits for the background render of both languages (WeasyPrint, seconds
            # each on a loaded machine); tests of the 503 set their own.
            "DOCUMENT_WAIT_SECONDS": 60,
            # Most tests' submissions are never printed: render a PDF when it is asked for.
            "DOCUMENTS_AHEAD": False,
            **app_config,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    # A background render still running would write to the database dropped below.
    assert jobs.wait_until_idle(app, 60), "background jobs still running after 60 s"
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_city(app: Flask) -> Callable[..., int]:
    def make(name: str = "杭州 Hangzhou") -> int:
        with app.app_context():
            city = City(name=name)
            db.session.add(city)
            db.session.commit()
            return city.id

    return make


@pytest.fixture
def make_province(app: Flask) -> Callable[..., int]:
    """A province, with the cities of the ids given placed in it."""

    def make(name: str = "浙江省", *city_ids: int) -> int:
        with app.app_context():
            province = Province(name=name)
            db.session.add(province)
            db.session.flush()
            for city_id in city_ids:
                city = db.session.get(City, city_id)
                assert city is not None
                city.province_id = province.id
            db.session.commit()
            return province.id

    return make


@pytest.fixture
def make_user(app: Flask, make_city: Callable[..., int]) -> Callable[..., int]:
    def make(
        email: str = OFFICIAL,
        role: str = "official",
        city_id: int | None = None,
        password: str = PASSWORD,
        active: bool = True,
        province_id: int | None = None,
    ) -> int:
        with app.app_context():
            if role == "official" and city_id is None:
                city_id = make_city(f"City of {email}")
            user = User(
                email=email, role=role, city_id=city_id, active=active, province_id=province_id
            )
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


def answers_at(level: str, **overrides: str) -> dict[str, AnswerInput]:
    """Every question of the current bank answered at one level, with some overridden."""
    values = {q.id: level for q in content.current.questions()}
    values.update(overrides)
    return {qid: AnswerInput(value) for qid, value in values.items()}


@pytest.fixture
def make_assessment(app: Flask) -> Callable[..., int]:
    def make(user_id: int, level: str | None = "3", submit: bool = False, **overrides: str) -> int:
        with app.app_context():
            user = db.session.get(User, user_id)
            assert user is not None and user.city is not None
            assessment = start_assessment(user, user.city)
            if level is not None:
                save_answers(assessment, answers_at(level, **overrides))
            if submit:
                submit_assessment(assessment)
            db.session.commit()
            return assessment.id

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    def do_login(email: str, password: str = PASSWORD) -> Any:
        return client.post("/login", data={"email": email, "password": password})

    return do_login


@pytest.fixture
def switch_user(client: FlaskClient, login: Callable[..., Any]) -> Callable[..., Any]:
    """Sign out whoever is signed in, then sign in as someone else."""

    def switch(email: str, password: str = PASSWORD) -> Any:
        client.post("/logout")
        return login(email, password)

    return switch


@pytest.fixture
def official_account(make_user: Callable[..., int]) -> int:
    """The account of an official (``OFFICIAL``) of a city of their own, nobody signed in: for
    tests of signing in, and of what an admin does to the account."""
    return make_user(OFFICIAL)


@pytest.fixture
def official(official_account: int, login: Callable[..., Any]) -> int:
    """That official, signed in on ``client``."""
    assert login(OFFICIAL).status_code == 302
    return official_account


@pytest.fixture
def official_token(official_account: int, api_token: Callable[..., str]) -> str:
    """An API token of the official (``OFFICIAL``)."""
    return api_token(OFFICIAL)


@pytest.fixture
def admin(make_user: Callable[..., int], login: Callable[..., Any]) -> int:
    """An admin (``ADMIN``), signed in on ``client``."""
    user_id = make_user(ADMIN, role="admin")
    assert login(ADMIN).status_code == 302
    return user_id


@pytest.fixture
def hangzhou_official(make_user: Callable[..., int], make_city: Callable[..., int]) -> int:
    """An official (official@hangzhou.example) of 杭州 Hangzhou, nobody signed in: for PDFs that
    must print a city's name in Chinese."""
    return make_user("official@hangzhou.example", city_id=make_city("杭州 Hangzhou"))


@pytest.fixture
def draft_area_url(official: int, make_assessment: Callable[..., int]) -> str:
    """The first area page of an empty draft, its official signed in on ``client``."""
    assessment_id = make_assessment(official, level=None)
    return f"/assessments/{assessment_id}/areas/planning"


@pytest.fixture
def api_token(client: FlaskClient) -> Callable[..., str]:
    def issue(email: str, password: str = PASSWORD) -> str:
        credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
        response = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {credentials}"})
        assert response.status_code == 200, response.get_json()
        return str(response.get_json()["token"])

    return issue


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_rows(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def get_assessment(app: Flask, assessment_id: int) -> Assessment:
    with app.app_context():
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        _ = found.answers, found.city
        db.session.expunge(found)
        return found


@pytest.fixture
def demo_hangzhou(app: Flask) -> int:
    """The demo data: Hangzhou's current round has three departments, a resident survey with
    fifty answers, last year's round, targets and actions of both rounds, and five peers."""
    from app.cli.demo import seed

    with app.app_context():
        seed()
        db.session.commit()
        city = db.session.scalars(sa.select(City).where(City.name == DEMO_CITY)).one()
        return (
            db.session.scalars(
                sa.select(Assessment).where(
                    Assessment.city_id == city.id, Assessment.status == "submitted"
                )
            )
            .one()
            .id
        )
