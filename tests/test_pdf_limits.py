"""PDFs cannot tie up the app: one render per person at a time, a deadline that holds even
when the renderer stops reading, and log lines that name the real cause.

These are the PDFs rendered while the request waits: drafts' reports and the paper
questionnaire. A submitted report is rendered in the background and served from storage
(tests/test_documents.py)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.platform import pdf
from tests.conftest import bearer
from tests.test_paper import FORM_ID, pages_text

FAKE_PDF = b"%PDF-1.7 fake"


@pytest.fixture
def stalled_renderer(app: Flask) -> Iterator[subprocess.Popen[bytes]]:
    """A renderer that is alive but never reads its jobs, like a WeasyPrint stopped mid-way."""
    app.config["PDF_RENDER_TIMEOUT"] = 1
    pdf.renderer.stop()
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    pdf.renderer._process = process
    yield process
    pdf.renderer.stop()


def test_a_renderer_that_stops_reading_is_stopped_at_the_deadline(
    client: FlaskClient,
    official: int,
    stalled_renderer: subprocess.Popen[bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = time.monotonic()
    # The questionnaire's HTML is more than the renderer's pipe holds (64 KiB).
    response = client.get("/paper/questionnaire.pdf?copies=2")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    # Stopped at the 1 s deadline, not left blocked; the margin is for a loaded machine.
    assert time.monotonic() - started < 8
    assert stalled_renderer.poll() is not None, "the hung renderer is killed"
    [logged] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "PDF_RENDER_TIMEOUT" in logged and "Pango" not in logged


def test_the_api_answers_a_stalled_render_with_json_503(
    client: FlaskClient,
    official_token: str,
    make_assessment: Callable[..., int],
    official_account: int,
    stalled_renderer: subprocess.Popen[bytes],
) -> None:
    assessment_id = make_assessment(official_account, "3")
    started = time.monotonic()
    response = client.get(
        f"/api/v1/assessments/{assessment_id}/report.pdf", headers=bearer(official_token)
    )
    assert response.status_code == 503
    assert "could not be produced" in response.get_json()["errors"]["request"]
    # Stopped at the 1 s deadline, not left blocked; the margin is for a loaded machine.
    assert time.monotonic() - started < 8


@contextmanager
def render_under_way(app: Flask, user_id: int) -> Iterator[None]:
    """A render of ``user_id``'s that holds its slot, as a slow one in another worker would."""
    with app.app_context():
        slot = pdf.render_slot(f"user-{user_id}")
        slot.__enter__()
    try:
        yield
    finally:
        with app.app_context():
            slot.__exit__(None, None, None)


def test_a_second_render_for_the_same_person_is_429_at_once(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.reports.documents.render_pdf", lambda html: FAKE_PDF)
    url = f"/assessments/{make_assessment(official, '3')}/report.pdf"
    with render_under_way(app, official):
        started = time.monotonic()
        refused = client.get(url)
        # Refused at once: the slot is held until the end of this block, so waiting for it
        # would never return. The margin is for a loaded machine.
        assert time.monotonic() - started < 5
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert "still being produced" in refused.get_data(as_text=True)
        assert client.get("/paper/questionnaire.pdf?copies=3").status_code == 429
    with render_under_way(app, official + 1):
        assert client.get(url).data == FAKE_PDF, "another's render"
    assert client.get(url).data == FAKE_PDF
    # The slot is freed after each render.
    assert client.get(url).data == FAKE_PDF


@pytest.mark.parametrize("app_config", [{}, {"RATELIMIT_ENABLED": False}])
def test_the_api_refuses_a_second_report_render_in_json(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_assessment: Callable[..., int],
) -> None:
    url = f"/api/v1/assessments/{make_assessment(official_account, '3')}/report.pdf"
    with render_under_way(app, official_account):
        refused = client.get(url, headers=bearer(official_token))
    assert refused.status_code == 429
    assert "still being produced" in refused.get_json()["errors"]["request"]


def test_the_questionnaire_is_laid_out_once_and_each_copy_gets_its_own_ids(
    client: FlaskClient, official: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    render = pdf.renderer.render
    monkeypatch.setattr(
        pdf.renderer,
        "render",
        lambda job, timeout: rendered.append(len(job.html)) or render(job, timeout),
    )
    copies: list[list[str]] = []
    for _ in range(2):
        response = client.get("/paper/questionnaire.pdf?copies=10")
        assert response.status_code == 200
        pages = pages_text(response.data)
        per_copy = len(pages) // 10
        for start in range(0, len(pages), per_copy):
            ids = {i for page in pages[start : start + per_copy] for i in FORM_ID.findall(page)}
            assert len(ids) == 1, "one id on every page of a copy"
            copies.append(sorted(ids))
    assert len({i for [i] in copies}) == 20, "every printed id differs"
    # The questionnaire (tens of kilobytes of HTML) once; then only the small pages of ids.
    big, *small = rendered
    assert len(small) == 2 and all(size < big / 4 for size in small)


def test_a_render_in_another_worker_holds_the_slot_on_the_embedded_default(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each gunicorn worker builds its own app: with ``memory://`` the slot must still be one
    per person on the machine, not one per worker."""
    monkeypatch.setattr("app.reports.documents.render_pdf", lambda html: FAKE_PDF)
    url = f"/assessments/{make_assessment(official, '3')}/report.pdf"
    other_worker = create_app({**app.config, "RATELIMIT_STORAGE_URI": "memory://"})
    with render_under_way(other_worker, official):
        assert client.get(url).status_code == 429
    assert client.get(url).data == FAKE_PDF
