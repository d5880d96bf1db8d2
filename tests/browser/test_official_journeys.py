"""An official in a real browser: the whole journey, both languages, the keyboard alone, a phone.

Each test that changes data signs in as a different demo city, so they share one live server
without clashing; a test that only reads opens its city's demo round, whatever others have added.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect
from pypdf import PdfReader

from tests.browser.conftest import Pages, open_pages

pytestmark = pytest.mark.browser


def answer_every_question(page: Page, value: str) -> int:
    questions = page.locator("fieldset.question")
    for index in range(questions.count()):
        questions.nth(index).locator(f'input[type="radio"][value="{value}"]').check()
    return questions.count()


def open_pdf(page: Page, link: Locator) -> bytes:
    """Click a link to a PDF and return the document the browser received. Chromium shows a PDF
    in its own viewer, whose page holds none of the bytes, so a route hands them over on their
    way through, unchanged."""
    received: list[bytes] = []

    def pass_through(route: Route) -> None:
        response = route.fetch()
        received.append(response.body())
        route.fulfill(response=response)

    page.route("**/*.pdf*", pass_through)
    with page.expect_response(lambda r: ".pdf" in r.url, timeout=60_000) as answer:
        link.click()
    page.unroute("**/*.pdf*", pass_through)
    assert answer.value.ok and answer.value.headers["content-type"] == "application/pdf"
    return received[0]


def pdf_text(document: bytes) -> str:
    return "".join(
        "".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(document)).pages
    )


def test_official_fills_in_saves_resumes_submits_and_reads_the_report(pages: Pages) -> None:
    page = pages.page
    pages.go("/login")
    pages.check("01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address.")
    pages.check("02-sign-in-errors")
    pages.sign_in("official@hangzhou.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("杭州 Hangzhou: assessments")
    pages.check("03-assessments")

    page.get_by_role("button", name="Start a new assessment").click()
    expect(page).to_have_url(re.compile(r"/areas/planning$"))
    pages.check("04-planning")
    answered = answer_every_question(page, "3")
    page.locator("textarea").first.fill("Plan adopted by the city council in 2025.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_have_text("Draft saved.")
    pages.check("05-draft-saved")

    page.get_by_role("link", name="Assessments").first.click()
    pages.check("06-list-with-draft")
    page.get_by_role("link", name=re.compile("^Continue")).first.click()
    expect(page.locator('input[type="radio"][value="3"]:checked')).to_have_count(answered)
    expect(page.locator("textarea").first).to_have_value(
        "Plan adopted by the city council in 2025."
    )
    pages.check("07-resumed")

    page.get_by_role("button", name="Save and continue").click()
    for area in ("environment", "participation"):
        expect(page).to_have_url(re.compile(rf"/areas/{area}$"))
        answer_every_question(page, "4")
        pages.check(f"08-{area}")
        page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review and submit")
    expect(page.get_by_role("heading", name="All questions are answered")).to_be_visible()
    pages.check("09-review")
    page.get_by_role("link", name="Submit for review…").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit for review?")
    pages.check("09b-confirm-submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_have_text("Submitted. Here is your city's report.")
    expect(page.locator(".headline-score")).to_contain_text("/100")
    pages.check("10-report")

    document = open_pdf(page, page.get_by_role("link", name="Download PDF"))
    assert document.startswith(b"%PDF-")
    assert "杭州Hangzhou" in pdf_text(document)


def test_switching_language_translates_every_page(pages: Pages) -> None:
    page = pages.page
    pages.go("/login")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("贵市智慧城市建设准备程度如何？")
    pages.check("01-zh-sign-in")
    page.get_by_label("电子邮箱").fill("official@guiyang.example")
    page.get_by_label("密码", exact=True).fill("cityready-demo-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("贵阳 Guiyang：评估列表")
    pages.check("02-zh-assessments")

    page.get_by_role("link", name=re.compile("^报告")).first.click()
    expect(page.get_by_role("heading", name="建议对策")).to_be_visible()
    expect(page.locator(".level-pill")).to_contain_text("共5级")
    pages.check("03-zh-report")

    page.get_by_role("link", name="评估").first.click()
    page.get_by_role("button", name="新建评估").click()
    expect(page.get_by_role("button", name="保存草稿")).to_be_visible()
    pages.check("04-zh-area")
    page.get_by_role("button", name="保存并继续").click()
    pages.check("05-zh-next-area")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    pages.check("06-back-in-english")


def tab_until(page: Page, is_target: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``is_target(el)``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(({is_target}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {is_target}")


FOCUS_IS_VISIBLE_AND_UNCOVERED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const bar = document.querySelector('.sticky-actions');
  const covered = bar && !bar.contains(el) && rect.bottom > bar.getBoundingClientRect().top;
  return {outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px', covered};
}"""


