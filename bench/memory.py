"""Measure how much a gunicorn worker's resident memory grows while it answers one request,
and how much CPU the workers spend.

Linux only: it reads the worker's RSS from /proc and resets its high-water mark through
/proc/PID/clear_refs, so the peak it reports belongs to that one request and nothing before.

Usage against a running server (one worker, so the request lands in the process measured):
    python -m bench.memory MASTER_PID URL_PATH [--base http://127.0.0.1:5600] [--header 'K: V']
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import fetch


@dataclass(frozen=True)
class PeakGrowth:
    status: int
    body_bytes: int
    seconds: float
    rss_before_kib: int
    peak_kib: int

    @property
    def growth_mib(self) -> float:
        return (self.peak_kib - self.rss_before_kib) / 1024


def workers_of(master_pid: int) -> list[int]:
    """The gunicorn worker processes: the master's children."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == master_pid:
            children.append(int(stat.parent.name))
    return children


def cpu_seconds(master_pid: int) -> float:
    """The CPU time, user and system, that the master's workers have used so far."""
    ticks = 0
    for worker in workers_of(master_pid):
        try:
            fields = Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a worker restarted meanwhile
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def peak_growth(master_pid: int, base: str, path: str, headers: dict[str, str]) -> PeakGrowth:
    """Answer the request once to warm the worker, then measure a second answer's peak RSS."""
    workers = workers_of(master_pid)
    if len(workers) != 1:
        raise RuntimeError(f"measure with exactly one worker, found {len(workers)}")
    worker = workers[0]
    fetch(base, path, headers=headers)
    rss_before = _status_kib(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # 5 resets VmHWM to the current RSS
    started = time.perf_counter()
    status, _, body = fetch(base, path, headers=headers)
    seconds = time.perf_counter() - started
    return PeakGrowth(status, len(body), seconds, rss_before, _status_kib(worker, "VmHWM"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("master_pid", type=int)
    parser.add_argument("path")
    parser.add_argument("--base", default="http://127.0.0.1:5600")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    result = peak_growth(args.master_pid, args.base, args.path, headers)
    print(
        f"{result.status} {result.body_bytes} bytes in {result.seconds:.2f} s; "
        f"peak RSS growth {result.growth_mib:.1f} MiB"
    )


if __name__ == "__main__":
    main()
