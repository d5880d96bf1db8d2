"""Keying a paper questionnaire in with the keyboard alone, in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import Pages

pytestmark = pytest.mark.browser


def test_a_paper_form_is_keyed_in_one_key_per_question(pages: Pages) -> None:
    page = pages.page
    pages.sign_in("official@lanzhou.example")
    # Only a form printed for the city can be keyed in: print one first.
    printed = page.request.get(pages.base + "/paper/questionnaire.pdf").body()
    first_page = PdfReader(io.BytesIO(printed)).pages[0].extract_text()
    form_id = re.findall(r"\d+-\w{4}-\w{4}-\w{4}", first_page)[0]
    pages.go("/assessments")
    page.get_by_role("link", name="Key in a paper response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key in a paper response")
    pages.check("01-empty")

    expect(page.get_by_label("Form id")).to_be_focused()
    page.keyboard.type(form_id)
    page.keyboard.press("Tab")  # the "jump to the next answer" setting
    page.keyboard.press("Tab")
    answers = page.locator("input.key-input")
    expect(answers.first).to_be_focused()
    total = answers.count()
    page.keyboard.type("x")  # not a key: stays put, and is refused on saving
    expect(answers.first).to_be_focused()
    page.keyboard.press("Backspace")
    page.keyboard.type("3d" + "4" * (total - 2))  # the cursor jumps on after each valid key
    expect(answers.last).to_have_value("4")
    expect(answers.nth(1)).to_have_value("d")

    page.get_by_role("button", name="Save and submit").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/report$"))
    expect(page.get_by_text(re.compile(r"Keyed in from paper form"))).to_be_visible()
    pages.check("02-report")
