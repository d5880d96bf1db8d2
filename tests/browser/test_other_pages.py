"""Every other page a person can reach, audited with axe: the report's planning pages, the
departments' and residents' pages (people without an account, often on a phone), and the admin's
review page. The journeys through them are tested in the tests of their own features."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Pages, open_pages

pytestmark = pytest.mark.browser


@pytest.fixture
def visitor(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    """Someone with only a link, on a phone, whose browser prefers Chinese."""
    yield from open_pages(
        browser,
        live_server,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="zh-CN",
    )


def test_planning_department_and_resident_pages_pass_axe(pages: Pages, visitor: Pages) -> None:
    page = pages.page
    pages.sign_in("official@lanzhou.example")
    page.get_by_role("link", name=re.compile("^Report")).first.click()
    base = page.url.removesuffix("/report")
    for step, path in (("targets", "/targets"), ("actions", "/actions")):
        page.goto(base + path)
        pages.check(step)

    page.goto(base + "/departments")
    page.locator('input[name="name"]').fill("Transport bureau")
    page.get_by_role("button", name="Invite").click()
    pages.check("departments")
    department = re.search(r"/d/[\w-]+", page.content())
    assert department, "the invitation shows the department's private link"

    page.goto(base + "/survey")
    pages.check("survey-to-open")
    page.get_by_role("button", name="Open the survey").click()
    pages.check("survey-open")
    survey = page.locator("#survey-link").input_value()

    visitor.page.goto(survey)
    expect_chinese = visitor.page.locator("html")
    assert expect_chinese.get_attribute("lang") == "zh-Hans"
    visitor.check("resident-survey-zh")
    visitor.page.goto(survey + "?lang=en")
    visitor.check("resident-survey-en")
    visitor.go(department.group())
    visitor.check("department-answers-en")


def test_the_admins_review_page_passes_axe(pages: Pages) -> None:
    page = pages.page
    pages.sign_in("admin@cityready.example")
    pages.check("admin-list")
    page.locator('a[href*="/admin/assessments/"]').first.click()
    pages.check("admin-review")
    page.goto(page.url + "?lang=zh")
    pages.check("admin-review-zh")
