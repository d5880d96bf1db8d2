"""Reports rendered before anyone asks: a submission's PDF is stored in the background, a
download is served from storage (or waits a bounded time, then 503), and a render that fails
or whose worker died is tried again and logged. HTTP validators answer 304 while nothing that
a page shows has changed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_babel import get_locale

from app.assessments.workflow import approve_assessment
from app.extensions import db
from app.models import Assessment, City, StoredDocument, Target, User, utcnow
from app.platform import jobs
from app.reports import documents
from tests.conftest import PASSWORD, bearer

REDIS = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"DOCUMENTS_AHEAD": True}


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.05)


def use_builder(
    monkeypatch: pytest.MonkeyPatch, build: Callable[[Assessment], bytes], kind: str = "pdf"
) -> None:
    """Build ``kind`` with ``build``, and every other kind with a quick stand-in."""
    for name, found in documents.KINDS.items():
        builder = build if name == kind else lambda _assessment: b"stand-in"
        monkeypatch.setitem(documents.KINDS, name, replace(found, build=builder))


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """A quick stand-in for WeasyPrint that records each (assessment, language) it renders."""
    renders: list[tuple[int, str]] = []

    def build(assessment: Assessment) -> bytes:
        language = str(get_locale())
        renders.append((assessment.id, language))
        return f"%PDF-fake {language}".encode()

    use_builder(monkeypatch, build)
    return renders


def stored(app: Flask, kind: str = "pdf") -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(StoredDocument.language, StoredDocument.status).where(
                StoredDocument.kind == kind
            )
        )
        return sorted((language, status) for language, status in rows)


def test_a_submission_renders_its_pdf_before_anyone_asks(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    built: list[tuple[int, str]],
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    wait_until(lambda: stored(app) == [("en", "done"), ("zh", "done")])
    assert sorted(built) == [(assessment_id, "en"), (assessment_id, "zh")]
    url = f"/assessments/{assessment_id}/report.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == b"%PDF-fake en"
    # Not ?lang=zh: that saves the choice on the account, a write that moves the version.
    assert client.get(url, headers={"Accept-Language": "zh"}).data == b"%PDF-fake zh"
    assert len(built) == 2, "served from storage, not rendered again"
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_change_to_what_the_report_shows_renders_it_again(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    make_city: Callable[..., int],
    built: list[tuple[int, str]],
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    wait_until(lambda: len(built) == 2)
    first = client.get(f"/assessments/{assessment_id}/report.pdf").headers["ETag"]
    make_city("宁波 Ningbo")  # a new peer city: the report's version moves
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["ETag"] != first
    assert len(built) == 3
    # The older English copy is gone; the Chinese one goes when it is next rendered.
    assert stored(app) == [("en", "done"), ("zh", "done")]


def test_while_the_pdf_is_made_the_page_says_so_and_the_download_is_a_prompt_503(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def slow(assessment: Assessment) -> bytes:
        release.wait(30)
        return b"%PDF-slow"

    use_builder(monkeypatch, slow)
    app.config["DOCUMENT_WAIT_SECONDS"] = 0.5
    assessment_id = make_assessment(official, "3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report")
    assert b"The PDF of this report is being prepared" in page.data
    started = time.monotonic()
    refused = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < 5, "waits its bounded time, not for the render"
    release.set()
    wait_until(lambda: client.get(f"/assessments/{assessment_id}/report.pdf").status_code == 200)
    page = client.get(f"/assessments/{assessment_id}/report")
    assert b"being prepared" not in page.data


def test_a_render_that_fails_is_tried_again_and_logged(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failed_once: set[str] = set()

    def flaky(assessment: Assessment) -> bytes:
        language = str(get_locale())
        if language not in failed_once:
            failed_once.add(language)
            raise RuntimeError("the renderer fell over")
        return b"%PDF-second-try"

    use_builder(monkeypatch, flaky)
    assessment_id = make_assessment(official, "3", submit=True)
    assert client.get(f"/assessments/{assessment_id}/report.pdf").data == b"%PDF-second-try"
    logged = [record.getMessage() for record in caplog.records]
    assert any("failed on attempt 1 (the renderer fell over); trying again" in m for m in logged)


def test_a_render_that_keeps_failing_is_a_503_that_says_why(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(assessment: Assessment) -> bytes:
        raise RuntimeError("no fonts")

    use_builder(monkeypatch, broken)
    assessment_id = make_assessment(official, "3", submit=True)
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 503
    assert b"could not be produced" in response.data
    assert response.headers["Retry-After"]
    logged = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("failed 3 times (no fonts)" in message for message in logged)


def test_a_render_whose_worker_was_killed_is_rendered_again(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    built: list[tuple[int, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with monkeypatch.context() as lost:
        lost.setattr(jobs, "enqueue", lambda *args: None)  # the job dies with its worker
        assessment_id = make_assessment(official, "3", submit=True)
    with app.app_context():
        db.session.execute(
            sa.update(StoredDocument).values(
                status=documents.RENDERING, updated_at=utcnow() - timedelta(hours=1)
            )
        )
        db.session.commit()
    assert built == []
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200 and response.data == b"%PDF-fake en"
    logged = [record.getMessage() for record in caplog.records]
    assert any("its worker stopped); rendering it again" in message for message in logged)


def test_the_report_page_and_the_api_read_answer_304_until_something_changes(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    make_assessment: Callable[..., int],
    make_city: Callable[..., int],
    built: list[tuple[int, str]],
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    wait_until(lambda: len(built) == 2)
    reads: list[tuple[str, dict[str, str]]] = [
        (f"/assessments/{assessment_id}/report", {}),
        (f"/api/v1/assessments/{assessment_id}", bearer(official_token)),
    ]
    tags = []
    for url, headers in reads:
        first = client.get(url, headers=headers)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "private, no-cache"
        tag = first.headers["ETag"]
        unchanged = client.get(url, headers={**headers, "If-None-Match": tag})
        assert unchanged.status_code == 304 and unchanged.data == b""
        tags.append(tag)
    make_city("宁波 Ningbo")
    for (url, headers), tag in zip(reads, tags, strict=True):
        assert client.get(url, headers={**headers, "If-None-Match": tag}).status_code == 200


def test_a_draft_has_no_etag_and_is_never_stored(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, "3")
    assert "ETag" not in client.get(f"/assessments/{assessment_id}/report").headers
    assert stored(app) == []


def test_the_worker_command_needs_a_queue(runner: Any) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "JOB_QUEUE_URL is not set" in result.output


@pytest.mark.skipif(not REDIS, reason="needs TEST_REDIS_URL")
@pytest.mark.parametrize("app_config", [{"DOCUMENTS_AHEAD": True, "JOB_QUEUE_URL": REDIS}])
def test_with_redis_the_render_waits_on_the_queue_for_a_worker(
    app: Flask,
    client: FlaskClient,
    runner: Any,
    official: int,
    make_assessment: Callable[..., int],
    built: list[tuple[int, str]],
) -> None:
    from redis import Redis

    Redis.from_url(REDIS).delete(f"rq:queue:{jobs.QUEUE_NAME}")
    assessment_id = make_assessment(official, "3", submit=True)
    assert stored(app) == [("en", "queued"), ("zh", "queued")]
    assert built == [], "nothing rendered in the app process"
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert stored(app) == [("en", "done"), ("zh", "done")]
    assert client.get(f"/assessments/{assessment_id}/report.pdf").data == b"%PDF-fake en"


@pytest.mark.parametrize(
    "app_config", [{"DOCUMENTS_AHEAD": True, "TRUSTED_HOSTS": ["cityready.example"]}]
)
def test_a_background_render_builds_its_links_on_a_host_the_app_trusts(
    app: Flask,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def with_links(assessment: Assessment) -> bytes:
        return url_for("static", filename="app.css").encode()

    use_builder(monkeypatch, with_links)
    make_assessment(make_user(), "3", submit=True)
    wait_until(lambda: stored(app) == [("en", "done"), ("zh", "done")])


@pytest.fixture
def other_city(app: Flask, make_user: Callable[..., int]) -> int:
    """An official of a second city, made before the first city's report is rendered."""
    return make_user("official@ningbo.example")


