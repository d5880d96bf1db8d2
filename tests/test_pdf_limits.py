"""PDFs cannot tie up the app: one render per person at a time, a deadline that holds even
when the renderer stops reading, and log lines that name the real cause."""

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

from app.platform import pdf
from tests.conftest import bearer

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
    # Two copies are about 130 KB of HTML, twice what the renderer's pipe holds.
    response = client.get("/paper/questionnaire.pdf?copies=2")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert time.monotonic() - started < 3
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
    assessment_id = make_assessment(official_account, "3", submit=True)
    started = time.monotonic()
    response = client.get(
        f"/api/v1/assessments/{assessment_id}/report.pdf", headers=bearer(official_token)
    )
    assert response.status_code == 503
    assert "could not be produced" in response.get_json()["errors"]["request"]
    assert time.monotonic() - started < 3


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
    app: Flask, client: FlaskClient, official: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.paper.views.render_pdf", lambda html: FAKE_PDF)
    with render_under_way(app, official):
        started = time.monotonic()
        refused = client.get("/paper/questionnaire.pdf?copies=3")
        assert time.monotonic() - started < 1
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert "still being produced" in refused.get_data(as_text=True)
    with render_under_way(app, official + 1):
        assert client.get("/paper/questionnaire.pdf").data == FAKE_PDF, "another's render"
    assert client.get("/paper/questionnaire.pdf").data == FAKE_PDF
    # The slot is freed after each render.
    assert client.get("/paper/questionnaire.pdf").data == FAKE_PDF


def test_the_api_refuses_a_second_report_render_in_json(
    app: Flask,
    client: FlaskClient,
    official_token: str,
    official_account: int,
    make_assessment: Callable[..., int],
) -> None:
    url = f"/api/v1/assessments/{make_assessment(official_account, '3', submit=True)}/report.pdf"
    with render_under_way(app, official_account):
        refused = client.get(url, headers=bearer(official_token))
    assert refused.status_code == 429
    assert "still being produced" in refused.get_json()["errors"]["request"]
