"""Growth at national scale: the admin pages and a report at 100 and at 100,000 assessments,
and a report whose residents' survey holds 1,000 and 1,000,000 answers (issue 21, point 6).

Usage: PYTHONPATH=. .venv/bin/python -m bench.scale [--database sqlite|postgresql] [-n 30]

Each set is a database built by ``flask db upgrade`` and filled through SQLAlchemy Core in
batches (one executemany per few thousand rows), except the report's city, whose rounds go
through the operations (start, answer, submit, approve) like a real city's:
- small: the report's city with 36 rounds and 16 cities with 4 (100 assessments);
- national: the report's city with 36 rounds and 2,799 cities with 34 to 38 (about 100,000).
Only what a measured page reads gets answers: every round of the report's city and the last
two rounds of every other city (the dashboard reads each city's latest finished round). The
other rounds carry their scores in the assessment's columns, as every list reads them, and no
snapshot (no measured page reads another city's). The report's latest round has a residents'
survey of 1,000 answers; the survey rows then grow it to 1,000,000 on the small set.

Pages are requested in-process through the Flask test client, each set in a fresh process:
the median of ``-n`` requests after a warm-up. "Cached" rows are what a reader sees between
two writes (every cache of a page is keyed by the data's version); "after a write" rows empty
those caches before each request, as the first reader after any write finds them.
PostgreSQL databases are named cityready_scale_<pid>_* and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.seed import ADMIN_EMAIL, BENCH_PASSWORD, official_email, upgrade_schema
from bench.servers import SECRET_KEY, USER_AGENT

REPORT_ROUNDS = 36
BATCH = 5000
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
SURVEY_SMALL = 1_000
SURVEY_LARGE = 1_000_000
CHANNEL_MIX = (("online", False, 0.6), ("online", True, 0.25), ("paper", False, 0.15))
"""(source, verified, share): open link, invitation codes, paper questionnaires."""
ADMIN_LIST = "/admin/assessments?status=approved&sort=overall&page=1"


@dataclass(frozen=True)
class SetShape:
    name: str
    cities: int
    """Besides the report's city."""
    rounds: tuple[int, int]
    """The fewest and most rounds of each of those cities."""


SMALL = SetShape("small", 16, (4, 4))
NATIONAL = SetShape("national", 2799, (34, 38))


