"""The report's summary as a mayor sees it first, on a desktop and on a phone: the verdict, what
holds the city back and the actions to take first, on the first screen and without sideways
scrolling; screenshots of the summary alone for the reviewers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import SCREENSHOTS, Pages, open_pages

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    yield from open_pages(
        browser,
        live_server,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )


@pytest.mark.parametrize(("size", "lang"), [("desktop", "en"), ("phone", "zh")])
def test_the_summary_opens_the_report_at_1280_and_390_px(
    request: pytest.FixtureRequest, size: str, lang: str
) -> None:
    tab: Pages = request.getfixturevalue("pages" if size == "desktop" else "phone")
    page = tab.page
    tab.sign_in("official@hangzhou.example")
    tab.go("/assessments?lang=en")  # an earlier test may have left the account in Chinese
    # An earlier browser test may have approved the demo's submitted round by now.
    submitted = page.locator("tr", has_text=re.compile("Submitted|Approved"))
    submitted.get_by_role("link", name=re.compile("^Report")).first.click()
    page.goto(page.url.split("?")[0] + f"?lang={lang}")
    summary = page.locator("#summary")
    summary.wait_for()
    width = 1280 if size == "desktop" else 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    summary.screenshot(path=str(SCREENSHOTS / f"report-summary-{width}-{lang}.png"))
    verdict = page.locator(".verdict")
    assert "杭州" in verdict.inner_text()
    box = verdict.bounding_box()
    assert box is not None and box["y"] < 844, "the verdict is on the first screen"
    actions = page.locator(".act-first-table tbody tr")
    assert 3 <= actions.count() <= 5
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page scrolls sideways at {width} px"
    assert page.locator("h2").first.get_attribute("id") == "summary-heading"
    tab.check(f"report-{width}")
