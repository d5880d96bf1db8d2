"""The rows of issue 21 in one run, each as a ratio to the do-nothing route measured just before
and after it: the report page and the API read (each also answered 304 to If-None-Match), a
filing, and a peer Flask page (bench/peer_app.py).

Usage: python -m bench.reads [--cities 30] [--duration 10] [--warmup 10] [--redis URL]

Served as production serves them: gunicorn, sync workers, SQLite built by the migrations. Jobs
go to Redis (``--redis``, a database of the bench's own) and one ``flask --app app worker``
renders them, as docs/deploy.md has it; the report pages' PDFs are rendered before their row
is measured, so the row measures the page, not a first render.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import peer_app
from bench.memory import cpu_seconds
from bench.run import (
    APP,
    NOOP,
    Figure,
    Settings,
    _fmt,
    _parse,
    check,
    line,
    main_scenarios,
    seed_set,
    wrk,
)
from bench.servers import ROOT, SECRET_KEY, Server, fetch, gunicorn

PEER = "bench.peer_app:app"


def measure(settings: Settings, server: Server, name: str, lines: list[str]) -> Figure:
    """Warm up, then measure; unlike bench.run's, for answers that may be 304."""
    wrk(settings, server.base, name, lines, settings.warmup)
    cpu_before = cpu_seconds(server.pid)
    figure = wrk(settings, server.base, name, lines, settings.duration)
    if figure.requests:
        figure.cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / figure.requests
    print(
        f"  {name:<44} {figure.rps:8.1f} req/s  p50 {figure.p50_ms:7.2f} ms  "
        f"CPU {_fmt(figure.cpu_ms, 3)} ms  errors {figure.errors}",
        flush=True,
    )
    return figure


def conditional(base: str, lines: list[str]) -> list[str]:
    """The same requests, each carrying the ETag its first answer gave."""
    tagged = []
    for sample in lines:
        method, path, body, headers = _parse(sample)
        status, answered, _ = fetch(base, path, headers=headers)
        if status != 200 or "ETag" not in answered:
            raise RuntimeError(f"{path} answered {status} without an ETag")
        named = {k.replace("-", "_"): v for k, v in headers.items() if k != "User-Agent"}
        tagged.append(line(method, path, body, **named, If_None_Match=answered["ETag"]))
    status, _, _ = fetch(base, path, headers={**headers, "If-None-Match": answered["ETag"]})
    if status != 304:
        raise RuntimeError(f"{path} with its ETag answered {status}, not 304")
    return tagged


def wait_for_renders(base: str, lines: list[str], timeout: float = 120) -> None:
    """Until no report page of the row says its PDF is still being prepared, or ``timeout``."""
    deadline = time.monotonic() + timeout
    pending = lines
    while pending:
        if time.monotonic() > deadline:
            print(f"  note: {len(pending)} of the reports' PDFs not rendered in {timeout:g} s")
            return
        time.sleep(2)
        still = []
        for sample in pending:
            _, path, _, headers = _parse(sample)
            _, _, page = fetch(base, path, headers=headers)
            if b"is being prepared" in page:
                still.append(sample)
        pending = still


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=5700)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--worker-log", default=str(ROOT / "instance" / "bench-worker.log"))
    parser.add_argument("--render-wait", type=float, default=120)
    args = parser.parse_args()
    from redis import Redis

    Redis.from_url(args.redis).flushdb()

    with tempfile.TemporaryDirectory(prefix="cityready-reads-") as work:
        settings = Settings(
            args.duration, args.warmup, args.connections, 2, args.workers, args.port, Path(work)
        )
        load_before = os.getloadavg()[0]
        database, seeded = seed_set(Path(work), "main", args.cities, args.rounds)
        os.environ["JOB_QUEUE_URL"] = args.redis
        peer_app.seed(f"sqlite:///{Path(work) / 'peer.sqlite'}")
        figures: list[Figure] = []
        floors: list[float] = []
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": SECRET_KEY}
        with (
            gunicorn(NOOP, args.port, args.workers, None, probe="/") as noop,
            gunicorn(APP, args.port + 1, args.workers, database) as server,
            gunicorn(PEER, args.port + 2, args.workers, None, probe="/login") as peer,
            (Path(args.worker_log)).open("wb") as worker_log,
        ):
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker"],
                env=env,
                cwd=ROOT,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
            try:
                scenarios = {name: make for name, make, _ in main_scenarios(server.base, seeded)}
                report = scenarios["HTML report page"]()
                # One report per official: their PDFs are rendered before the row.
                report = list({_parse(s)[3]["Cookie"]: s for s in report}.values())
                check(server.base, "report", report)
                wait_for_renders(server.base, report, args.render_wait)
                api = scenarios["API read of one assessment"]()
                _, peer_headers, _ = fetch(peer.base, "/login")
                peer_cookie = peer_headers["Set-Cookie"].split(";", 1)[0]
                rows: list[tuple[str, Server, list[str], float | None]] = [
                    ("HTML report page", server, report, 0.5),
                    ("HTML report page, 304", server, conditional(server.base, report), None),
                    ("API read of one assessment", server, api, 0.6),
                    ("API read, 304", server, conditional(server.base, api), None),
                    (
                        "Peer: Flask tutorial-style blog index",
                        peer,
                        [line("GET", "/", Cookie=peer_cookie)],
                        None,
                    ),
                    (
                        "Submission (POST, submit: true)",
                        server,
                        scenarios["Submission (POST, submit: true)"](),
                        0.1,
                    ),
                ]
                before = measure(settings, noop, "Do-nothing Flask route", [line("GET", "/")])
                for name, target_server, lines, target in rows:
                    figure = measure(settings, target_server, name, lines)
                    after = measure(settings, noop, "Do-nothing Flask route", [line("GET", "/")])
                    figure.floor, figure.target = (before.rps + after.rps) / 2, target
                    floors += [before.rps, after.rps]
                    figures.append(figure)
                    before = after
            finally:
                worker.terminate()
                worker.wait(30)
        load_after = os.getloadavg()[0]

    print()
    print(
        f"{seeded.assessments:,} assessments; {args.workers} gunicorn workers; wrk "
        f"{args.connections} connections, {args.duration} s per row after {args.warmup} s; "
        f"load average {load_before:.2f} before, {load_after:.2f} after; floors "
        f"{min(floors):.0f} to {max(floors):.0f} req/s (median {statistics.median(floors):.0f})"
    )
    print()
    print("| what | req/s | p50 ms | CPU ms | floor req/s | ratio to floor | target | |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for f in figures:
        verdict = "" if f.met is None else ("**met**" if f.met else "**NOT met**")
        target = "" if f.target is None else f"≥ {f.target}"
        print(
            f"| {f.name} | {f.rps:.1f} | {f.p50_ms:.2f} | {_fmt(f.cpu_ms, 3)} | "
            f"{f.floor:.0f} | {_fmt(f.ratio)} | {target} | {verdict} |"
        )


if __name__ == "__main__":
    main()
