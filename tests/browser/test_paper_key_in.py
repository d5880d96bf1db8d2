"""Keying a paper questionnaire in with the keyboard alone, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core.questionnaire import load_content
from app.paper.form_ids import new_form_id
from tests.browser.conftest import Pages

pytestmark = pytest.mark.browser


def test_a_paper_form_is_keyed_in_one_key_per_question(pages: Pages) -> None:
    page = pages.page
    pages.sign_in("official@lanzhou.example")
    pages.go("/assessments")
    page.get_by_role("link", name="Key in a paper response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key in a paper response")
    pages.check("01-empty")

    expect(page.get_by_label("Form id")).to_be_focused()
    page.keyboard.type(new_form_id(load_content().current.version))
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
