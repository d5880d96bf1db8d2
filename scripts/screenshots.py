"""Walk through CityReady in headless Chromium and save a screenshot of each page.

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR]
Needs a running app with the demo data (scripts/run.sh) and Debian's chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - after the path

PASSWORD = "cityready-demo-2026"  # noqa: S105 - the published demo login


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def shot(name: str) -> None:
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)

        page.goto(f"{base}/login")
        shot("01-login")
        sign_in(page, base, "official@hangzhou.example")
        shot("02-assessments")
        page.click("text=Continue")
        shot("03-area-planning")
        page.fill("textarea >> nth=0", "x" * 5001)
        page.click("text=Save draft")
        shot("04-area-error")
        page.goto(page.url.replace("/areas/planning", "/review"))
        shot("05-review")
        page.goto(f"{base}/assessments")
        page.click("text=Report >> nth=1")
        shot("06-report")
        page.goto(page.url + "?lang=zh")
        shot("07-report-zh")
        report = page.url.split("?")[0] + "?lang=en"
        for name, link in [
            ("08-targets", "Set targets"),
            ("09-action-plan", "Plan actions"),
            ("10-departments", "Invite departments"),
            ("11-survey", "Manage the survey"),
        ]:
            page.goto(report)
            page.click(f"text={link}")
            shot(name)
        survey_link = page.input_value("#survey-link")
        page.click("text=Printable version for offline use")
        shot("12-survey-paper")
        page.click("text=Sign out")
        page.goto(survey_link)
        shot("13-survey-resident")
        sign_in(page, base, "admin@cityready.example")
        page.goto(report)
        shot("14-report-admin")
        browser.close()


if __name__ == "__main__":
    main()