def _environment(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ["TRUSTED_HOSTS"] = "localhost"  # the test client's host


def _app(url: str) -> Any:
    _environment(url)
    from app import create_app

    app = create_app()
    # Renders ahead of a read would run in this process's threads and count in its time.
    app.config["DOCUMENTS_AHEAD"] = False
    return app


@dataclass(frozen=True)
class Template:
    """An answer set and its scores: bulk rounds pick one by their city's maturity, so their
    scores are real scores of real answers without scoring 100,000 of them."""

    answers: dict[str, str]
    overall: float
    areas: dict[str, float | None]
    level: int


def _templates(rng: random.Random, count: int = 200) -> list[Template]:
    from app.core.scoring import score_assessment
    from app.extensions import content

    bank = content.current
    questions = list(bank.questions())
    made = []
    for number in range(count):
        maturity = number / count
        answers = {}
        for question in questions:
            if rng.random() < 0.05:
                answers[question.id] = "dont_know"
                continue
            level = round(maturity * 4 + rng.uniform(-1.3, 1.3))
            answers[question.id] = str(min(5, max(1, level + 1)))
        card = score_assessment(bank, answers)
        areas = {a.area_id: None if a.score is None else round(a.score, 1) for a in card.areas}
        made.append(Template(answers, round(card.overall, 1), areas, card.level.number))
    return sorted(made, key=lambda t: t.overall)


def _report_city(rng: random.Random) -> int:
    """The report's city, its official and 36 rounds through the operations; returns the id of
    its latest approved round, which gets the residents' survey."""
    from werkzeug.security import generate_password_hash

    from app.assessments.operations import (
        AnswerInput,
        find_or_create_city,
        save_answers,
        start_assessment,
        submit_assessment,
    )
    from app.assessments.workflow import approve_assessment
    from app.extensions import content, db
    from app.models import User

    password_hash = generate_password_hash(BENCH_PASSWORD)
    admin = User(email=ADMIN_EMAIL, role="admin", password_hash=password_hash)
    city = find_or_create_city("Bench City 0000")
    official = User(
        email=official_email(0), role="official", city=city, password_hash=password_hash
    )
    db.session.add_all([admin, official])
    questions = list(content.current.questions())
    latest = 0
    for round_number in range(REPORT_ROUNDS):
        assessment = start_assessment(official, city)
        answers = {
            q.id: AnswerInput(str(min(5, 1 + round_number // 8 + rng.randint(0, 1))), "")
            for q in questions
        }
        save_answers(assessment, answers)
        submit_assessment(assessment)
        approve_assessment(assessment, admin)
        latest = assessment.id
    db.session.commit()
    return latest


def _bulk_cities(shape: SetShape, rng: random.Random, password_hash: str) -> dict[str, float]:
    """Every other city, its official and its rounds, through Core executemany in batches."""
    import sqlalchemy as sa

    from app.extensions import content, db
    from app.models import Answer, Assessment, City, User

    templates = _templates(rng)
    version = content.current.version
    start = datetime(2016, 1, 1, tzinfo=UTC)
    connection = db.session.connection()
    timings: dict[str, float] = {}
    began = time.perf_counter()
    connection.execute(
        sa.insert(City.__table__),
        [{"name": f"Bench City {n:04d}", "created_at": start} for n in range(1, shape.cities + 1)],
    )
    city_ids = dict(connection.execute(sa.select(City.name, City.id)).all())
    connection.execute(
        sa.insert(User.__table__),
        [
            {
                "email": official_email(n),
                "role": "official",
                "password_hash": password_hash,
                "city_id": city_ids[f"Bench City {n:04d}"],
            }
            for n in range(1, shape.cities + 1)
        ],
    )
    authors = dict(
        connection.execute(sa.select(User.city_id, User.id).where(User.role == "official")).all()
    )
    timings["cities and officials"] = time.perf_counter() - began
    began = time.perf_counter()
    rounds: list[dict[str, Any]] = []
    answered: list[Template | None] = []
    for n in range(1, shape.cities + 1):
        city_id = city_ids[f"Bench City {n:04d}"]
        maturity = rng.random()
        count = rng.randint(*shape.rounds)
        for r in range(count):
            latest = r == count - 1
            status = "approved"
            if latest:
                status = "draft" if n % 10 == 9 else ("submitted" if n % 3 == 0 else "approved")
            created = start + timedelta(days=100 * r, hours=n % 24)
            progress = min(0.999, maturity * 0.7 + r / max(count, 1) * 0.3)
            template = templates[int(progress * len(templates))]
            finished = status != "draft"
            rounds.append(
                {
                    "city_id": city_id,
                    "author_id": authors[city_id],
                    "questionnaire_version": version,
                    "status": status,
                    "created_at": created,
                    "updated_at": created + timedelta(days=20),
                    "submitted_at": created + timedelta(days=20) if finished else None,
                    "reviewed_at": created + timedelta(days=30) if status == "approved" else None,
                    "overall_score": template.overall if finished else None,
                    **{
                        f"{area}_score": score if finished else None
                        for area, score in template.areas.items()
                    },
                    "level": template.level if finished else None,
                }
            )
            answered.append(template if r >= count - 2 else None)
    timings["rounds built in Python"] = time.perf_counter() - began
    began = time.perf_counter()
    first = connection.scalar(sa.select(sa.func.coalesce(sa.func.max(Assessment.id), 0)))
    for offset in range(0, len(rounds), BATCH):
        connection.execute(sa.insert(Assessment.__table__), rounds[offset : offset + BATCH])
    ids = connection.scalars(
        sa.select(Assessment.id).where(Assessment.id > first).order_by(Assessment.id)
    ).all()
    assert len(ids) == len(rounds)
    timings[f"{len(rounds):,} assessments inserted"] = time.perf_counter() - began
    began = time.perf_counter()
    answer_rows = [
        {"assessment_id": assessment_id, "question_id": question_id, "value": value}
        for assessment_id, template in zip(ids, answered, strict=True)
        if template is not None
        for question_id, value in template.answers.items()
    ]
    for offset in range(0, len(answer_rows), BATCH):
        connection.execute(sa.insert(Answer.__table__), answer_rows[offset : offset + BATCH])
    timings[f"{len(answer_rows):,} answers inserted"] = time.perf_counter() - began
    return timings


def _responses(rng: random.Random, count: int, today: date) -> Iterator[dict[str, Any]]:
    from app.extensions import content

    questions = [q.id for q in content.resident_survey.questions]
    sources = [(source, verified) for source, verified, _ in CHANNEL_MIX]
    shares = [share for _, _, share in CHANNEL_MIX]
    for _ in range(count):
        source, verified = rng.choices(sources, shares)[0]
        yield {
            "source": source,
            "verified": verified,
            "received_on": today - timedelta(days=rng.randint(0, 20)),
            "answers": {
                q: rng.choice((2, 3, 3, 4, 4, 5)) for q in questions if rng.random() > 0.03
            },
        }


def add_survey_answers(assessment_id: int, count: int, rng: random.Random) -> float:
    """Give the round's residents' survey ``count`` more answers (opening it if need be): the
    rows through Core in batches, the running totals as ``record_response`` keeps them."""
    import sqlalchemy as sa

    from app.core.resident_survey import channel_of
    from app.extensions import db
    from app.models import Assessment, SurveyResponse, User
    from app.surveys.operations import add_to_tally, open_survey, survey_of

    began = time.perf_counter()
    assessment = db.session.get(Assessment, assessment_id)
    assert assessment is not None
    survey = survey_of(assessment)
    if survey is None:
        official = db.session.scalar(sa.select(User).where(User.email == official_email(0)))
        assert official is not None
        survey = open_survey(assessment, official, date.today() + timedelta(days=30))
    connection = db.session.connection()
    batch: list[dict[str, Any]] = []
    by_channel: dict[str, list[dict[str, int]]] = {}

    def flush() -> None:
        connection.execute(sa.insert(SurveyResponse.__table__), batch)
        for row in batch:
            by_channel.setdefault(channel_of(row["source"], row["verified"]), []).append(
                row["answers"]
            )
        for channel, answers in by_channel.items():
            add_to_tally(connection, survey.id, channel, answers)
        batch.clear()
        by_channel.clear()

    for response in _responses(rng, count, date.today()):
        batch.append({"survey_id": survey.id, **response})
        if len(batch) == BATCH * 4:
            flush()
    if batch:
        flush()
    db.session.commit()
    return time.perf_counter() - began


def settle(url: str) -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk load: statistics for the planner
    and a visibility map for index-only scans. SQLite is left as the app leaves it."""
    if not url.startswith("postgresql"):
        return
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def seed_set(url: str, shape: SetShape) -> tuple[int, dict[str, float]]:
    """Build and fill one set; returns the report's assessment id and how long each part took."""
    began = time.perf_counter()
    upgrade_schema(url)
    timings = {"flask db upgrade": time.perf_counter() - began}
    rng = random.Random(21)  # noqa: S311 - repeatable data, not security
    app = _app(url)
    from werkzeug.security import generate_password_hash

    from app.extensions import db

    with app.app_context():
        began = time.perf_counter()
        report_id = _report_city(rng)
        timings["report's city through the operations"] = time.perf_counter() - began
        timings |= _bulk_cities(shape, rng, generate_password_hash(BENCH_PASSWORD))
        db.session.commit()
        timings[f"survey of {SURVEY_SMALL:,} answers"] = add_survey_answers(
            report_id, SURVEY_SMALL, rng
        )
    began = time.perf_counter()
    settle(url)
    timings["vacuum and analyze (PostgreSQL)"] = time.perf_counter() - began
    return report_id, timings


def grow_survey(url: str, report_id: int) -> float:
    rng = random.Random(6)  # noqa: S311 - repeatable data, not security
    with _app(url).app_context():
        took = add_survey_answers(report_id, SURVEY_LARGE - SURVEY_SMALL, rng)
    settle(url)
    return took


# Measuring, in a process of its own per set.

Row = tuple[str, str, bool]
"""(name, who asks: admin or official, whether the caches are emptied before each request)."""


def _sign_in(client: Any, email: str) -> None:
    """Through the login form, with the user agent every later request sends: a session is
    tied to it."""
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    form = {"email": email, "password": BENCH_PASSWORD, "csrf_token": token.group(1)}
    if client.post("/login", data=form).status_code != 302:
        raise RuntimeError(f"signing in as {email} failed")


def measure_set(url: str, report_id: int, n: int, survey_only: bool) -> dict[str, float]:
    """Median milliseconds of each page on this database."""
    app = _app(url)
    admin, official = app.test_client(), app.test_client()
    _sign_in(admin, ADMIN_EMAIL)
    _sign_in(official, official_email(0))
    report = f"/assessments/{report_id}/report"
    survey = f"/assessments/{report_id}/survey"
    pages: list[tuple[str, Any, str, bool | object]] = [
        ("Report page, cached", official, report, False),
        ("Report page, after a write in its city", official, report, OWN_CITY),
        ("Report page, after a write", official, report, True),
        ("Residents' survey page", official, survey, False),
    ]
    if not survey_only:
        pages = [
            ("Admin list, filtered and sorted, page 1", admin, ADMIN_LIST, False),
            ("Admin dashboard, cached", admin, "/admin", False),
            ("Admin dashboard, after a write", admin, "/admin", True),
            *pages,
        ]
    medians = {}
    with app.app_context():
        entries = app.extensions["cityready_frozen"]
    for name, client, path, cold in pages:
        # A request after a write costs far more (one on a million survey answers, seconds):
        # fewer of them, after one warm-up.
        count = (3 if survey_only else max(5, n // 5)) if cold else n
        warmup = 1 if cold else 3
        times = []
        for i in range(count + warmup):
            if cold is OWN_CITY:
                _write_in_the_report_city(app, i)
            elif cold:
                entries.clear()
            began = time.perf_counter()
            status = client.get(path).status_code
            took = time.perf_counter() - began
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            if i >= warmup:  # connection pool, templates, the caches of a warm page
                times.append(took)
        medians[name] = statistics.median(times) * 1000
        print(f"    {name:<44} {medians[name]:9.2f} ms (median of {count})", flush=True)
    return medians


OWN_CITY = object()
"""A row measured after a real write in the report's city (its official's display name): the
report's own version moves, the other cities' (the peers) do not, as after most writes."""


def _write_in_the_report_city(app: Any, i: int) -> None:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import User

    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == official_email(0))).one()
        user.display_name = f"Official {i}"
        db.session.commit()


def _measure_in_child(url: str, report_id: int, n: int, survey_only: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.scale", "--measure", url, "--report", str(report_id)]
    command += ["-n", str(n)] + (["--survey-only"] if survey_only else [])
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    sys.stdout.write(done.stdout.split("RESULT ", 1)[0])
    return json.loads(done.stdout.split("RESULT ", 1)[1])  # type: ignore[no-any-return]


# Databases.


@contextmanager
def databases(kind: str, work: Path) -> Iterator[Callable[[str], str]]:
    """Make a database for a set name and give its URL; PostgreSQL's are dropped after."""
    if kind == "sqlite":
        yield lambda name: f"sqlite:///{work / name}.sqlite"
        return
    import sqlalchemy as sa

    made: list[str] = []
    server = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")

    def create(name: str) -> str:
        database = f"cityready_scale_{os.getpid()}_{name}"
        with server.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database}"))
            connection.execute(sa.text(f"CREATE DATABASE {database}"))
        made.append(database)
        return f"{POSTGRES}/{database}"

    try:
        yield create
    finally:
        with server.connect() as connection:
            for database in made:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        server.dispose()


def _seed_in_child(url: str, shape: str) -> tuple[int, dict[str, float]]:
    command = [sys.executable, "-m", "bench.scale", "--seed", url, "--shape", shape]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    found = json.loads(done.stdout.split("RESULT ", 1)[1])
    return int(found["report"]), found["timings"]


def run(kind: str, n: int) -> list[tuple[str, float, float]]:
    """Seed the sets, measure them, and return (row, small ms, large ms)."""
    with (
        tempfile.TemporaryDirectory(prefix="cityready-scale-") as work,
        databases(kind, Path(work)) as database_url,
    ):
        report_ids = {}
        urls = {shape.name: database_url(shape.name) for shape in (SMALL, NATIONAL)}
        for shape in (SMALL, NATIONAL):
            began = time.perf_counter()
            report_ids[shape.name], timings = _seed_in_child(urls[shape.name], shape.name)
            print(f"{kind}: seeded {shape.name} in {time.perf_counter() - began:.1f} s", flush=True)
            for part, seconds in timings.items():
                print(f"    {part:<44} {seconds:8.1f} s", flush=True)
        # Small and national in turn, twice, so a change in the machine's load falls on both.
        taken: dict[str, list[dict[str, float]]] = {SMALL.name: [], NATIONAL.name: []}
        for _ in range(2):
            for shape in (SMALL, NATIONAL):
                print(f"{kind}: measuring {shape.name}", flush=True)
                taken[shape.name].append(
                    _measure_in_child(urls[shape.name], report_ids[shape.name], n, False)
                )
        results = {
            name: {row: statistics.mean(m[row] for m in runs) for row in runs[0]}
            for name, runs in taken.items()
        }
        url = urls[SMALL.name]
        command = [sys.executable, "-m", "bench.scale", "--grow-survey", url]
        command += ["--report", str(report_ids[SMALL.name])]
        began = time.perf_counter()
        subprocess.run(command, check=True)
        took = time.perf_counter() - began
        print(f"{kind}: {SURVEY_LARGE - SURVEY_SMALL:,} more survey answers in {took:.1f} s")
        print(f"{kind}: measuring the survey of {SURVEY_LARGE:,}", flush=True)
        grown = _measure_in_child(url, report_ids[SMALL.name], n, True)
    rows = [
        (f"{name} (100 → ~100,000 assessments)", results["small"][name], results["national"][name])
        for name in results["small"]
    ]
    rows += [
        (f"{name} (survey of 1,000 → 1,000,000 answers)", results["small"][name], grown[name])
        for name in grown
    ]
    return rows


def table(kind: str, rows: list[tuple[str, float, float]]) -> str:
    lines = [
        f"| {kind} | small, ms | large, ms | ratio | target | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, small, large in rows:
        ratio = large / small
        verdict = "**met**" if ratio <= 1.5 else "**NOT met**"
        lines.append(f"| {name} | {small:.2f} | {large:.2f} | {ratio:.2f} | ≤ 1.5 | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("-n", type=int, default=30, help="requests per page, after a warm-up")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--grow-survey", help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--survey-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        report, timings = seed_set(args.seed, {"small": SMALL, "national": NATIONAL}[args.shape])
        print("RESULT " + json.dumps({"report": report, "timings": timings}))
        return
    if args.grow_survey:
        grow_survey(args.grow_survey, args.report)
        return
    if args.measure:
        medians = measure_set(args.measure, args.report, args.n, args.survey_only)
        print("RESULT " + json.dumps(medians))
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    tables = []
    for kind in args.database or ["sqlite", "postgresql"]:
        tables.append(table(kind, run(kind, args.n)))
        print(f"\n{tables[-1]}\n\nload average: {os.getloadavg()}\n", flush=True)
    print("\n\n".join(tables))


if __name__ == "__main__":
    main()