def test_an_area_can_be_completed_with_the_keyboard_alone(pages: Pages) -> None:
    page = pages.page
    pages.go("/login")
    tab_until(page, "el => el.id === 'email'")
    page.keyboard.type("official@shenzhen.example")
    page.keyboard.press("Tab")
    page.keyboard.type("cityready-demo-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shenzhen")
    tab_until(page, "el => el.value === 'Start a new assessment'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/areas/planning$"))

    questions = page.locator("fieldset.question").count()
    for number in range(questions):
        # Tab lands on the group's first radio; Space picks it, each arrow moves one level up.
        tab_until(page, "el => el.type === 'radio'")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        focus = page.evaluate(FOCUS_IS_VISIBLE_AND_UNCOVERED)
        assert focus == {"outline": True, "covered": False}, f"question {number + 1}: {focus}"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        assert not page.evaluate(FOCUS_IS_VISIBLE_AND_UNCOVERED)["covered"]
        if number == 0:
            page.keyboard.type("Typed without a mouse.")
            pages.check("01-focus-on-a-comment")
    expect(page.locator('input[type="radio"][value="2"]:checked')).to_have_count(questions)
    tab_until(page, "el => el.value === 'Save and continue'")
    pages.check("02-focus-on-save")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/areas/environment$"))
    planning_step = page.get_by_role("navigation", name="Progress").get_by_role("link").first
    expect(planning_step).to_contain_text(f"{questions} of {questions} answered")


