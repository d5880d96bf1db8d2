"""Two app servers behind one (pretend) proxy, sharing one PostgreSQL database and one Redis:
what one writes the other serves, an evidence file uploaded through one is downloaded through
the other, a session from one works on the other, the sign-in throttle counts the failures made
on both, and a report a job worker rendered is downloaded from either. Needs TEST_DATABASE_URL
and TEST_REDIS_URL."""

from __future__ import annotations

import os
import secrets
import subprocess  # nosec B404
import sys
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.live_servers import (
    Client,
    Server,
    fresh_database,
    full_answers,
    location_path,
    migrate,
    running,
    seed_officials,
    server_environment,
)

DATABASE = os.environ.get("TEST_DATABASE_URL", "")
REDIS = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.scale_out,
    pytest.mark.skipif(
        not (DATABASE.startswith("postgresql") and REDIS),
        reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL: two servers share them",
    ),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, str, str]]:
    """Servers A and B (two workers each) on free ports: one database, one Redis, one secret."""
    tmp_path = tmp_path_factory.mktemp("scale_out")
    with fresh_database(tmp_path, "scale_out") as url:
        env = server_environment(
            url,
            SECRET_KEY=secrets.token_hex(32),
            RATELIMIT_STORAGE_URI=REDIS,
            # As behind a reverse proxy: the client's address comes from X-Forwarded-For.
            PROXY_FIX_HOPS="1",
            JOB_QUEUE_URL=REDIS,
        )
        migrate(env)
        (official,) = seed_officials(url, 1)
        with (
            running(env, tmp_path / "a.log", workers=2) as a,
            running(env, tmp_path / "b.log", workers=2) as b,
            (tmp_path / "worker.log").open("wb") as worker_log,
        ):
            assert a.port != b.port
            worker = subprocess.Popen(  # noqa: S603  # nosec B603
                [sys.executable, "-m", "flask", "--app", "app", "worker"],
                env=env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
            try:
                yield a, b, official, url
            finally:
                worker.terminate()
                worker.wait(30)


def an_address() -> str:
    """A client address of this run's own, so Redis counts from earlier runs never mix in."""
    return "10." + ".".join(str(1 + secrets.randbelow(254)) for _ in range(3))


def test_what_one_server_writes_the_other_serves(servers: tuple[Server, Server, str, str]) -> None:
    a, b, official, _ = servers
    on_a, on_b = Client(a, an_address()), Client(b, an_address())
    on_a.issue_token(official)
    on_b.token = on_a.token  # a token issued by A is good on B: it lives in the database
    answers = {q: {"value": v} for q, v in full_answers().items()}
    filed = on_a.request("POST", "/api/v1/assessments", body={"answers": answers, "submit": True})
    assert filed.status == 201, filed.text
    shown = on_b.request("GET", f"/api/v1/assessments/{filed.json()['id']}")
    assert shown.status == 200
    assert shown.json()["status"] == "submitted"
    assert shown.json()["scores"] == filed.json()["scores"]


def test_a_file_uploaded_through_one_server_is_downloaded_through_the_other(
    servers: tuple[Server, Server, str, str],
) -> None:
    a, b, official, _ = servers
    on_a, on_b = Client(a, an_address()), Client(b, an_address())
    on_a.issue_token(official)
    on_b.token = on_a.token
    draft = on_a.request("POST", "/api/v1/assessments", body={"answers": {}, "submit": False})
    assert draft.status == 201, draft.text
    document = b"%PDF-1.4\n" + secrets.token_bytes(64 * 1024) + b"\n%%EOF\n"
    boundary = secrets.token_hex(16)
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="question_id"\r\n\r\n'
            "planning.top_level_design\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + document
        + f"\r\n--{boundary}--\r\n".encode()
    )
    uploaded = on_a.request(
        "POST",
        f"/api/v1/assessments/{draft.json()['id']}/evidence",
        raw=(multipart, f"multipart/form-data; boundary={boundary}"),
    )
    assert uploaded.status == 201, uploaded.text
    downloaded = on_b.request("GET", f"/api/v1/evidence/{uploaded.json()['id']}")
    assert downloaded.status == 200
    assert downloaded.body == document


