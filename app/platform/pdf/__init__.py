"""PDF documents for the blueprints that print: HTML from their templates in, PDF out.

Not a blueprint. WeasyPrint runs in one warm worker process per app process; a render that
runs past ``PDF_RENDER_TIMEOUT`` seconds, sending the job included, is killed with its worker
(the next render starts a fresh one) and answered 503, as is a machine where WeasyPrint cannot
run. The same HTML is never rendered twice in a row: a small per-app cache keyed by the HTML's
digest answers repeats, so a submitted report, whose HTML no longer changes, is laid out once.
One person has one render at a time (``render_slot``): a second is a 429 at once.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import select
import subprocess  # starts our own renderer module, below  # nosec B404
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import Flask, current_app, url_for
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests
from werkzeug.wrappers import Response

from app.platform.caching import LockedLRU
from app.platform.pdf.job import JOB, PDF, RenderJob, frame, read_frame

RETRY_AFTER_SECONDS = 30


class PdfUnavailable(Exception):
    """No PDF could be made: the render overran its time limit, or WeasyPrint cannot run here."""


class RenderTimedOut(PdfUnavailable):
    """The render, or sending it its job, overran ``PDF_RENDER_TIMEOUT``: the document is too
    long for the limit, or the renderer hangs; WeasyPrint itself works."""


class RenderInProgress(TooManyRequests):
    """The person asking already has a document being produced."""

    description = "A document you asked for is still being produced; try again when it is done."


class RenderWorker:
    """One rendering process (``python -m app.platform.pdf``) per app process, started when
    first needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _started(self) -> tuple[IO[bytes], IO[bytes]]:
        """The pipes of a running worker: (jobs, replies)."""
        if self._process is None or self._process.poll() is not None:
            self.stop()
            self._process = subprocess.Popen(  # noqa: S603 - own module, no shell  # nosec B603
                [sys.executable, "-m", "app.platform.pdf"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        jobs, replies = self._process.stdin, self._process.stdout
        if jobs is None or replies is None:  # pragma: no cover - Popen was asked for both
            raise OSError("the rendering process has no pipes")
        return jobs, replies

    def stop(self) -> None:
        """Kill the worker, e.g. mid-render at the deadline; the next render starts a new one."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
        self._process = None

    def render(self, job: RenderJob, timeout: float) -> bytes:
        """Return the PDF, or raise PdfUnavailable when it is not ready within ``timeout``."""
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=timeout):
            raise RenderTimedOut(f"another document was still rendering after {timeout:g} s")
        try:
            jobs, replies = self._started()
            if not (
                _send_by(jobs, frame(JOB, job.encode()), deadline)
                and select.select([replies], [], [], max(0.0, deadline - time.monotonic()))[0]
            ):
                self.stop()
                raise RenderTimedOut(f"rendering took longer than {timeout:g} s and was stopped")
            kind, payload = read_frame(replies)
        except (EOFError, OSError, ValueError) as error:
            self.stop()
            raise PdfUnavailable(f"the rendering process stopped ({error})") from error
        finally:
            self._lock.release()
        if kind != PDF:
            raise PdfUnavailable(payload.decode(errors="replace"))
        return payload


def _send_by(jobs: IO[bytes], data: bytes, deadline: float) -> bool:
    """Write ``data`` to the renderer's pipe; False if it stops reading before the deadline.

    A pipe holds 64 KiB and a questionnaire's HTML is more, so a renderer that hangs would block
    a plain write forever. Writes of at most ``PIPE_BUF`` bytes to a writable pipe never block.
    """
    descriptor, sent = jobs.fileno(), 0
    while sent < len(data):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([], [descriptor], [], left)[1]:
            return False
        sent += os.write(descriptor, data[sent : sent + select.PIPE_BUF])
    return True


renderer = RenderWorker()
atexit.register(renderer.stop)


@contextmanager
def render_slot(holder: str) -> Iterator[None]:
    """Hold ``holder``'s one render at a time, across workers; a second at the same moment is
    refused with 429 and Retry-After at once, rather than tying up another worker.

    With a shared store (``RATELIMIT_STORAGE_URI``, Redis) the slot holds across servers too,
    and frees itself after the render's time limit if its worker dies. On the embedded default (``memory://``,
    one machine) it is a lock file in the instance folder, which every worker on the machine
    sees and the kernel frees with a worker that dies.
    """
    timeout = int(current_app.config["PDF_RENDER_TIMEOUT"]) + 1
    shared: Storage | None = current_app.extensions["cityready_render_slots"]
    if shared is not None and current_app.config["RATELIMIT_ENABLED"]:
        key = f"pdf-render/{holder}"
        if shared.incr(key, expiry=timeout) > 1:
            raise RenderInProgress(retry_after=timeout)
        try:
            yield
        finally:
            shared.clear(key)
        return
    folder = Path(current_app.instance_path) / "pdf-render-slots"
    folder.mkdir(parents=True, exist_ok=True)
    # One deployment is one database: apps on other databases (tests side by side) never share.
    database = str(current_app.config["SQLALCHEMY_DATABASE_URI"])
    name = hashlib.sha256(f"{database}|{holder}".encode()).hexdigest()
    with open(folder / name, "ab") as slot:
        try:
            fcntl.flock(slot, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderInProgress(retry_after=timeout) from None
        try:
            yield
        finally:
            fcntl.flock(slot, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    # The most recent PDFs by the digest of their HTML.
    app.extensions["cityready_pdf_cache"] = LockedLRU(int(app.config["PDF_CACHE_ENTRIES"]))
    # The store of the `limits` library, without Flask-Limiter: no route has a rate limit of its
    # own, and Flask-Limiter's hooks would cost every request a check for none.
    shared = str(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["cityready_render_slots"] = (
        None if shared.startswith("memory") else storage_from_string(shared)
    )


def render_pdf(html: str, *, keep: bool = True) -> bytes:
    """Turn HTML made by this app's templates into PDF, or raise a 503 that says why not.

    ``keep=False`` for HTML that is never the same twice: it would only push others out of the
    cache.
    """
    key = hashlib.sha256(html.encode()).hexdigest()
    cache: LockedLRU = current_app.extensions["cityready_pdf_cache"]
    if keep and (cached := cache.get(key)) is not None:
        return cached
    job = RenderJob(
        html=html,
        static_folder=str(current_app.static_folder),
        static_path=url_for("static", filename=""),
    )
    try:
        pdf = renderer.render(job, float(current_app.config["PDF_RENDER_TIMEOUT"]))
    except RenderTimedOut as error:
        current_app.logger.error(
            "PDF not produced: %s (PDF_RENDER_TIMEOUT); the renderer was stopped and starts "
            "afresh. If documents this long are expected, raise PDF_RENDER_TIMEOUT (below "
            "gunicorn's --timeout).",
            error,
        )
        raise ServiceUnavailable(
            f"The PDF could not be produced: {error}.", retry_after=RETRY_AFTER_SECONDS
        ) from error
    except PdfUnavailable as error:
        current_app.logger.error(
            "PDF not produced: %s. PDFs need WeasyPrint with Pango and a CJK font "
            "(Debian: libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei).",
            error,
        )
        raise ServiceUnavailable(
            f"The PDF could not be produced: {error}.", retry_after=RETRY_AFTER_SECONDS
        ) from error
    if keep:
        cache.set(key, pdf)
    return pdf


def pdf_response(pdf: bytes, filename: str) -> Response:
    """Send a PDF for viewing in the browser (app.web.headers keeps it out of every cache)."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