def renders_of(built: list[tuple[int, str]], assessment_id: int) -> int:
    return sum(1 for rendered, _language in built if rendered == assessment_id)


def test_writes_in_another_city_leave_the_stored_pdf_current(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    other_city: int,
    make_assessment: Callable[..., int],
    built: list[tuple[int, str]],
) -> None:
    assessment_id = make_assessment(official, "3", submit=True)
    wait_until(lambda: stored(app) == [("en", "done"), ("zh", "done")])
    reads = [
        (f"/assessments/{assessment_id}/report.pdf", {}),
        (f"/assessments/{assessment_id}/report", {}),
        (f"/api/v1/assessments/{assessment_id}", bearer(official_token)),
    ]
    tags = [client.get(url, headers=headers).headers["ETag"] for url, headers in reads]
    # The other city's official saves a language, keeps a draft, then files a second round.
    neighbour = app.test_client()
    neighbour.post("/login", data={"email": "official@ningbo.example", "password": PASSWORD})
    assert neighbour.get("/assessments?lang=zh").status_code == 200
    make_assessment(other_city, "2")
    filed = make_assessment(other_city, "4", submit=True)
    wait_until(lambda: renders_of(built, filed) == 2)
    for (url, headers), tag in zip(reads, tags, strict=True):
        assert client.get(url, headers={**headers, "If-None-Match": tag}).status_code == 304, url
    download = client.get(reads[0][0])
    assert download.status_code == 200 and download.data == b"%PDF-fake en"
    assert renders_of(built, assessment_id) == 2, "served from storage, not rendered again"