def test_a_session_made_on_one_server_works_on_the_other(
    servers: tuple[Server, Server, str, str],
) -> None:
    a, b, official, _ = servers
    browser = Client(a, an_address())
    assert browser.sign_in(official).status == 302
    csrf = browser.csrf_token("/assessments")
    started = browser.request("POST", "/assessments/new", form={"csrf_token": csrf})
    assert started.status == 302
    # The same browser, its next request balanced to B: same cookie, same CSRF token.
    browser.server = b
    draft = browser.request("GET", location_path(started))
    assert draft.status == 200
    assert official.encode() in draft.body
    cookie_before_sign_out = dict(browser.cookies)
    signed_out = browser.request("POST", "/logout", form={"csrf_token": csrf})
    assert location_path(signed_out) == "/login"
    # Sign-out on B ends the session on A too: the replayed old cookie loads no one.
    replay = Client(a, an_address())
    replay.cookies = cookie_before_sign_out
    answer = replay.request("GET", "/assessments")
    assert answer.status == 302 and location_path(answer) == "/login"


def test_the_sign_in_throttle_counts_failures_on_both_servers(
    servers: tuple[Server, Server, str, str],
) -> None:
    a, b, _, url = servers
    address = an_address()
    guessed = f"nobody-{secrets.token_hex(4)}@guess.example"
    per_account = 10  # LOGIN_LIMIT_PER_ACCOUNT: 10 per 15 minutes from one address
    for attempt in range(per_account):
        # Alternate servers; each has two workers, so per-process counts would allow 40.
        client = Client(a if attempt % 2 else b, address)
        assert client.sign_in(guessed, "wrong").status == 200
    for server in (a, b):
        refused = Client(server, address).sign_in(guessed, "wrong")
        assert refused.status == 429
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            logged = connection.execute(
                sa.text(
                    "SELECT email, detail, attempts FROM audit_event "
                    "WHERE action = 'sign_in_failed' AND ip = :ip ORDER BY id"
                ),
                {"ip": address},  # the client's, through the proxy's header
            ).all()
    finally:
        engine.dispose()
    # One row counts the failures, one the refusals.
    assert [tuple(row) for row in logged] == [(guessed, "", per_account), ("", "throttled", 2)]


def test_a_report_rendered_by_the_job_worker_is_downloaded_from_either_server(
    servers: tuple[Server, Server, str, str],
) -> None:
    a, b, official, url = servers
    on_a = Client(a, an_address())
    on_a.issue_token(official)
    answers = {q: {"value": v} for q, v in full_answers().items()}
    filed = on_a.request("POST", "/api/v1/assessments", body={"answers": answers, "submit": True})
    assert filed.status == 201, filed.text
    assessment_id = filed.json()["id"]
    engine = sa.create_engine(url)
    deadline = time.monotonic() + 120
    try:
        while True:
            with engine.connect() as connection:
                done = connection.execute(
                    sa.text(
                        "SELECT language FROM stored_document WHERE assessment_id = :id "
                        "AND kind = 'pdf' AND status = 'done' ORDER BY language"
                    ),
                    {"id": assessment_id},
                ).scalars()
                if list(done) == ["en", "zh"]:
                    break
            assert time.monotonic() < deadline, "the worker rendered nothing in 120 s"
            time.sleep(0.5)
    finally:
        engine.dispose()
    on_b = Client(b, an_address())
    on_b.token = on_a.token
    path = f"/api/v1/assessments/{assessment_id}/report.pdf"
    started = time.monotonic()
    from_b = on_b.request("GET", path)
    assert from_b.status == 200 and from_b.body.startswith(b"%PDF")
    assert time.monotonic() - started < 5, "served from storage, not rendered"
    from_a = on_a.request("GET", path)
    assert from_a.body == from_b.body
    unchanged = on_a.request("GET", path, headers={"If-None-Match": from_b.headers["ETag"]})
    assert unchanged.status == 304
