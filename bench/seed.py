"""Build a benchmark database: the schema from the migrations, the rows through the operations.

Usage: python -m bench.seed DATABASE_FILE --cities 300 --rounds 4
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench.servers import SECRET_KEY

BENCH_PASSWORD = "bench-password-2026"
ADMIN_EMAIL = "admin@bench.example"
COMMIT_EVERY = 200


@dataclass(frozen=True)
class Seeded:
    """What the load scripts need to know about a seeded database."""

    assessments: int
    officials: list[tuple[str, list[int]]]
    """Each official's email and the ids of their city's submitted or approved assessments."""


def official_email(number: int) -> str:
    return f"official{number:04d}@bench.example"


def upgrade_schema(url: str) -> None:
    """Build the schema exactly as production does: ``flask db upgrade``."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    # Production refuses to start without the hosts it answers to; the bench's are loopback.
    env.setdefault("TRUSTED_HOSTS", "127.0.0.1")
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask), "--app", "app", "db", "upgrade"], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr}")


def seed(database: Path, cities: int, rounds: int, seed_value: int = 6) -> Seeded:
    """Fill a fresh SQLite file with cities, one official each, and their assessment rounds.

    Every round but a city's latest is submitted and approved; of the latest rounds, one in ten
    is still a draft and a third wait for review, as in a real rollout. Answers vary by the
    city's maturity.
    """
    for leftover in (database, *database.parent.glob(database.name + "-*")):
        leftover.unlink(missing_ok=True)  # the file and its WAL from an earlier run
    url = f"sqlite:///{database}"
    upgrade_schema(url)
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("TRUSTED_HOSTS", "127.0.0.1")

    from app import create_app
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

    rng = random.Random(seed_value)  # noqa: S311 - repeatable data, not security
    # One hash for everyone: hashing a password per user would make seeding take minutes.
    password_hash = generate_password_hash(BENCH_PASSWORD)
    app = create_app()
    # Seeded rounds' PDFs are rendered when first asked for: ahead, seeding thousands of rounds
    # would queue thousands of renders.
    app.config["DOCUMENTS_AHEAD"] = False
    officials: list[tuple[str, list[int]]] = []
    total = 0
    with app.app_context():
        questions = list(content.current.questions())
        admin = User(email=ADMIN_EMAIL, role="admin", password_hash=password_hash)
        db.session.add(admin)
        for number in range(cities):
            city = find_or_create_city(f"Bench City {number:04d}")
            official = User(
                email=official_email(number),
                role="official",
                city=city,
                password_hash=password_hash,
            )
            db.session.add(official)
            maturity = rng.random()
            submitted_ids = []
            for round_number in range(rounds):
                assessment = start_assessment(official, city)
                answers = {}
                for question in questions:
                    if rng.random() < 0.05:
                        answers[question.id] = AnswerInput(
                            "dont_know", "Ask the statistics bureau."
                        )
                        continue
                    level = round((maturity + round_number * 0.05) * 4 + rng.uniform(-1.3, 1.3))
                    comment = "Figures from the 2025 city yearbook." if rng.random() < 0.2 else ""
                    answers[question.id] = AnswerInput(str(min(5, max(1, level + 1))), comment)
                save_answers(assessment, answers)
                latest = round_number == rounds - 1
                if not (latest and number % 10 == 9):
                    submit_assessment(assessment)
                    submitted_ids.append(assessment.id)
                    # Reviewers have approved most rounds; the newest are still waiting.
                    if not latest or number % 3:
                        approve_assessment(assessment, admin)
                total += 1
                if total % COMMIT_EVERY == 0:
                    db.session.commit()
            officials.append((official_email(number), submitted_ids))
        db.session.commit()
    return Seeded(total, officials)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path)
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    seeded = seed(args.database, args.cities, args.rounds)
    print(f"{seeded.assessments} assessments in {args.database}")


if __name__ == "__main__":
    main()
