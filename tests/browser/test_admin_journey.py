"""A reviewer in a real browser: return a city's submission, see the city resubmit, approve it,
then take the list away as a CSV, with every page audited by axe and screenshotted.

It works on Chengdu's submitted round of the demo data; the other browser tests only read
Chengdu's reports and start new rounds, which an approval leaves as they were.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages

pytestmark = pytest.mark.browser

CITY = "成都 Chengdu"
# The list names a round by its city (in the page's language), its number and its year.
CITY_ROUND = re.compile(r"^(成都|Chengdu) · ")
OFFICIAL = "official@chengdu.example"
REVIEWER = "admin@cityready.example"
COMMENT = "Please attach the adopted top-level plan as evidence, then submit again."


def sign_out(pages: Pages) -> None:
    pages.page.get_by_role("button", name="Sign out").click()
    pages.page.wait_for_url(re.compile("/login"))


def open_submitted_round(pages: Pages) -> None:
    pages.go("/admin/assessments?status=submitted")
    pages.page.get_by_role("link", name=CITY_ROUND).first.click()
    expect(pages.page.get_by_role("heading", name="Your decision")).to_be_visible()


def test_admin_returns_the_city_resubmits_the_admin_approves_and_exports(pages: Pages) -> None:
    page = pages.page
    pages.sign_in(REVIEWER)
    pages.go("/admin")
    pages.check("01-dashboard")
    pages.go("/admin/assessments?status=submitted")
    expect(page.get_by_role("link", name=CITY_ROUND).first).to_be_visible()
    pages.check("02-submitted-list")

    open_submitted_round(pages)
    pages.check("03-review")
    page.get_by_role("button", name="Return for revision").click()
    expect(page.get_by_role("alert").first).to_contain_text("not returned")
    pages.check("04-return-without-a-comment")
    page.get_by_label("What should the city change?").fill(COMMENT)
    page.get_by_role("button", name="Return for revision").click()
    expect(page.get_by_role("status").first).to_contain_text("Returned to the city")
    pages.check("05-returned")
    sign_out(pages)

    pages.sign_in(OFFICIAL)
    pages.check("06-official-assessments")
    page.get_by_role("link", name=re.compile("^Revise")).first.click()
    expect(page.get_by_text(COMMENT).first).to_be_visible()
    pages.check("07-official-sees-the-return")
    page.get_by_role("link", name="Submit for review…").first.click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted")
    pages.check("08-resubmitted-report")
    sign_out(pages)

    pages.sign_in(REVIEWER)
    open_submitted_round(pages)
    expect(page.get_by_text(COMMENT).first).to_be_visible()  # the timeline keeps the return
    page.get_by_label("Approve although some answers are not verified").check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved")
    pages.check("09-approved")

    pages.go("/admin/assessments?status=approved")
    pages.check("10-approved-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    text = data.decode("utf-8-sig")
    rows = text.splitlines()
    assert any(CITY in row and "approved" in row for row in rows[1:])
    assert not any("submitted" in row.split(",") for row in rows[1:]), "the filter was kept"
