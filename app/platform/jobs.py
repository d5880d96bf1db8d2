"""Background jobs: on an RQ queue when ``JOB_QUEUE_URL`` names a Redis, else on one thread in
each app process.

The embedded default needs nothing beside the app; with Redis, every server's jobs are served
by ``flask --app app worker`` processes wherever they run. A job is a registered name and
JSON-able arguments, run in an app context. What a job leaves half done is its own to retry
(it knows what an attempt wrote); this module runs it and logs what it raised.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

JOBS: dict[str, Callable[..., None]] = {}
"""Every job by name: a name on a queue can only ever run one of these."""

QUEUE_NAME = "cityready"
JOB_TIMEOUT_SECONDS = 120


def job(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a function as the job ``name``."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        JOBS[name] = function
        return function

    return register


def run(name: str, *args: Any) -> None:
    """Run one job in the current app context; what RQ's worker calls."""
    try:
        JOBS[name](*args)
    except Exception:
        current_app.logger.exception("background job %s%r failed", name, args)
        raise


def enqueue(name: str, *args: Any) -> None:
    """Run the job ``name`` soon, on the queue this app is configured with."""
    if name not in JOBS:
        raise KeyError(f"no job named {name!r}")
    if url := str(current_app.config["JOB_QUEUE_URL"]):
        _redis_queue(url).enqueue(run, name, *args, job_timeout=JOB_TIMEOUT_SECONDS)
    else:
        _local_worker(current_app._get_current_object()).put((name, args))  # type: ignore[attr-defined]


def _redis_queue(url: str) -> Any:
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def work(app: Flask, burst: bool = False) -> None:
    """Serve the Redis queue until stopped (or, with ``burst``, until it is empty), in this
    process and this app context.

    RQ's SimpleWorker runs each job in the worker's own process, so the PDF renderer it starts
    stays warm from one job to the next.
    """
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(str(app.config["JOB_QUEUE_URL"]))
    SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(
        burst=burst
    )


class LocalWorker:
    """One daemon thread that runs the app's jobs in order; it starts with a job and ends after
    ``IDLE_SECONDS`` without one, so an idle app holds no thread."""

    IDLE_SECONDS = 30

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, item: tuple[str, tuple[Any, ...]]) -> None:
        with self.lock:
            self.jobs.put(item)
            if self.thread is None:
                self.thread = threading.Thread(target=self._serve, daemon=True)
                self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                name, args = self.jobs.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self.jobs.empty():
                        self.thread = None
                        return
                continue
            # run() has logged what failed; the thread goes on to the next job.
            with self.app.app_context(), contextlib.suppress(Exception):
                run(name, *args)
            self.jobs.task_done()

    def wait_until_idle(self, timeout: float) -> bool:
        """Whether every job put so far has finished within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.jobs.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.jobs.unfinished_tasks


def wait_until_idle(app: Flask, timeout: float) -> bool:
    """Whether this process's local jobs for ``app`` have all finished within ``timeout``
    seconds: before the app's database goes away, as at the end of a test."""
    worker = app.extensions.get(f"cityready_jobs_{os.getpid()}")
    return worker is None or worker.wait_until_idle(timeout)


def _local_worker(app: Flask) -> LocalWorker:
    # Keyed by process: a gunicorn worker forked from a preloaded app has no thread of its own.
    key = f"cityready_jobs_{os.getpid()}"
    return app.extensions.setdefault(key, LocalWorker(app))  # type: ignore[no-any-return]