@pytest.fixture
def phone(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    yield from open_pages(
        browser, live_server, request, viewport={"width": 390, "height": 844}, is_mobile=True
    )


def fits_the_width(page: Page) -> bool:
    """Nothing scrolls sideways: a phone would otherwise zoom out to show the overflow."""
    page.wait_for_load_state()
    width = page.viewport_size["width"] if page.viewport_size else 0
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {width}"))


def test_pages_work_on_a_phone_and_in_large_text_high_contrast(phone: Pages) -> None:
    page = phone.page
    phone.sign_in("official@chengdu.example")
    visits: list[tuple[str, Callable[[], object]]] = [
        ("assessments", lambda: None),
        ("report", lambda: page.get_by_role("link", name=re.compile("^Report")).first.click()),
        ("assessments-again", lambda: page.get_by_role("link", name="Assessments").first.click()),
        ("area", lambda: page.get_by_role("button", name="Start a new assessment").click()),
    ]
    for name, go in visits:
        go()
        assert fits_the_width(page), f"{name} scrolls sideways at 390px"
        phone.check(f"390px-{name}")

    page.get_by_role("button", name="Large text, high contrast").click()
    expect(page.locator("html")).to_have_class("high-contrast")
    expect(page.get_by_role("button", name="Large text, high contrast")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert fits_the_width(page)
    phone.check("390px-area-high-contrast")
    page.get_by_role("link", name="Assessments").first.click()
    page.get_by_role("link", name=re.compile("^Report")).last.click()
    assert fits_the_width(page)
    phone.check("390px-report-high-contrast")
    # 200% zoom of a 1280px window is a 640px layout; WCAG's reflow test is 320px.
    for width in (640, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert fits_the_width(page), f"report scrolls sideways at {width}px"
        phone.check(f"{width}px-report-high-contrast")


def open_the_demo_round(page: Page) -> None:
    """Open the report of the city's oldest submitted round: the demo's, with its evidence and
    resident survey, even after another test has filed or started a newer one."""
    demo_round = page.locator("tr", has=page.locator(".badge-submitted")).last
    demo_round.get_by_role("link", name=re.compile("^Report")).click()


def test_the_paper_card_and_residents_voice_fit_320px(phone: Pages) -> None:
    """The widest rows an official meets: the copies, print and key-in controls, and the residents'
    score beside the city's own (only Hangzhou's demo round has a resident survey)."""
    page = phone.page
    phone.sign_in("official@hangzhou.example")
    page.set_viewport_size({"width": 320, "height": 800})
    assert fits_the_width(page), "the assessments list scrolls sideways at 320px"
    phone.check("320px-assessments")
    open_the_demo_round(page)
    expect(page.locator(".voice-compare")).to_be_visible()
    assert fits_the_width(page), "the report scrolls sideways at 320px"
    phone.check("320px-report-residents")


ON_ONE_LINE = """(el) => {
  const text = document.createRange();
  text.selectNodeContents(el);
  return new Set([...text.getClientRects()].map(box => Math.round(box.top))).size === 1;
}"""


def test_the_chinese_confidence_column_head_keeps_to_one_line(pages: Pages) -> None:
    """把握程度 broke after its third character, even at 1280px, beside the long questions."""
    page = pages.page
    pages.sign_in("official@guiyang.example")
    open_the_demo_round(page)
    report = page.url
    page.goto(report + "?lang=zh")
    head = page.locator(".evidence-table th", has_text="把握程度")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert head.evaluate(ON_ONE_LINE), f"把握程度 wraps at {width}px"
    pages.check("320px-zh-evidence")
    page.goto(report + "?lang=en")  # the language sticks to the account; leave it as found


# The admin pages add links beside "Assessments"; the header is designed for five of them.
FIVE_LINKS = """(names) => {
  const nav = document.querySelector('.main-nav');
  for (const name of names.slice(0, Math.max(0, 5 - nav.querySelectorAll('a').length))) {
    const link = document.createElement('a'); link.href = '#'; link.textContent = name;
    nav.appendChild(link);
  }
}"""
MORE_LINKS = {
    "en": ["Dashboard", "Users", "Audit", "Reports"],
    "zh": ["仪表板", "用户", "审计日志", "报告"],
}
HEADER_LAYOUT = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  return {height: box('.site-header').height, nav: box('.main-nav').top,
          toolsEnd: box('.header-tools').bottom, brand: box('.brand').bottom};
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("email", ["official@lanzhou.example", "admin@cityready.example"])
def test_the_header_keeps_to_one_row_at_1280px_and_wraps_in_order_below(
    pages: Pages, email: str, lang: str
) -> None:
    page = pages.page
    pages.sign_in(email)
    pages.go(f"/assessments?lang={lang}")
    try:
        page.evaluate(FIVE_LINKS, MORE_LINKS[lang])
        who = email.split("@")[0]
        for width in (1280, 768, 390):
            page.set_viewport_size({"width": width, "height": 800})
            layout = page.evaluate(HEADER_LAYOUT)
            assert fits_the_width(page), f"the header scrolls sideways at {width}px"
            if width == 1280:
                assert layout["height"] < 80, f"two rows at 1280px: {layout}"
            assert layout["nav"] < layout["toolsEnd"], (
                f"links below the tools at {width}px: {layout}"
            )
            pages.check(f"header-{who}-{lang}-{width}px")
    finally:
        pages.go("/assessments?lang=en")  # the switch is saved on the account other tests use
