"""Benchmark CityReady under gunicorn with wrk and write bench/results.md.

Usage: scripts/bench.sh [--duration 10] [--connections 10] [--workers N]   (or python -m bench.run)

Seeds three SQLite databases through the operations (the main set, and a small and a large one
for the growth comparisons), serves each with gunicorn as production does, and drives every
page with wrk. A do-nothing Flask route, served the same way, is measured at the start and at
the end; every figure is also given as a ratio to it, which is what the targets are set in.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.memory import PeakGrowth, cpu_seconds, peak_growth
from bench.seed import ADMIN_EMAIL, BENCH_PASSWORD, Seeded, seed
from bench.servers import (
    ROOT,
    USER_AGENT,
    Server,
    api_token,
    default_workers,
    fetch,
    gunicorn,
    port_is_free,
    refreshed,
    session_cookie,
)

LUA = ROOT / "bench" / "lua" / "requests.lua"
RESULTS = ROOT / "bench" / "results.md"
NOTES_MARKER = (
    "<!-- Notes: everything below this line is kept when the bench rewrites the file. -->"
)
OFFICIALS_USED = 10
APP = "app:create_app()"
NOOP = "bench.noop_app:app"


@dataclass
class Figure:
    name: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    cpu_ms: float | None = None
    """The workers' CPU time per request: steadier than req/s on a shared machine."""
    skipped: str = ""
    floor: float | None = None
    """The do-nothing route's req/s, measured just before and just after this row."""
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.floor is None else self.rps / self.floor

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio >= self.target and not self.errors


@dataclass
class Settings:
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    port: int
    work: Path


@dataclass
class Run:
    settings: Settings
    figures: list[Figure] = field(default_factory=list)
    floors: list[Figure] = field(default_factory=list)
    growth: list[tuple[str, Figure, Figure]] = field(default_factory=list)
    memory: list[tuple[str, PeakGrowth]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)


def line(method: str, path: str, body: str = "", **headers: str) -> str:
    """One request for bench/lua/requests.lua: tab-separated method, path, body, headers."""
    fields = [method, path, body, f"User-Agent: {USER_AGENT}"]
    fields += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return "\t".join(fields)


def wrk(settings: Settings, base: str, name: str, lines: list[str], seconds: int) -> Figure:
    requests_file = settings.work / "requests.tsv"
    requests_file.write_text("\n".join(lines) + "\n")
    command = [
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        base,
        "--",
        str(requests_file),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    summary = json.loads(output.split("BENCH_JSON", 1)[1].strip().splitlines()[0])
    return Figure(
        name=name,
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        requests=summary["requests"],
        errors=sum(summary["errors"].values()),
    )


def _parse(sample: str) -> tuple[str, str, str, dict[str, str]]:
    method, path, body, *headers = sample.split("\t")
    return method, path, body, dict(h.split(": ", 1) for h in headers)


def check(base: str, name: str, lines: list[str]) -> None:
    """Make sure a few of the prepared requests answer well before measuring them."""
    for sample in dict.fromkeys(lines[:3] + lines[-2:]):
        method, path, body, headers = _parse(sample)
        status, answered, payload = fetch(
            base, path, method=method, body=body.encode() or None, headers=headers
        )
        if status not in (200, 201):
            raise RuntimeError(f"{name}: {method} {path} answered {status}: {payload[:300]!r}")
        if method == "GET" and "Set-Cookie" in answered:
            # Renewing a session once a minute is normal; on every read it would cost each one.
            print(f"  note: {path} renewed its session cookie", flush=True)


def until_rendered(base: str, lines: list[str], timeout: float = 900) -> None:
    """Ask for each document until it is served: a submitted report's PDF is rendered in the
    background when first asked for, and answered 503 with Retry-After meanwhile, so the row
    measures downloads as readers get them once it is ready, not the first render."""
    deadline = time.monotonic() + timeout
    for sample in lines:
        _, path, _, headers = _parse(sample)
        while (status := fetch(base, path, headers=headers)[0]) == 503:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} still not rendered after {timeout:g} s")
            time.sleep(2)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")


