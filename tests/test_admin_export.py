"""The CSV export of the submissions list: BOM, header, filters, no formula, streamed in batches."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.admin import queries as submissions
from app.admin.export import csv_chunks, neutralise
from app.extensions import content, db
from app.models import AuditEvent
from tests.conftest import bearer
from tests.test_performance import counting_statements

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.fixture
def exported(
    make_city: Callable[..., int],
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    admin: int,
) -> dict[str, int]:
    evil = make_user("official@evil.example", city_id=make_city(HYPERLINK))
    hangzhou = make_user("-official@hz.example", city_id=make_city("杭州 Hangzhou"))
    ids = {
        "evil": make_assessment(evil, "2", submit=True),
        "hangzhou": make_assessment(
            hangzhou, "4", submit=True, **{"planning.top_level_design": "dont_know"}
        ),
        "draft": make_assessment(hangzhou, None),
    }
    return ids


def rows_of(client: FlaskClient, query: str = "") -> list[list[str]]:
    response = client.get("/admin/assessments.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="cityready-')
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_has_a_bom_a_header_and_one_row_per_assessment(
    app: Flask, client: FlaskClient, exported: dict[str, int]
) -> None:
    header, *rows = rows_of(client)
    with app.app_context():
        question_ids = [q.id for q in content.current.questions()]
    assert header == [
        "id",
        "city",
        "status",
        "created_at",
        "submitted_at",
        "reviewed_at",
        "overall",
        "planning",
        "environment",
        "participation",
        "level",
        "verified_overall",
        "verified_level",
        *question_ids,
    ]
    assert [int(r[0]) for r in rows] == [exported["hangzhou"], exported["evil"], exported["draft"]]
    hangzhou = dict(zip(header, rows[0], strict=True))
    assert hangzhou["city"] == "杭州 Hangzhou"
    assert hangzhou["status"] == "submitted"
    assert hangzhou["submitted_at"].endswith("+00:00") and "T" in hangzhou["submitted_at"]
    assert hangzhou["reviewed_at"] == ""
    assert hangzhou["planning.top_level_design"] == "dont_know"
    assert hangzhou[question_ids[1]] == "4"
    draft = dict(zip(header, rows[2], strict=True))
    assert draft["overall"] == "" and draft[question_ids[0]] == ""


def test_no_cell_can_start_a_formula(client: FlaskClient, exported: dict[str, int]) -> None:
    _, *rows = rows_of(client)
    evil = next(r for r in rows if int(r[0]) == exported["evil"])
    assert evil[1] == "'" + HYPERLINK
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row
    )


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("杭州", "杭州"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_the_csv_follows_the_list_filters(client: FlaskClient, exported: dict[str, int]) -> None:
    assert [int(r[0]) for r in rows_of(client, "?q=" + "%E6%9D%AD%E5%B7%9E")[1:]] == [
        exported["hangzhou"],
        exported["draft"],
    ]
    assert [int(r[0]) for r in rows_of(client, "?status=submitted&sort=overall&dir=asc")[1:]] == [
        exported["evil"],
        exported["hangzhou"],
    ]
    page = client.get("/admin/assessments?status=submitted&sort=overall").get_data(as_text=True)
    assert 'href="/admin/assessments.csv?status=submitted&amp;sort=overall"' in page


def test_the_csv_is_streamed_in_batches_and_audited(
    app: Flask, client: FlaskClient, exported: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(submissions, "EXPORT_BATCH_SIZE", 1)
    with counting_statements(app) as statements:
        response = client.get("/admin/assessments.csv")
        assert response.is_streamed
        body = response.get_data(as_text=True)
    assert body.count("\r\n") == 4
    answer_reads = [s for s in statements if "FROM answer" in s]
    assert len(answer_reads) == 3  # one per batch of one
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
        assert event is not None and event.detail == "assessments.csv"


def test_csv_chunks_split_long_documents() -> None:
    chunks = list(csv_chunks(["a"], ([str(n)] for n in range(450))))
    assert len(chunks) == 4 and chunks[0] == "\ufeffa\r\n"


def test_the_json_export_for_admins(
    client: FlaskClient, exported: dict[str, int], api_token: Callable[..., str]
) -> None:
    headers = bearer(api_token("admin@x.example"))
    response = client.get("/api/v1/admin/assessments?status=submitted&per_page=1", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 1
    item = body["items"][0]
    assert item["id"] == exported["hangzhou"] and item["city"]["name"] == "杭州 Hangzhou"
    assert item["answers"]["planning.top_level_design"] == "dont_know"
    assert (
        item["submitted_at"].endswith("+00:00") and item["scores"]["areas"]["planning"] is not None
    )
    beyond = client.get("/api/v1/admin/assessments?page=9", headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?level=9", "level"),
        ("?from=2026-13-01", "from"),
        ("?page=abc", "page"),
        ("?sort=x", "sort"),
    ],
)
def test_the_json_export_names_bad_filters(
    client: FlaskClient,
    exported: dict[str, int],
    api_token: Callable[..., str],
    query: str,
    field: str,
) -> None:
    response = client.get(
        "/api/v1/admin/assessments" + query, headers=bearer(api_token("admin@x.example"))
    )
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_the_json_export_is_for_admins_only(
    client: FlaskClient, exported: dict[str, int], api_token: Callable[..., str]
) -> None:
    assert client.get("/api/v1/admin/assessments").status_code == 401
    official = bearer(api_token("official@evil.example"))
    response = client.get("/api/v1/admin/assessments", headers=official)
    assert response.status_code == 403 and "auth" in response.get_json()["errors"]
