"""An official in a real browser attaches a document to an answer, downloads it again and
finds it in the report's list of evidence files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages

pytestmark = pytest.mark.browser

DOCUMENT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def test_official_attaches_downloads_and_sees_a_file_in_the_report(
    pages: Pages, tmp_path: Path
) -> None:
    page = pages.page
    pages.sign_in("official@shenzhen.example")
    page.get_by_role("button", name="Start a new assessment").click()
    expect(page).to_have_url(re.compile(r"/areas/planning$"))
    first = page.locator("fieldset.question").first
    first.locator('input[type="file"]').set_input_files(
        {"name": "城市规划.pdf", "mimeType": "application/pdf", "buffer": DOCUMENT}
    )
    first.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Attached 城市规划.pdf.")
    pages.check("01-file-attached")

    with page.expect_download() as download:
        page.locator("fieldset.question").first.get_by_role("link", name="城市规划.pdf").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "城市规划.pdf"
    assert saved.read_bytes() == DOCUMENT

    pages.go(re.sub(r"/areas/planning.*$", "/report", page.url.removeprefix(pages.base)))
    section = page.locator("section.report-evidence")
    expect(section).to_contain_text("城市规划.pdf")
    expect(section).to_contain_text("1 files in all")
    pages.check("02-report-evidence")