def measure(settings: Settings, server: Server, name: str, lines: list[str]) -> Figure:
    """Check the requests answer well, warm the workers up, then measure."""
    check(server.base, name, lines)
    wrk(settings, server.base, name, lines, settings.warmup)
    cpu_before = cpu_seconds(server.pid)
    figure = wrk(settings, server.base, name, lines, settings.duration)
    if figure.requests:
        figure.cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / figure.requests
    print(
        f"  {name:<48} {figure.rps:8.1f} req/s  p50 {figure.p50_ms:7.2f} ms  "
        f"p99 {figure.p99_ms:7.2f} ms  CPU {_fmt(figure.cpu_ms, 3)} ms  errors {figure.errors}",
        flush=True,
    )
    return figure


def exists(base: str, path: str, headers: dict[str, str]) -> bool:
    status, _, _ = fetch(base, path, headers=headers)
    return status != 404


def submission_body() -> str:
    from app import create_app
    from app.extensions import content

    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}).app_context():
        answers = {
            q.id: {"value": str(1 + i % 5), "comment": "From the city yearbook." if i % 4 else ""}
            for i, q in enumerate(content.current.questions())
        }
    return json.dumps({"answers": answers, "submit": True}, separators=(",", ":"))


ADMIN_LIST_PAGE_1 = "/admin/assessments?status=approved&sort=overall&page=1"
ADMIN_LIST_DEEP = "/admin/assessments?status=approved&sort=overall&page=30"
DASHBOARD = "/admin"
CSV_EXPORT = "/admin/assessments.csv"
ADMIN_PAGES = [
    ("Admin list, filtered and sorted, page 1", ADMIN_LIST_PAGE_1),
    ("Admin list, filtered and sorted, deep page", ADMIN_LIST_DEEP),
    ("Admin dashboard", DASHBOARD),
    ("CSV export (all assessments)", CSV_EXPORT),
]
GROWTH_PAGES = [
    ("Admin list, filtered and sorted, page 1", ADMIN_LIST_PAGE_1),
    ("Admin dashboard", DASHBOARD),
]
Scenario = tuple[str, Callable[[], list[str]], float | None]


def main_scenarios(base: str, seeded: Seeded) -> list[Scenario]:
    """The rows measured on the main set; page rows sign in afresh just before they run.

    A fresh session matters: the app refreshes an idle session's cookie once a minute, and wrk,
    unlike a browser, would keep sending the old one and make every answer set a cookie.
    """
    officials = [o for o in seeded.officials if o[1]][:OFFICIALS_USED]
    tokens = {email: api_token(base, email, BENCH_PASSWORD) for email, _ in officials}

    def report_lines() -> list[str]:
        cookies = {email: session_cookie(base, email, BENCH_PASSWORD) for email, _ in officials}
        # Signing fifty people in takes a while on a busy machine: bring every session's
        # last-seen time up to date, as a browser would have, so no answer has to.
        cookies = {email: refreshed(base, cookie) for email, cookie in cookies.items()}
        return [
            line("GET", f"/assessments/{i}/report", Cookie=cookies[email])
            for email, ids in officials
            for i in ids
        ]

    def api_lines() -> list[str]:
        return [
            line("GET", f"/api/v1/assessments/{i}", Authorization=f"Bearer {tokens[email]}")
            for email, ids in officials
            for i in ids
        ]

    def submit_lines() -> list[str]:
        body = submission_body()
        return [
            line(
                "POST",
                "/api/v1/assessments",
                body,
                Authorization=f"Bearer {tokens[email]}",
                Content_Type="application/json",
            )
            for email, _ in officials
        ]

    def pdf_lines() -> list[str]:
        chosen = officials[:10]
        cookies = {email: session_cookie(base, email, BENCH_PASSWORD) for email, _ in chosen}
        lines = [
            line("GET", f"/assessments/{i}/report.pdf", Cookie=cookies[email])
            for email, ids in chosen
            for i in ids
        ]
        until_rendered(base, lines)
        return lines

    def admin_lines(path: str) -> Callable[[], list[str]]:
        return lambda: [line("GET", path, Cookie=session_cookie(base, ADMIN_EMAIL, BENCH_PASSWORD))]

    # Filings last: each one has its documents rendered in the background, and the hundreds a
    # row files would go on rendering through every row after it.
    return [
        ("HTML report page", report_lines, 0.5),
        ("API read of one assessment", api_lines, 0.6),
        *[(name, admin_lines(path), None) for name, path in ADMIN_PAGES],
        ("PDF report", pdf_lines, None),
        ("Submission (POST, submit: true)", submit_lines, 0.1),
    ]


