"""The report as a mayor reads it: the summary first (page, PDF, Word), the countermeasures with
their reasons, the PDF's length and outline, and the rectification ledger in Excel."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import markupsafe
import pytest
import sqlalchemy as sa
import yaml
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli.demo import DEMO_PASSWORD
from app.core.questionnaire import CONTENT_DIR
from app.extensions import content, db
from app.models import ActionItem, Assessment
from app.reports.ledger import safe_cell
from app.reports.summary import report_parts, responsibility
from tests.conftest import bearer

OFFICIAL = "official@hangzhou.example"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parts_of(app: Flask, assessment_id: int, lang: str) -> Any:
    with app.test_request_context(f"/?lang={lang}"):
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        return report_parts(assessment)


def squeezed(text: str) -> str:
    return "".join(text.split())


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_comes_first_on_the_page_in_the_pdf_and_in_word(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    login(OFFICIAL, DEMO_PASSWORD)
    summary = parts_of(app, demo_hangzhou, lang).summary
    assert summary.act_first and len(summary.act_first) <= 5
    assert "杭州" in summary.verdict

    page = client.get(f"/assessments/{demo_hangzhou}/report?lang={lang}").get_data(as_text=True)
    summary_at = page.index('id="summary-heading"')
    assert summary_at < page.index('id="cm-heading"') < page.index('id="appendix-heading"')
    assert summary_at < page.index(summary.act_first[0].title)

    pdf = client.get(f"/assessments/{demo_hangzhou}/report.pdf?lang={lang}")
    first_page = squeezed(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text())
    assert squeezed(summary.verdict) in first_page
    for r in summary.act_first:
        assert squeezed(r.title) in first_page

    word = client.get(f"/assessments/{demo_hangzhou}/report.docx?lang={lang}")
    assert word.status_code == 200 and word.mimetype == DOCX
    assert "attachment" in word.headers["Content-Disposition"]
    text = docx_text(word.data)
    assert summary.verdict in text
    assert text.index(summary.verdict) < text.index(summary.act_first[0].description)
    for r in summary.recommendations:
        assert r.title in text


def test_every_countermeasure_says_in_words_which_answers_call_for_it(
    app: Flask, demo_hangzhou: int
) -> None:
    parts = parts_of(app, demo_hangzhou, "en")
    recommended = {cm["id"] for cm in parts.report["countermeasures"]}
    assert {r.id for r in parts.summary.recommendations} == recommended
    for r in parts.summary.recommendations:
        assert r.reasons, r.id
        for fact in r.reasons:
            assert fact.target > (fact.level or 0)
            assert f"target {fact.target}" in fact.describe()
        assert r.owner and r.horizon
    shown = [r.area.id for _area, group in parts.summary.by_area for r in group]
    assert shown == sorted(shown, key=[a.id for a in parts.bank.areas].index)


def test_every_countermeasure_has_an_owner_hint_in_both_languages(app: Flask) -> None:
    hints = yaml.safe_load((CONTENT_DIR / "countermeasure_owners.yaml").read_text("utf-8"))
    with app.app_context():
        for measure in content.catalogue.countermeasures:
            assert measure.id in hints["countermeasures"], measure.id
            hint = responsibility(measure.id, measure.area_id)
            assert hint.owner.en and hint.owner.zh and hint.horizon.en and hint.horizon.zh


def translated(app: Flask, lang: str, message: str) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return str(gettext(message))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pdf_keeps_summary_and_areas_within_eight_pages_with_an_outline(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    login(OFFICIAL, DEMO_PASSWORD)
    response = client.get(f"/assessments/{demo_hangzhou}/report.pdf?lang={lang}")
    reader = PdfReader(io.BytesIO(response.data))
    outline = {item.title: item for item in reader.outline if not isinstance(item, list)}
    sections = [
        translated(app, lang, title)
        for title in (
            "Summary",
            "Recommended countermeasures",
            "Scores by area",
            "Gap to target",
            "Action plan",
            "Progress over time",
            "Among other cities",
            "Residents' voice",
            "Departments",
            "Appendix",
        )
    ]
    assert list(outline) == sections
    pages = [reader.get_destination_page_number(outline[title]) for title in sections]
    assert pages[0] == 0 and pages == sorted(pages)
    assert pages[-1] <= 8, f"summary and areas take {pages[-1]} pages before the appendix"
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert nested, "subsections (areas, the appendix's parts) are bookmarked under their section"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_ledger_has_a_row_per_weak_question_with_a_status_drop_down(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    login(OFFICIAL, DEMO_PASSWORD)
    response = client.get(f"/assessments/{demo_hangzhou}/ledger.xlsx?lang={lang}")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    parts = parts_of(app, demo_hangzhou, lang)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(parts.summary.weak) > 0
    questions = [row[1] for row in rows]
    assert questions == [fact.question.text.get(lang) for fact in parts.summary.weak]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 40
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].type == "list"
    assert translated(app, lang, "In progress") in validations[0].formula1
    assert sheet["A1"].value == translated(app, lang, "Area")
    assert sheet["E1"].value == translated(app, lang, "Countermeasures")
    planned = [row for row in rows if row[8]]
    assert planned, "the demo's action plan sets a status on some rows"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_ledger_cell_never_starts_a_formula(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("市大数据管理局") == "市大数据管理局"


def test_the_ledger_writes_owner_text_that_looks_like_a_formula_as_text(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int
) -> None:
    with app.app_context():
        item = db.session.scalars(
            sa.select(ActionItem).where(ActionItem.assessment_id == demo_hangzhou)
        ).first()
        assert item is not None
        item.owner = '=HYPERLINK("http://evil.example","x")'
        db.session.commit()
    login(OFFICIAL, DEMO_PASSWORD)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/assessments/{demo_hangzhou}/ledger.xlsx").data)
    ).active
    assert sheet is not None
    owners = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","x")' in owners
    for line in sheet.iter_rows():
        for cell in line:
            assert cell.data_type != "f"


@pytest.mark.parametrize("path", ["report.docx", "ledger.xlsx"])
def test_another_citys_files_are_404_and_sign_in_is_needed(
    client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, path: str
) -> None:
    assert client.get(f"/assessments/{demo_hangzhou}/{path}").status_code == 302
    login("official@chengdu.example", DEMO_PASSWORD)
    assert client.get(f"/assessments/{demo_hangzhou}/{path}").status_code == 404
    assert client.get(f"/assessments/999999/{path}").status_code == 404


@pytest.mark.parametrize(("path", "mimetype"), [("report.docx", DOCX), ("ledger.xlsx", XLSX)])
def test_the_api_serves_the_files_to_a_token_of_the_city_only(
    client: FlaskClient,
    api_token: Callable[..., str],
    demo_hangzhou: int,
    path: str,
    mimetype: str,
) -> None:
    url = f"/api/v1/assessments/{demo_hangzhou}/{path}"
    assert client.get(url).status_code == 401
    mine = client.get(url + "?lang=zh", headers=bearer(api_token(OFFICIAL, DEMO_PASSWORD)))
    assert mine.status_code == 200 and mine.mimetype == mimetype
    theirs = client.get(url, headers=bearer(api_token("official@chengdu.example", DEMO_PASSWORD)))
    assert theirs.status_code == 404


def test_the_word_report_is_an_official_document_in_chinese(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int
) -> None:
    login(OFFICIAL, DEMO_PASSWORD)
    document = Document(
        io.BytesIO(client.get(f"/assessments/{demo_hangzhou}/report.docx?lang=zh").data)
    )
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings[0].startswith("一、")
    assert any(h.startswith("（一）") for h in headings)
    assert any(h.startswith("1. ") for h in headings)
    title = document.paragraphs[0]
    assert title.style is not None and title.style.name == "Title" and "杭州" in title.text
    fonts = document.styles["Title"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )
    body = document.styles["Normal"].element.rPr.rFonts
    assert (
        body.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋_GB2312"
    )
    assert document.tables, "the act-first list and the answers are real tables"
    assert not document.inline_shapes
    summary = parts_of(app, demo_hangzhou, "zh").summary
    assert summary.verdict in [p.text for p in document.paragraphs]
    assert "智慧城市" in summary.verdict


FIGURE_NOTES = (
    "Their figure is what they say in an anonymous survey of the benefits, the ease of use and "
    "their trust in how data is handled; it is not part of the readiness index, which rests on "
    "the city's own answers.",
    "The residents' view does not count towards the readiness index, which rests on the city's "
    "own answers alone.",
    "The readiness index at the top of the report comes from this assessment's own answers; the "
    "consolidated score below combines the departments' answers instead, and does not replace it.",
    "The verified scores are worked out the same way as the readiness index, from the answers as "
    "a reviewer checked them; the self-assessed ones are the index and level at the top of the "
    "report, from the answers as the city gave them.",
    "Each row places the city's own score among theirs; it does not change the score or the "
    "readiness index.",
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_beside_the_index_says_how_it_differs_from_it(
    app: Flask, client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    login(OFFICIAL, DEMO_PASSWORD)
    page = client.get(f"/assessments/{demo_hangzhou}/report?lang={lang}").get_data(as_text=True)
    pdf = client.get(f"/assessments/{demo_hangzhou}/report.pdf?lang={lang}")
    printed = squeezed(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    for note in FIGURE_NOTES:
        words = translated(app, lang, note)
        assert words != note or lang == "en"
        assert words in page or as_escaped(words) in page, note
        assert squeezed(words) in printed, note
    summary = page[page.index('id="summary-heading"') : page.index('id="cm-heading"')]
    assert as_escaped(translated(app, lang, FIGURE_NOTES[0])) in summary


def as_escaped(text: str) -> str:
    """Text as Jinja escapes a str from Python (a template's own _() is left as it is)."""
    return str(markupsafe.escape(text))
