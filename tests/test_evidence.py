"""Evidence files on answers: attached through the pages and the API, checked by content,
served as downloads to those who may see the assessment, and refused without a trace."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app import create_app
from app.evidence.content_types import sniff
from app.evidence.operations import safe_filename
from app.extensions import content, db
from app.models import EvidenceBlob, EvidenceFile
from tests.conftest import bearer, count_rows

QUESTION = "planning.top_level_design"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200
HTML = b"<!doctype html><script>alert(1)</script>"

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def office_file(main_type: str = DOCX_MAIN, folder: str = "word/document.xml") -> bytes:
    """The smallest zip an Office program would recognise: its content types and main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{folder}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(folder, "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
        (office_file(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (
            office_file(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "xl/workbook.xml",
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            office_file(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
                ".main+xml",
                "ppt/presentation.xml",
            ),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (office_file("application/vnd.ms-word.document.macroEnabled.main+xml"), None),
        (office_file(folder="other/document.xml"), None),
        (b"PK\x03\x04 not really a zip", None),
        (EXE, None),
        (HTML, None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_content(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    ("given", "content_type", "expected"),
    [
        ("../../etc/plan.pdf", "application/pdf", "plan.pdf"),
        ("C:\\Users\\x\\规划.pdf", "application/pdf", "规划.pdf"),
        ("page.html", "application/pdf", "page.html.pdf"),
        ("bad\r\nname.png", "image/png", "badname.png"),
        ("", "image/png", "evidence.png"),
    ],
)
def test_the_filename_is_made_safe(given: str, content_type: str, expected: str) -> None:
    assert safe_filename(given, content_type) == expected


@pytest.fixture
def draft(make_user: Callable[..., int], make_assessment: Callable[..., int]) -> int:
    return make_assessment(make_user("official@a.example"), level=None)


@pytest.fixture
def token_a(draft: int, api_token: Callable[..., str]) -> str:
    return api_token("official@a.example")


def upload(
    client: FlaskClient,
    token: str,
    assessment_id: int,
    data: bytes,
    name: str = "plan.pdf",
    question: str = QUESTION,
) -> Any:
    return client.post(
        f"/api/v1/assessments/{assessment_id}/evidence",
        headers=bearer(token),
        data={"question_id": question, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_api_attaches_lists_serves_and_removes_a_file(
    app: Flask, client: FlaskClient, draft: int, token_a: str
) -> None:
    created = upload(client, token_a, draft, PDF, "城市规划.pdf")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["question_id"] == QUESTION
    assert body["filename"] == "城市规划.pdf"
    assert body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf"
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()

    listed = client.get(f"/api/v1/assessments/{draft}/evidence", headers=bearer(token_a))
    assert [item["id"] for item in listed.get_json()["items"]] == [body["id"]]

    served = client.get(f"/api/v1/evidence/{body['id']}", headers=bearer(token_a))
    assert served.status_code == 200
    assert served.data == PDF
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]

    removed = client.delete(f"/api/v1/evidence/{body['id']}", headers=bearer(token_a))
    assert removed.status_code == 204
    assert count_rows(app, EvidenceFile) == count_rows(app, EvidenceBlob) == 0


@pytest.fixture
def small_limits() -> dict[str, int]:
    return {"EVIDENCE_MAX_FILE_BYTES": 1000, "EVIDENCE_MAX_ASSESSMENT_BYTES": 1500}


@pytest.mark.parametrize(
    ("data", "name", "question", "status", "field"),
    [
        (EXE, "report.pdf", QUESTION, 415, "file"),
        (HTML, "report.pdf", QUESTION, 415, "file"),
        (office_file(folder="other/document.xml"), "plan.docx", QUESTION, 415, "file"),
        (PDF + b"\x00" * 1000, "big.pdf", QUESTION, 413, "file"),
        (PDF, "plan.pdf", "planning.no_such_question", 422, "question_id"),
    ],
)
def test_the_api_refuses_and_stores_nothing(
    app: Flask,
    client: FlaskClient,
    draft: int,
    token_a: str,
    data: bytes,
    name: str,
    question: str,
    status: int,
    field: str,
    small_limits: dict[str, int],
) -> None:
    app.config.update(small_limits)
    refused = upload(client, token_a, draft, data, name, question)
    assert refused.status_code == status
    assert field in refused.get_json()["errors"]
    assert count_rows(app, EvidenceFile) == count_rows(app, EvidenceBlob) == 0


def test_an_assessments_files_have_a_total_limit(
    app: Flask, client: FlaskClient, draft: int, token_a: str, small_limits: dict[str, int]
) -> None:
    app.config.update(small_limits)
    padded = PDF + b"\x00" * (900 - len(PDF))
    assert upload(client, token_a, draft, padded).status_code == 201
    assert upload(client, token_a, draft, padded).status_code == 413
    assert count_rows(app, EvidenceFile) == count_rows(app, EvidenceBlob) == 1


def test_a_body_beyond_the_upload_limit_is_refused_unread(
    app: Flask, client: FlaskClient, draft: int, token_a: str
) -> None:
    app.config["UPLOAD_MAX_CONTENT_LENGTH"] = 2000
    assert upload(client, token_a, draft, PDF + b"\x00" * 3000).status_code == 413
    # Other routes keep the small general limit.
    app.config["MAX_CONTENT_LENGTH"] = 100
    big = client.post("/api/v1/assessments", headers=bearer(token_a), json={"x": "y" * 200})
    assert big.status_code == 413


def test_files_cannot_change_once_submitted(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    make_assessment: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    submitted = make_assessment(make_user("official@a.example"), submit=True)
    token = api_token("official@a.example")
    assert upload(client, token, submitted, PDF).status_code == 409
    assert count_rows(app, EvidenceFile) == 0


def test_another_citys_assessment_and_file_are_404(
    app: Flask,
    client: FlaskClient,
    draft: int,
    token_a: str,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
) -> None:
    file_id = upload(client, token_a, draft, PDF).get_json()["id"]
    make_user("official@b.example")
    token_b = api_token("official@b.example")
    assert upload(client, token_b, draft, PNG, "x.png").status_code == 404
    assert (
        client.get(f"/api/v1/assessments/{draft}/evidence", headers=bearer(token_b)).status_code
        == 404
    )
    assert client.get(f"/api/v1/evidence/{file_id}", headers=bearer(token_b)).status_code == 404
    assert client.delete(f"/api/v1/evidence/{file_id}", headers=bearer(token_b)).status_code == 404
    assert count_rows(app, EvidenceFile) == 1


def test_the_pages_attach_list_download_and_remove_a_file(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level=None)
    attached = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={"question_id": QUESTION, "file": (io.BytesIO(PDF), "规划.pdf")},
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302
    assert attached.headers["Location"].endswith(f"/areas/planning#evidence-{QUESTION}")
    page = client.get(f"/assessments/{assessment_id}/areas/planning").get_data(as_text=True)
    assert "规划.pdf" in page
    with app.app_context():
        file_id = db.session.scalar(sa.select(EvidenceFile.id))
    assert f"/evidence/{file_id}" in page
    downloaded = client.get(f"/evidence/{file_id}")
    assert downloaded.data == PDF
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")

    refused = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={"question_id": QUESTION, "file": (io.BytesIO(EXE), "setup.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "whatever its name says" in refused.get_data(as_text=True)
    assert count_rows(app, EvidenceFile) == 1

    assert client.post(f"/evidence/{file_id}/remove").status_code == 302
    assert count_rows(app, EvidenceFile) == count_rows(app, EvidenceBlob) == 0


def test_another_citys_official_gets_404_on_the_pages(
    app: Flask,
    client: FlaskClient,
    draft: int,
    token_a: str,
    make_user: Callable[..., int],
    login: Callable[..., Any],
) -> None:
    file_id = upload(client, token_a, draft, PDF).get_json()["id"]
    make_user("official@b.example")
    assert login("official@b.example").status_code == 302
    assert client.get(f"/evidence/{file_id}").status_code == 404
    assert client.post(f"/evidence/{file_id}/remove").status_code == 404
    sent = client.post(
        f"/assessments/{draft}/evidence",
        data={"question_id": QUESTION, "file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 404
    assert count_rows(app, EvidenceFile) == 1


def test_the_report_lists_the_files_and_counts_the_answers_they_back(
    app: Flask, client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    assessment_id = make_assessment(official, level="3")
    for name, data in (("plan.pdf", PDF), ("photo.png", PNG)):
        client.post(
            f"/assessments/{assessment_id}/evidence",
            data={"question_id": QUESTION, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)
    assert "plan.pdf" in page and "photo.png" in page
    with app.app_context():
        answered = len(list(content.current.questions()))
    backed = f"1 of {answered} answers are backed by an attached file; 2 files in all."
    assert backed in page
    planning = len(content.current.area("planning").questions)  # type: ignore[union-attr]
    # The data-gap summary counts the answer with files as evidenced.
    assert f"{planning - 1} / {planning}" in page
    printed = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert printed.status_code == 200
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(printed.data)).pages)
    assert "plan.pdf" in text and "photo.png" in text


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's backup command; pg_dump otherwise"
)
def test_the_backup_holds_the_files(
    app: Flask, client: FlaskClient, draft: int, token_a: str, tmp_path: Path
) -> None:
    """docs/deploy.md: the files live in the database, so its backup is all there is to keep."""
    uploaded = upload(client, token_a, draft, PDF).get_json()
    backup = tmp_path / "backups" / "cityready.sqlite"
    backup.parent.mkdir()
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    restored = create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{backup}", "SERVER_NAME": None}
    )
    served = restored.test_client().get(
        f"/api/v1/evidence/{uploaded['id']}", headers=bearer(token_a)
    )
    assert served.status_code == 200 and served.data == PDF
    with restored.app_context():
        db.engine.dispose()