@pytest.mark.parametrize("change", ["peer approved", "own target", "peer renamed"])
def test_what_the_report_shows_from_anywhere_makes_its_pdf_stale(
    app: Flask,
    client: FlaskClient,
    official: int,
    other_city: int,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    built: list[tuple[int, str]],
    change: str,
) -> None:
    reviewer_id = make_user("admin@x.example", role="admin")
    peer = make_assessment(other_city, "4", submit=True)
    assessment_id = make_assessment(official, "3", submit=True)
    url = f"/assessments/{assessment_id}/report.pdf"

    def approve_peer() -> None:
        with app.app_context():
            reviewer = db.session.get_one(User, reviewer_id)
            approve_assessment(db.session.get_one(Assessment, peer), reviewer)
            db.session.commit()

    if change == "peer renamed":  # a peer the report shows, by name, to admins
        approve_peer()
    wait_until(lambda: renders_of(built, assessment_id) >= 2)
    first = client.get(url).headers["ETag"]
    renders = renders_of(built, assessment_id)
    with app.app_context():
        if change == "peer approved":
            approve_peer()
        elif change == "own target":
            own_city = db.session.get_one(User, official).city_id
            db.session.add(Target(city_id=own_city, scope="planning", level=5))
            db.session.commit()
        else:
            db.session.get_one(City, db.session.get_one(User, other_city).city_id).name = "改名"
            db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["ETag"] != first
    assert renders_of(built, assessment_id) > renders


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_submission_stores_its_word_report_ahead_for_the_site_and_the_api(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renders: list[str] = []

    def build(assessment: Assessment) -> bytes:
        renders.append(str(get_locale()))
        return f"PK-fake {get_locale()}".encode()

    use_builder(monkeypatch, build, kind="docx")
    assessment_id = make_assessment(official, "3", submit=True)
    wait_until(lambda: stored(app, "docx") == [("en", "done"), ("zh", "done")])
    assert sorted(renders) == ["en", "zh"]
    site = client.get(f"/assessments/{assessment_id}/report.docx")
    assert site.status_code == 200 and site.data == b"PK-fake en"
    assert site.mimetype == DOCX
    assert site.headers["Content-Disposition"] == (
        f'attachment; filename="cityready-report-{assessment_id}.docx"'
    )
    api = client.get(
        f"/api/v1/assessments/{assessment_id}/report.docx", headers=bearer(official_token)
    )
    assert api.status_code == 200 and api.data == b"PK-fake en"
    chinese = client.get(
        f"/assessments/{assessment_id}/report.docx", headers={"Accept-Language": "zh"}
    )
    assert chinese.data == b"PK-fake zh"
    assert len(renders) == 2, "served from storage, not built again"
    again = client.get(
        f"/assessments/{assessment_id}/report.docx", headers={"If-None-Match": site.headers["ETag"]}
    )
    assert again.status_code == 304


def test_while_the_word_report_is_made_its_downloads_are_a_prompt_503(
    app: Flask,
    client: FlaskClient,
    official: int,
    official_token: str,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def slow(assessment: Assessment) -> bytes:
        release.wait(30)
        return b"PK-slow"

    use_builder(monkeypatch, slow, kind="docx")
    app.config["DOCUMENT_WAIT_SECONDS"] = 0.5
    assessment_id = make_assessment(official, "3", submit=True)
    for url, headers in (
        (f"/assessments/{assessment_id}/report.docx", {}),
        (f"/api/v1/assessments/{assessment_id}/report.docx", bearer(official_token)),
    ):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 503, url
        assert int(refused.headers["Retry-After"]) >= 1
    release.set()
    wait_until(lambda: client.get(f"/assessments/{assessment_id}/report.docx").status_code == 200)


def test_a_draft_word_report_is_built_when_asked_and_never_stored(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, "3")
    response = client.get(f"/assessments/{assessment_id}/report.docx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert "ETag" not in response.headers
    assert stored(app, "docx") == []
