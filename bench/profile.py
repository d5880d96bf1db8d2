"""Profile one kind of request in-process with pyinstrument, to see where its time goes.

Usage: python -m bench.profile KIND [-n 300] [--database FILE] [--out bench/profiles/NAME.txt]
                                   [--earlier N]
KIND is one of: report, report-304, api, api-304, submit, list, api-list, admin-list,
dashboard, csv.
Without --database it seeds a small set (40 cities × 4 rounds) in a temporary file first.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from bench.seed import ADMIN_EMAIL, BENCH_PASSWORD, official_email, seed
from bench.servers import SECRET_KEY, USER_AGENT

HEADERS = {"User-Agent": USER_AGENT}


def sign_in(client: FlaskClient, email: str) -> None:
    page = client.get("/login", headers=HEADERS).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match is not None
    form = {"email": email, "password": BENCH_PASSWORD, "csrf_token": match.group(1)}
    assert client.post("/login", data=form, headers=HEADERS).status_code == 302


def token(client: FlaskClient, email: str) -> str:
    basic = base64.b64encode(f"{email}:{BENCH_PASSWORD}".encode()).decode()
    response = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    return str(response.get_json()["token"])


def conditional(
    client: FlaskClient, paths: list[str], headers: dict[str, str]
) -> Callable[[int], int]:
    """Requests that send back the ETag each path last answered with, as a browser does."""
    tags: dict[str, str] = {}

    def make(i: int) -> int:
        path = paths[i % len(paths)]
        response = client.get(path, headers={**headers, "If-None-Match": tags.get(path, "")})
        tags[path] = response.headers.get("ETag", "")
        return response.status_code

    return make


def requests_for(kind: str, client: FlaskClient, ids: list[int]) -> Callable[[int], int]:
    """Return a function that makes the i-th request of this kind and gives its status."""
    from bench.run import ADMIN_LIST_PAGE_1, CSV_EXPORT, submission_body

    if kind in ("admin-list", "dashboard", "csv"):
        sign_in(client, ADMIN_EMAIL)
        path = {"admin-list": ADMIN_LIST_PAGE_1, "dashboard": "/admin", "csv": CSV_EXPORT}[kind]
        return lambda i: client.get(path, headers=HEADERS).status_code
    if kind in ("report", "report-304", "list"):
        sign_in(client, official_email(0))
        if kind == "list":
            return lambda i: client.get("/assessments", headers=HEADERS).status_code
        if kind == "report-304":
            return conditional(client, [f"/assessments/{i}/report" for i in ids], HEADERS)
        return lambda i: (
            client.get(f"/assessments/{ids[i % len(ids)]}/report", headers=HEADERS).status_code
        )
    bearer = {"Authorization": f"Bearer {token(client, official_email(0))}"}
    if kind == "api":
        return lambda i: (
            client.get(f"/api/v1/assessments/{ids[i % len(ids)]}", headers=bearer).status_code
        )
    if kind == "api-304":
        return conditional(client, [f"/api/v1/assessments/{i}" for i in ids], bearer)
    if kind == "api-list":
        return lambda i: client.get("/api/v1/assessments", headers=bearer).status_code
    body = submission_body()
    return lambda i: (
        client.post(
            "/api/v1/assessments", data=body, headers={**bearer, "Content-Type": "application/json"}
        ).status_code
    )


def profiled(run: Callable[[], set[int]]) -> tuple[set[int], str]:
    """Run under pyinstrument; under cProfile (top frames by cumulative time) where
    pyinstrument is not installed, as on a machine with only the app's dependencies."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        cprofiler = cProfile.Profile()
        statuses = cprofiler.runcall(run)
        if dump := os.environ.get("PROFILE_DUMP"):
            cprofiler.dump_stats(dump)
        out = io.StringIO()
        pstats.Stats(cprofiler, stream=out).sort_stats("cumulative").print_stats(60)
        return statuses, "cProfile (pyinstrument not installed)\n" + out.getvalue()
    profiler = Profiler(interval=0.0002)
    profiler.start()
    statuses = run()
    profiler.stop()
    text = profiler.output_text(
        unicode=True, color=False, show_all=os.environ.get("PROFILE_SHOW_ALL") == "1"
    )
    return statuses, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--earlier",
        type=int,
        default=0,
        help="requests made before the warm-up: with submit, rounds the city already has",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cityready-profile-") as work:
        database = args.database
        if database is None:
            database = Path(work) / "profile.sqlite"
            seed(database, 40, 4)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ["SECRET_KEY"] = SECRET_KEY
        os.environ["TRUSTED_HOSTS"] = "localhost"  # the test client's host

        import sqlalchemy as sa

        from app import create_app
        from app.extensions import db
        from app.models import Assessment, User
        from app.platform import jobs

        app = create_app()
        # A filing's PDFs are rendered by the job queue's workers, not by the request: the
        # thread that would render them here would count in this process's CPU.
        app.config["DOCUMENTS_AHEAD"] = args.kind != "submit"
        with app.app_context():
            official = db.session.scalar(sa.select(User).where(User.email == official_email(0)))
            assert official is not None
            ids = list(
                db.session.scalars(
                    sa.select(Assessment.id).where(
                        Assessment.city_id == official.city_id, Assessment.status != "draft"
                    )
                )
            )
        client = app.test_client()
        make = requests_for(args.kind, client, ids)
        for i in range(args.earlier):
            make(i)
        for i in range(20):  # warm caches and connection pools, as a running server has them
            make(i)
        # The PDFs the warm-up asked for, rendered before anything is timed.
        jobs.wait_until_idle(app, 300)
        for i in range(20):
            make(i)
        started = time.process_time()
        for i in range(args.n):
            make(i)
        cpu_ms = (time.process_time() - started) * 1000 / args.n
        statuses, text = profiled(lambda: {make(i) for i in range(args.n)})
    summary = (
        f"{args.n} requests of kind {args.kind!r}, statuses {sorted(statuses)}; "
        f"{cpu_ms:.2f} ms of CPU each without the profiler (test client, no server)\n"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(summary + text)
    print(summary + text)


if __name__ == "__main__":
    main()
