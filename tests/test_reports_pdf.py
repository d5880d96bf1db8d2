"""The report as PDF: who may download it, what it says, its fonts, and what it never fetches."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext as _
from pypdf import PdfReader

from app.assessments.operations import (
    AnswerInput,
    save_answers,
    start_assessment,
    submit_assessment,
)
from app.assessments.scores import report_snapshot
from app.cli.demo import DEMO_PASSWORD
from app.extensions import content, db
from app.models import Assessment, City, User
from app.platform import pdf
from app.reports.insights import report_insights
from tests.conftest import bearer


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(text: str) -> str:
    """Text without white space, so words wrapped across lines still match."""
    return "".join(text.split())


def font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def file_assessment(app: Flask, user_id: int, comments: dict[str, str] | None = None) -> int:
    """A submitted assessment, mostly at level 2 with one "don't know", and some comments."""
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and user.city is not None
        assessment = start_assessment(user, user.city)
        questions = list(content.current.questions())
        answers = {q.id: AnswerInput("2") for q in questions}
        answers[questions[-1].id] = AnswerInput("dont_know")
        for qid, comment in (comments or {}).items():
            answers[qid] = AnswerInput(answers[qid].value, comment)
        save_answers(assessment, answers)
        submit_assessment(assessment)
        db.session.commit()
        return assessment.id


@pytest.fixture
def submitted(app: Flask, hangzhou_official: int) -> int:
    return file_assessment(
        app, hangzhou_official, {"planning.top_level_design": "Plan adopted by the 市政府 in 2025."}
    )


def test_a_signed_in_official_downloads_the_report_as_pdf(
    client: FlaskClient, login: Callable[..., Any], submitted: int
) -> None:
    login("official@hangzhou.example")
    response = client.get(f"/assessments/{submitted}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    # Stored per version: the browser may keep it, and asks with its ETag each time.
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["ETag"]
    assert f"cityready-report-{submitted}.pdf" in response.headers["Content-Disposition"]
    text = squeezed(pdf_text(response.data)).lower()
    for expected in (
        "杭州",
        "Smart-city readiness report",
        "Readiness index",
        "Act first",
        "Planning, coordination and investment",
        "Recommended countermeasures",
        "Paper §4.",
        "Data gaps",
        "Plan adopted by the 市政府 in 2025.",
        "How to read this report",
    ):
        assert squeezed(expected).lower() in text, expected
    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) >= 5
    first = squeezed(pages[0].extract_text()).lower()
    assert "杭州" in first and "readinessindex" in first, "the summary must be the first page"
    assert "actfirst" in first


def test_chinese_content_renders_with_an_embedded_cjk_font(
    app: Flask, client: FlaskClient, login: Callable[..., Any], submitted: int
) -> None:
    login("official@hangzhou.example")
    response = client.get(f"/assessments/{submitted}/report.pdf?lang=zh")
    assert response.status_code == 200
    text = pdf_text(response.data)
    with app.app_context():
        area_title_zh = content.current.areas[0].title.zh
    assert "杭州" in text
    assert area_title_zh in text
    assert any("WenQuanYi" in name or "MicroHei" in name for name in font_names(response.data))


def test_the_report_pdf_needs_a_sign_in(client: FlaskClient, submitted: int) -> None:
    response = client.get(f"/assessments/{submitted}/report.pdf")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_another_citys_report_pdf_is_404(
    client: FlaskClient, make_user: Callable[..., int], login: Callable[..., Any], submitted: int
) -> None:
    make_user("official@elsewhere.example")
    login("official@elsewhere.example")
    assert client.get(f"/assessments/{submitted}/report.pdf").status_code == 404
    assert client.get("/assessments/999999/report.pdf").status_code == 404


def test_an_admin_downloads_any_citys_report(
    client: FlaskClient, admin: int, submitted: int
) -> None:
    assert client.get(f"/assessments/{submitted}/report.pdf").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_the_api_report_pdf_needs_a_valid_token(
    client: FlaskClient, submitted: int, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/api/v1/assessments/{submitted}/report.pdf", headers=headers)
    assert response.status_code == 401
    assert "auth" in response.get_json()["errors"]


def test_the_api_serves_the_report_pdf_to_its_city_only(
    client: FlaskClient,
    make_user: Callable[..., int],
    api_token: Callable[..., str],
    submitted: int,
) -> None:
    mine = api_token("official@hangzhou.example")
    response = client.get(f"/api/v1/assessments/{submitted}/report.pdf", headers=bearer(mine))
    assert response.status_code == 200
    assert "杭州" in pdf_text(response.data)

    make_user("official@elsewhere.example")
    theirs = api_token("official@elsewhere.example")
    response = client.get(f"/api/v1/assessments/{submitted}/report.pdf", headers=bearer(theirs))
    assert response.status_code == 404
    assert "errors" in response.get_json()


def test_a_repeated_download_is_served_from_the_cache(
    client: FlaskClient,
    login: Callable[..., Any],
    submitted: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login("official@hangzhou.example")
    first = client.get(f"/assessments/{submitted}/report.pdf").data

    def no_second_render(*args: Any) -> bytes:
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf.renderer, "render", no_second_render)
    assert client.get(f"/assessments/{submitted}/report.pdf").data == first


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on this machine that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def tiny_png(tmp_path: Path) -> Path:
    """A real image file, so that if anything let it through it would show up embedded."""
    from PIL import Image

    path = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(path)
    return path


def test_urls_in_user_text_are_printed_not_fetched(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., int],
    login: Callable[..., Any],
    listener: socket.socket,
    tmp_path: Path,
) -> None:
    port = listener.getsockname()[1]
    secret = tiny_png(tmp_path)
    hostile = {
        "planning.top_level_design": f'<img src="file://{secret}">',
        "planning.coordination": f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        "planning.local_positioning": f'<div style="background: url(http://127.0.0.1:{port}/bg)">x</div>',
    }
    with app.app_context():
        city = City(name=f"url(http://127.0.0.1:{port}/city) <img src='file:///etc/passwd'>")
        db.session.add(city)
        db.session.commit()
        city_id = city.id
    user_id = make_user("official@hostile.example", city_id=city_id)
    assessment_id = file_assessment(app, user_id, hostile)
    login("official@hostile.example")

    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200
    assert connections(listener) == 0
    assert image_count(response.data) == 0
    text = squeezed(pdf_text(response.data))
    assert f"http://127.0.0.1:{port}/x.css" in text
    assert f"file://{secret}" in text


def test_the_fetcher_refuses_everything_but_static_files_and_data_urls(
    app: Flask, listener: socket.socket, tmp_path: Path
) -> None:
    from app.platform.pdf.worker import RefusedURL, StaticOnlyFetcher

    port = listener.getsockname()[1]
    fetcher = StaticOnlyFetcher(app.static_folder or "", "/static/")
    served = fetcher.fetch("https://cityready.invalid/static/print.css")
    assert b"@page" in served.read()
    assert served.content_type == "text/css"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        f"file://{tiny_png(tmp_path)}",
        f"http://127.0.0.1:{port}/x",
        f"https://127.0.0.1:{port}/x",
        "http://cityready.invalid/static/print.css",
        "https://cityready.invalid/static/../../models.py",
        "https://cityready.invalid/static/%2e%2e/models.py",
        "https://cityready.invalid/static/missing.css",
        "https://cityready.invalid.example.com/static/print.css",
        "ftp://cityready.invalid/static/print.css",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert connections(listener) == 0


def test_markup_that_escaped_the_templates_still_fetches_nothing(
    app: Flask, listener: socket.socket, tmp_path: Path
) -> None:
    port = listener.getsockname()[1]
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<p style="background: url(http://127.0.0.1:{port}/bg)">Hello</p>'
        f'<img src="file://{tiny_png(tmp_path)}"><img src="file:///etc/passwd">'
        f'<iframe src="http://127.0.0.1:{port}/frame"></iframe>'
    )
    with app.test_request_context():
        document = pdf.render_pdf(html)
    assert connections(listener) == 0
    assert image_count(document) == 0
    assert "Hello" in pdf_text(document)


@pytest.fixture
def impatient_app(app: Flask) -> Flask:
    app.config["PDF_RENDER_TIMEOUT"] = 0.001
    return app


def test_a_render_past_its_time_limit_is_stopped_with_a_clear_503(
    impatient_app: Flask, client: FlaskClient, login: Callable[..., Any], submitted: int
) -> None:
    login("official@hangzhou.example")
    response = client.get(f"/assessments/{submitted}/report.pdf")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert b"could not be produced" in response.data

    impatient_app.config["PDF_RENDER_TIMEOUT"] = 60
    assert client.get(f"/assessments/{submitted}/report.pdf").status_code == 200


def test_the_api_answers_a_render_past_its_time_limit_with_json(
    impatient_app: Flask, client: FlaskClient, api_token: Callable[..., str], submitted: int
) -> None:
    token = api_token("official@hangzhou.example")
    response = client.get(f"/api/v1/assessments/{submitted}/report.pdf", headers=bearer(token))
    assert response.status_code == 503
    assert "could not be produced" in response.get_json()["errors"]["request"]


def test_the_worker_reports_a_failed_job_and_goes_on(app: Flask) -> None:
    from app.platform.pdf.job import ERROR, JOB, PDF, RenderJob, read_frame, write_frame
    from app.platform.pdf.worker import serve

    jobs = io.BytesIO()
    write_frame(jobs, b"X", b"not a job")
    write_frame(jobs, JOB, RenderJob("<p>Hi</p>", app.static_folder or "", "/static/").encode())
    jobs.seek(0)
    replies = io.BytesIO()
    serve(jobs, replies)
    replies.seek(0)
    assert read_frame(replies)[0] == ERROR
    kind, document = read_frame(replies)
    assert kind == PDF and document.startswith(b"%PDF")


def test_without_weasyprint_every_job_is_refused_with_the_reason() -> None:
    from app.platform.pdf.__main__ import _refuse_every_job
    from app.platform.pdf.job import ERROR, JOB, read_frame, write_frame

    jobs = io.BytesIO()
    write_frame(jobs, JOB, b"{}")
    jobs.seek(0)
    replies = io.BytesIO()
    _refuse_every_job(jobs, replies, "no Pango")
    replies.seek(0)
    assert read_frame(replies) == (ERROR, b"no Pango")


def test_the_report_page_links_to_its_pdf(
    client: FlaskClient, login: Callable[..., Any], submitted: int
) -> None:
    login("official@hangzhou.example")
    page = client.get(f"/assessments/{submitted}/report")
    assert f'href="/assessments/{submitted}/report.pdf'.encode() in page.data
    listing = client.get("/assessments")
    assert f"/assessments/{submitted}/report.pdf".encode() in listing.data


def head_line(html: str) -> str:
    """The words under the report page's title, or the PDF's masthead, beside the status badge."""
    found = re.search(r'<p class="(?:meta|masthead-meta)">(.*?)</p>', html, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.mark.parametrize(
    ("lang", "filed", "status_word"),
    [
        ("en", True, "submitted"),
        ("zh", True, "提交"),
        ("en", False, "draft"),
        ("zh", False, "草稿"),
    ],
)
def test_the_date_beside_the_status_badge_does_not_repeat_the_status(
    app: Flask,
    client: FlaskClient,
    official: int,
    make_assessment: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    filed: bool,
    status_word: str,
) -> None:
    documents: list[str] = []
    # Drafts and stored copies are both built in app.reports.documents.
    monkeypatch.setattr(
        "app.reports.documents.render_pdf", lambda html: documents.append(html) or b"%PDF"
    )
    assessment_id = file_assessment(app, official) if filed else make_assessment(official, "2")
    page = client.get(f"/assessments/{assessment_id}/report?lang={lang}").get_data(as_text=True)
    assert client.get(f"/assessments/{assessment_id}/report.pdf?lang={lang}").status_code == 200
    [cover] = documents
    for html in (page, cover):
        line = head_line(html)
        assert line.lower().count(status_word) == 1, line


def issue_8_sections(app: Flask, assessment_id: int, lang: str) -> dict[str, tuple[str, ...]]:
    """Each section beyond the scores: its heading(s) and a figure as the PDF prints them."""
    with app.test_request_context(f"/?lang={lang}"):
        number = app.jinja_env.filters["decimal"]
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        insights = report_insights(assessment)
        report = report_snapshot(assessment)
        first_area = content.current.areas[0]
        spread = insights.uncertainty.area(first_area.id).range
        assert spread is not None
        participation = next(g for g in insights.area_gaps if g.area_id == "participation")
        assert participation.gap, "the demo city falls short of its participation target"
        planned = insights.actions[0]
        assert insights.since_last is not None and insights.percentiles is not None
        results, departments = insights.survey_results, insights.departments
        assert results is not None and departments is not None
        percentile, others = insights.percentiles["overall"], insights.peer_count
        assert percentile is not None
        below = int(percentile * others / 100)
        if percentile == 100:
            standing = _("highest of %(num)d cities", num=others + 1)
        elif below == 0:
            standing = _("lowest of %(num)d cities", num=others + 1)
        else:
            standing = _("higher than %(below)d of %(num)d other cities", below=below, num=others)
        consolidated = "".join(
            number(departments.card.area(a.id).score) for a in content.current.areas
        )
        return {
            "uncertainty": (
                _("Data-gap summary"),
                f"{first_area.title.get(lang)}{number(spread.low)}–{number(spread.high)}",
            ),
            "targets": (_("Gap to target"), f"−{number(participation.gap)}"),
            "actions": (
                _("Action plan"),
                _("Actions from earlier rounds"),
                f"{planned.owner}{planned.due_date.isoformat() if planned.due_date else ''}",
            ),
            "trends": (
                _("Progress over time"),
                _("Countermeasures since the last round"),
                _("Persisting"),
                f"{insights.since_last.overall_change:+.1f}",
            ),
            "peers": (
                _("Among other cities"),
                _("Overall") + number(report["overall"]) + standing,
            ),
            "residents": (
                _("Residents' voice"),
                _("Residents' view") + number(results.resident_index, 0) + "/100",
            ),
            "departments": (
                _("Departments"),
                _("Coordination gaps"),
                _("Consolidated") + consolidated + number(departments.card.overall),
            ),
        }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pdf_shows_every_section_of_the_report_page(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    login("official@hangzhou.example", DEMO_PASSWORD)
    response = client.get(f"/assessments/{demo_hangzhou}/report.pdf?lang={lang}")
    assert response.status_code == 200
    text = squeezed(pdf_text(response.data)).lower()  # some labels are set in capitals
    for section, expected in issue_8_sections(app, demo_hangzhou, lang).items():
        for piece in expected:
            assert squeezed(piece).lower() in text, f"{section}: {piece!r} not in the {lang} PDF"
    for on_screen_only in ("Invite departments", "Set targets", "Manage the survey"):
        assert squeezed(on_screen_only).lower() not in text


def test_the_pdf_never_names_peer_cities_even_for_an_admin(
    client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int
) -> None:
    login("admin@cityready.example", DEMO_PASSWORD)
    text = squeezed(pdf_text(client.get(f"/assessments/{demo_hangzhou}/report.pdf").data))
    assert squeezed("Among other cities") in text
    assert "Distribution" not in text
    for peer in ("Wuhan", "Suzhou", "Nanjing", "Shenzhen"):
        assert peer not in text