def main_set(run: Run, database: Path, seeded: Seeded) -> None:
    """Each row on the main set, bracketed by two measurements of the do-nothing route."""
    s = run.settings
    with (
        gunicorn(NOOP, s.port + 1, s.workers, None, probe="/") as noop,
        gunicorn(APP, s.port + 2, s.workers, database) as server,
    ):
        print(f"Signing in {OFFICIALS_USED} officials and the admin", flush=True)
        scenarios = main_scenarios(server.base, seeded)

        def floor() -> Figure:
            figure = measure(s, noop, "Do-nothing Flask route", [line("GET", "/")])
            run.floors.append(figure)
            return figure

        before = floor()
        for name, make_lines, target in scenarios:
            lines = make_lines()
            _, path, _, headers = _parse(lines[0])
            if not exists(server.base, path, headers):
                run.figures.append(
                    Figure(name, skipped=f"`{path.split('?')[0]}` is not on main yet")
                )
                continue
            figure = measure(s, server, name, lines)
            after = floor()
            figure.floor, figure.target = (before.rps + after.rps) / 2, target
            run.figures.append(figure)
            before = after


def _mean_figure(name: str, figures: list[Figure]) -> Figure:
    return Figure(
        name,
        rps=statistics.mean(f.rps for f in figures),
        p50_ms=statistics.mean(f.p50_ms for f in figures),
        p99_ms=statistics.mean(f.p99_ms for f in figures),
        requests=sum(f.requests for f in figures),
        errors=sum(f.errors for f in figures),
        cpu_ms=statistics.mean(f.cpu_ms for f in figures if f.cpu_ms is not None)
        if any(f.cpu_ms is not None for f in figures)
        else None,
    )


def growth_sets(run: Run, small: Path, large: Path, sizes: tuple[int, int]) -> None:
    """The admin pages on the small and the large set, alternated twice so drift cancels out;
    then the CSV export's peak memory on each, in a server of one worker."""
    s = run.settings
    with (
        gunicorn(APP, s.port + 3, s.workers, small) as small_server,
        gunicorn(APP, s.port + 4, s.workers, large) as large_server,
    ):
        servers = (small_server, large_server)
        for name, path in GROWTH_PAGES:
            cookies = [session_cookie(x.base, ADMIN_EMAIL, BENCH_PASSWORD) for x in servers]
            if not exists(small_server.base, path, {"Cookie": cookies[0]}):
                run.notes.append(f"{name} (`{path}`) is not on main yet: no growth figure.")
                continue
            taken: list[list[Figure]] = [[], []]
            for _ in range(2):
                for index, server in enumerate(servers):
                    label = f"{name} ({sizes[index]:,})"
                    lines = [line("GET", path, Cookie=cookies[index])]
                    taken[index].append(measure(s, server, label, lines))
            run.growth.append((name, _mean_figure(name, taken[0]), _mean_figure(name, taken[1])))
    for offset, database, size in ((5, small, sizes[0]), (6, large, sizes[1])):
        with gunicorn(APP, s.port + offset, 1, database) as server:
            headers = {"Cookie": session_cookie(server.base, ADMIN_EMAIL, BENCH_PASSWORD)}
            if not exists(server.base, CSV_EXPORT, headers):
                run.notes.append(f"`{CSV_EXPORT}` is not on main yet: no memory figure.")
                return
            result = peak_growth(server.pid, server.base, CSV_EXPORT, headers)
            print(f"  CSV export of {size:,}: peak RSS growth {result.growth_mib:.1f} MiB")
            run.memory.append((f"{size:,} assessments", result))


