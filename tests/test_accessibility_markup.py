"""Accessibility that the HTML itself must carry: errors announced, linked and named."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.cli.demo import DEMO_PASSWORD

QUESTION = "q-planning-top_level_design"


def _area_with_errors(client: FlaskClient, url: str) -> str:
    response = client.post(
        url, data={QUESTION: "9", f"{QUESTION}-comment": "x" * 5001, "save": "1"}
    )
    return response.get_data(as_text=True)


def test_errors_are_summarised_announced_and_linked_to_their_fields(
    client: FlaskClient, draft_area_url: str
) -> None:
    page = _area_with_errors(client, draft_area_url)
    assert re.search(r"<title>Error: [^<]+ · CityReady</title>", page)
    assert '<div class="error-summary" role="alert" tabindex="-1" autofocus' in page
    assert f'href="#{QUESTION}-0">Question 1: Not a valid choice.' in page
    assert f'href="#{QUESTION}-comment">Comment on question 1: Field cannot be longer' in page
    # Each radio and the comment box point at their error message, and say they are invalid.
    radio = re.search(rf'<input [^>]*id="{QUESTION}-0"[^>]*>', page)
    assert radio is not None
    assert f'aria-describedby="{QUESTION}-help {QUESTION}-error"' in radio.group()
    assert 'aria-invalid="true"' in radio.group()
    assert f'id="{QUESTION}-error"' in page
    assert f'aria-describedby="{QUESTION}-comment-error"' in page


def test_error_flash_is_an_alert_and_other_flashes_are_status(
    client: FlaskClient, draft_area_url: str
) -> None:
    page = _area_with_errors(client, draft_area_url)
    assert re.search(r'<p class="flash flash-error" role="alert">', page)
    signed_out = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert '<p class="flash flash-info" role="status">' in signed_out


def test_sign_in_errors_are_summarised_and_linked(client: FlaskClient) -> None:
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "<title>Error: Sign in · CityReady</title>" in page
    assert '<a href="#email">Enter your email address.</a>' in page
    assert '<a href="#password">Enter your password.</a>' in page
    assert 'aria-describedby="email-error" aria-invalid="true"' in page


def test_no_aria_attribute_is_rendered_as_none(client: FlaskClient, draft_area_url: str) -> None:
    assert '="None"' not in client.get(draft_area_url).get_data(as_text=True)
    client.post("/logout")
    assert '="None"' not in client.get("/login").get_data(as_text=True)


def test_every_scrolling_table_can_be_scrolled_with_the_keyboard() -> None:
    """A table box that scrolls sideways on a phone must take focus and have a name (WCAG 2.1.1)."""
    templates = Path(__file__).parent.parent / "app" / "templates"
    boxes = [
        (path.relative_to(templates), tag)
        for path in templates.rglob("*.html")
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', path.read_text())
    ]
    assert boxes
    wrong = [
        f"{path}: {tag}"
        for path, tag in boxes
        if 'tabindex="0"' not in tag or 'role="region"' not in tag or "aria-label" not in tag
    ]
    assert not wrong, "use tabindex=0, role=region and aria-labelledby:\n" + "\n".join(wrong)


def test_no_template_passes_none_to_a_field_attribute() -> None:
    """WTForms writes None out as the text "None" (aria-invalid="None"); false leaves it out."""
    templates = Path(__file__).parent.parent / "app" / "templates"
    wrong = [
        f"{path.relative_to(templates)}: {found}"
        for path in templates.rglob("*.html")
        for found in re.findall(r"\b\w+=\([^()]*\belse none\)", path.read_text())
    ]
    assert not wrong, "write `else false`:\n" + "\n".join(wrong)


class _TableNames(HTMLParser):
    """Every table's caption text, and every id and aria-labelledby on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.captions: list[str] = []
        self.ids: set[str] = set()
        self.labelledby: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if found.get("aria-labelledby"):
            self.labelledby.extend(str(found["aria-labelledby"]).split())
        if tag == "table":
            self.captions.append("")
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.captions[-1] += data.strip()


def test_every_template_table_has_a_caption() -> None:
    """A screen reader jumping from table to table names each one (the paper form's boxes to
    write in are printed only, not data)."""
    templates = Path(__file__).parent.parent / "app" / "templates"
    wrong = [
        f"{path.relative_to(templates)}: {match.group()}"
        for path in templates.rglob("*.html")
        for match in re.finditer(r"<table\b[^>]*>((?:(?!<t[rhb]).)*)", path.read_text(), re.S)
        if "<caption" not in match.group(1) and 'class="respondent"' not in match.group()
    ]
    assert not wrong, "give each table a <caption>:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_reports_tables_and_regions_have_names(
    client: FlaskClient, login: Callable[..., Any], demo_hangzhou: int, lang: str
) -> None:
    official_pages = (
        f"/assessments/{demo_hangzhou}/report",
        f"/assessments/{demo_hangzhou}/targets",
        f"/assessments/{demo_hangzhou}/survey",
        "/paper/responses/new",
    )
    reviewer_pages = (f"/admin/assessments/{demo_hangzhou}", "/admin")
    for email, urls in (
        ("official@hangzhou.example", official_pages),
        ("admin@cityready.example", reviewer_pages),
    ):
        client.post("/logout")
        login(email, DEMO_PASSWORD)
        _assert_tables_and_regions_named(client, urls, lang)


def _assert_tables_and_regions_named(client: FlaskClient, urls: tuple[str, ...], lang: str) -> None:
    for url in urls:
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        names = _TableNames()
        names.feed(response.get_data(as_text=True))
        assert names.captions and all(names.captions), (url, names.captions)
        assert set(names.labelledby) <= names.ids, (url, set(names.labelledby) - names.ids)


def test_bar_charts_are_page_text_in_both_display_modes(
    client: FlaskClient, official: int, make_assessment: Callable[..., int]
) -> None:
    """Chart labels are text of the page's size (they grow with large text and wrap rather than
    clip); the graphics take the high-contrast palette and the system's forced colours."""
    assessment_id = make_assessment(official, level="3", submit=True)
    page = client.get(f"/assessments/{assessment_id}/report?lang=en").get_data(as_text=True)
    for chart in ('<div class="bar-chart" role="img"', '<div class="bar-chart range-chart"'):
        assert chart in page
    labels = re.findall(r'<span class="chart-label">([^<]+)</span>', page)
    assert "Overall" in labels and len(labels) >= 8
    static = Path(__file__).parent.parent / "app" / "static"
    css = "".join(path.read_text() for path in static.glob("*.css") if path.name != "print.css")
    assert not re.search(r"chart[^{}]*\{[^}]*max-width: \d+px", css)
    forced = css[css.index("@media (forced-colors: active)") :]
    for graphic in (".chart-bar", ".chart-band", ".chart-mark", ".chart-ground", "svg.chart text"):
        assert graphic in forced
        assert f"html.high-contrast {graphic}" in css
