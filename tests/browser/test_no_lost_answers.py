"""Answers survive every way of leaving an area page: a step tab, the language switch, a reload,
signing out — and the plain form still saves with JavaScript off.

Signs in as Shenzhen, which no other browser test changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.core.questionnaire import QuestionBank, load_content
from tests.browser.conftest import Pages, open_pages

pytestmark = pytest.mark.browser

OFFICIAL = "official@shenzhen.example"


def content_bank() -> QuestionBank:
    """The bank new assessments are filed on, as the live server loads it."""
    return load_content().current


def answer(page: Page, values: dict[int, str]) -> None:
    questions = page.locator("fieldset.question")
    for index, value in values.items():
        questions.nth(index).locator(f'input[type="radio"][value="{value}"]').check()


def expect_answers(page: Page, values: dict[int, str]) -> None:
    questions = page.locator("fieldset.question")
    for index, value in values.items():
        expect(
            questions.nth(index).locator(f'input[type="radio"][value="{value}"]')
        ).to_be_checked()


def start_draft(pages: Pages) -> None:
    pages.sign_in(OFFICIAL)
    pages.go("/assessments")
    pages.page.get_by_role("button", name="Start a new assessment").click()
    expect(pages.page).to_have_url(re.compile(r"/areas/planning$"))


def test_answers_survive_a_step_tab_the_language_switch_a_reload_and_signing_out(
    pages: Pages,
) -> None:
    page = pages.page
    start_draft(pages)
    status = page.locator("#autosave-status")

    first = {0: "3", 1: "2", 2: "4"}
    answer(page, first)
    # At once, before the pause after the last click is over: the tab waits for the save.
    page.get_by_role("link", name=re.compile(r"^2\. ")).click()
    expect(page).to_have_url(re.compile(r"/areas/environment$"))
    page.get_by_role("link", name=re.compile(r"^1\. ")).click()
    expect_answers(page, first)
    pages.check("01-back-from-a-step-tab")

    second = {3: "1", 4: "dont_know", 5: "3"}
    answer(page, second)
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect_answers(page, first | second)
    pages.check("02-after-the-language-switch")
    page.get_by_role("link", name="English").click()

    third = {6: "2", 7: "2", 8: "4"}
    answer(page, third)
    page.locator("textarea").first.fill("Adopted by the city council.")
    expect(status).to_have_text("Saved")
    planning = len(content_bank().area("planning").questions)
    expect(page.locator(".steps li.current .step-count")).to_have_text(f"9 of {planning} answered")
    page.reload()
    expect_answers(page, first | second | third)
    expect(page.locator("textarea").first).to_have_value("Adopted by the city council.")
    pages.check("03-after-a-reload")

    fourth = {9: "1"}
    answer(page, fourth)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    pages.sign_in(OFFICIAL)
    page.get_by_role("link", name=re.compile("^Continue")).first.click()
    expect_answers(page, first | second | third | fourth)


def test_a_refused_field_says_not_saved_beside_it(pages: Pages) -> None:
    page = pages.page
    start_draft(pages)
    evidence = page.locator("fieldset.question").first.locator('input[type="text"]')
    evidence.fill("ftp://not a link")
    evidence.blur()
    expect(page.locator("#autosave-status")).to_contain_text("Not saved")
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.locator(".autosave-error")).to_contain_text("http")
    expect(evidence).to_have_attribute("aria-invalid", "true")
    pages.check("01-refused")
    evidence.fill("Statistics bureau 2025")
    evidence.blur()
    expect(page.locator("#autosave-status")).to_have_text("Saved")
    expect(page.locator(".autosave-error")).to_have_count(0)


@pytest.fixture
def no_script_pages(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Pages]:
    yield from open_pages(browser, live_server, request, java_script_enabled=False)


def test_without_javascript_the_form_still_saves(no_script_pages: Pages) -> None:
    page = no_script_pages.page
    start_draft(no_script_pages)
    answer(page, {0: "3", 1: "2"})
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/areas/environment$"))
    expect(page.locator(".flash-warning")).to_contain_text("questions are still unanswered")
    page.locator(".flash-warning a").first.click()
    expect_answers(page, {0: "3", 1: "2"})