def seed_set(work: Path, name: str, cities: int, rounds: int) -> tuple[Path, Seeded]:
    started = time.perf_counter()
    database = work / f"{name}.sqlite"
    seeded = seed(database, cities, rounds)
    took = time.perf_counter() - started
    print(f"Seeded {name}: {seeded.assessments:,} assessments in {took:.0f} s", flush=True)
    return database, seeded


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _verdict(met: bool | None) -> str:
    return {True: "**met**", False: "**NOT met**", None: ""}[met]


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for text in cpuinfo.read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "status", "--porcelain", "app"], cwd=ROOT, capture_output=True)
    return found.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def report(run: Run, sizes: dict[str, int]) -> str:
    s = run.settings
    floors = [f.rps for f in run.floors]
    floor_cpus = [f.cpu_ms for f in run.floors if f.cpu_ms is not None]
    floor_cpu = statistics.mean(floor_cpus) if floor_cpus else None
    rows = [
        "# CityReady benchmark results",
        "",
        f"Written by `scripts/bench.sh` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
        f"`{commit()}`; {machine()}; load average {run.loads[0]:.2f} before, "
        f"{run.loads[-1]:.2f} after (the machine is shared).",
        "",
        f"- Served by gunicorn with {s.workers} sync workers (2 × cores + 1), as "
        '`gunicorn "app:create_app()"` runs in production, on SQLite built by `flask db upgrade`.',
        f"- Driven by wrk with {s.threads} threads and {s.connections} connections for "
        f"{s.duration} s per row after a {s.warmup} s warm-up; each request is picked at random "
        "from the prepared ones (bench/lua/requests.lua).",
        f"- Main set: {sizes['main']:,} assessments ({sizes['cities']} cities × "
        f"{sizes['rounds']} rounds: the earlier rounds approved, the latest ones submitted, "
        "approved or, in one city in ten, still a draft). "
        f"Reads rotate over {OFFICIALS_USED} officials' own submitted assessments; a submission "
        "files a whole assessment with `submit: true`, adding a row each time.",
        "- The floor is a do-nothing Flask route (bench/noop_app.py) served the same way and "
        "measured just before and just after each row: a row's ratio is its req/s over the mean "
        "of those two, so the load that other work puts on the machine cancels out. Floors "
        f"measured: {min(floors, default=0):.0f} to {max(floors, default=0):.0f} req/s.",
        "- CPU ms is the CPU time (user and system) the workers spent per request during the "
        "measured run, read from /proc: it moves far less with the machine's other load than "
        f"req/s does. The floor's: {_fmt(floor_cpu, 3)} ms.",
        "",
        "| what | req/s | p50 ms | p99 ms | CPU ms | floor req/s | ratio to floor | target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for f in run.figures:
        if f.skipped:
            rows.append(f"| {f.name} | | | | | | | | {f.skipped} |")
            continue
        target = f"≥ {f.target}" if f.target is not None else ""
        errors = f" ({f.errors} errors)" if f.errors else ""
        rows.append(
            f"| {f.name} | {f.rps:.1f} | {f.p50_ms:.2f} | {f.p99_ms:.2f} | {_fmt(f.cpu_ms, 3)} | "
            f"{_fmt(f.floor, 0)} | {_fmt(f.ratio)} | {target} | {_verdict(f.met)}{errors} |"
        )
    rows += [
        "",
        f"## Growth: the admin pages with {sizes['large']:,} assessments against "
        f"{sizes['small']:,}",
        "",
    ]
    if run.growth:
        rows += [
            "Both servers up at once, measured alternately twice; the figures are the means.",
            "",
            f"| page | {sizes['small']:,}: p50 ms (req/s) | {sizes['large']:,}: p50 ms (req/s) "
            f"| time ratio | CPU ms, {sizes['small']:,} → {sizes['large']:,} | target | |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, small, large in run.growth:
            ratio = large.p50_ms / small.p50_ms
            rows.append(
                f"| {name} | {small.p50_ms:.2f} ({small.rps:.0f}) | {large.p50_ms:.2f} "
                f"({large.rps:.0f}) | {ratio:.2f} | {_fmt(small.cpu_ms, 3)} → "
                f"{_fmt(large.cpu_ms, 3)} | ≤ 1.5 | {_verdict(ratio <= 1.5)} |"
            )
    rows += ["", "## CSV export: the worker's peak memory", ""]
    if len(run.memory) == 2:
        rows += [
            "One gunicorn worker; its RSS high-water mark is reset through /proc before the "
            "export and read after it (bench/memory.py).",
            "",
            "| export | status | bytes | seconds | peak RSS growth MiB |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, m in run.memory:
            rows.append(
                f"| {name} | {m.status} | {m.body_bytes:,} | {m.seconds:.2f} | {m.growth_mib:.1f} |"
            )
        extra = run.memory[1][1].growth_mib - run.memory[0][1].growth_mib
        rows += [
            "",
            f"Growth of the large export over the small one: {extra:.1f} MiB "
            f"(target < 30): {_verdict(extra < 30)}.",
        ]
    if run.notes:
        rows += ["", *[f"- {note}" for note in dict.fromkeys(run.notes)]]
    return "\n".join(rows) + "\n"


def write_results(text: str) -> None:
    kept = ""
    if RESULTS.exists() and NOTES_MARKER in RESULTS.read_text():
        kept = RESULTS.read_text().split(NOTES_MARKER, 1)[1]
    RESULTS.write_text(text + "\n" + NOTES_MARKER + (kept or "\n"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row")
    parser.add_argument(
        "--warmup", type=int, default=20, help="seconds of load before each row, to fill caches"
    )
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--port", type=int, default=5600, help="first of seven ports used")
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print, leave results.md alone")
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (scripts/bench.sh does this as root)")
    busy = [p for p in range(args.port, args.port + 7) if not port_is_free(p)]
    if busy:
        sys.exit(f"ports in use: {busy}; pick others with --port")
    with tempfile.TemporaryDirectory(prefix="cityready-bench-") as work:
        settings = Settings(
            args.duration,
            args.warmup,
            args.connections,
            args.threads,
            args.workers,
            args.port,
            Path(work),
        )
        run = Run(settings)
        run.loads.append(os.getloadavg()[0])
        main_db, main_seeded = seed_set(Path(work), "main", args.cities, args.rounds)
        main_set(run, main_db, main_seeded)
        sizes = {
            "main": main_seeded.assessments,
            "cities": args.cities,
            "rounds": args.rounds,
            "small": args.small,
            "large": args.large,
        }
        if all(f.skipped for f in run.figures if f.name in dict(ADMIN_PAGES)):
            # Seeding 10,000 assessments takes many minutes: only when there is a page to grow.
            run.notes.append("No admin page is on main yet, so the growth sets were not seeded.")
        else:
            small_db, _ = seed_set(Path(work), "small", args.small // args.rounds, args.rounds)
            large_db, _ = seed_set(Path(work), "large", args.large // args.rounds, args.rounds)
            growth_sets(run, small_db, large_db, (args.small, args.large))
        run.loads.append(os.getloadavg()[0])
        text = report(run, sizes)
    print()
    print(text)
    if not args.no_write:
        write_results(text)
        print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
