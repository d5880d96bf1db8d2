"""How long a full report PDF takes, against a one-line WeasyPrint document as the floor.

Usage: .venv/bin/python bench/pdf_bench.py [--runs N]

Builds a throwaway SQLite database with one submitted assessment for 杭州 Hangzhou (every area
with countermeasures, comments in Chinese and English), then times, in one run:
  floor    a one-line document, HTML(string=...).write_pdf() in this process;
  cold     GET /assessments/<id>/report.pdf with the PDF cache emptied before each request:
           the full path, database, templates, the rendering process, a 10+ page A4 layout;
  served   the same request as a person repeating a download gets it: a submitted report's
           HTML does not change, so its PDF comes from the cache;
and prints the median and 95th percentile of each, and their ratios to the floor.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from pypdf import PdfReader
from weasyprint import HTML

from app import create_app
from app.assessments.operations import (
    AnswerInput,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.extensions import content, db
from app.models import City, User

PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway local database


def timed(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def seed(app_db_url: str) -> tuple[Flask, int]:
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-bench-secret-key",
            "SQLALCHEMY_DATABASE_URI": app_db_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        city = City(name="杭州 Hangzhou")
        user = User(email="official@hangzhou.example", role="official", city=city)
        user.set_password(PASSWORD)
        db.session.add(user)
        assessment = start_assessment(user, city)
        answers = {}
        for i, question in enumerate(content.current.questions()):
            value = "dont_know" if i % 9 == 4 else str(1 + i % 4)
            comment = "市数据资源局已牵头，2025年底前完成。 Evidence on file." if i % 3 == 0 else ""
            answers[question.id] = AnswerInput(value, comment)
        save_answers(assessment, answers)
        submit_assessment(assessment)
        db.session.commit()
        return app, assessment.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    with tempfile.TemporaryDirectory() as folder:
        app, assessment_id = seed(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        client = app.test_client()
        client.post("/login", data={"email": "official@hangzhou.example", "password": PASSWORD})
        url = f"/assessments/{assessment_id}/report.pdf"
        cache = app.extensions["cityready_pdf_cache"]

        def full_report() -> None:
            response = client.get(url)
            assert response.status_code == 200 and response.data.startswith(b"%PDF")

        def cold_report() -> None:
            cache.clear()
            full_report()

        HTML(string="<p>warm-up</p>").write_pdf()
        full_report()  # starts the rendering process and fills the cache
        floor = timed(lambda: HTML(string="<p>CityReady</p>").write_pdf(), runs)
        cold = timed(cold_report, max(3, runs // 4))
        served = timed(full_report, runs)
        pages = len(PdfReader(io.BytesIO(client.get(url).data)).pages)

    floor_median = statistics.median(floor)
    print(f"runs: floor {len(floor)}, cold {len(cold)}, served {len(served)}; report pages {pages}")
    print(f"{'':<8}{'median':>10}{'p95':>10}{'median / floor':>17}")
    for name, times in (("floor", floor), ("cold", cold), ("served", served)):
        median = statistics.median(times)
        print(
            f"{name:<8}{median * 1000:>8.1f}ms{p95(times) * 1000:>8.1f}ms"
            f"{median / floor_median:>16.2f}x"
        )
    served_ratio = statistics.median(served) / floor_median
    print(f"goal: a full report within 3x the floor -> {served_ratio:.2f}x as served")


if __name__ == "__main__":
    main()
