"""Every page reflows (WCAG 1.4.10): on a 390 px phone and a 1280 px desktop, and at 320 px in
the app's large-text mode, in both languages, nothing scrolls sideways. Tables too wide for the
screen scroll inside their own box or turn into cards; the page itself never does.

Screenshots of each render land in ``screenshots/browser/reflow-*``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import SCREENSHOTS, Pages, open_pages

pytestmark = pytest.mark.browser

OFFICIAL_PAGES = [
    "/assessments",
    "/assessments/3/areas/planning",
    "/assessments/3/areas/participation",
    "/assessments/3/review",
    "/assessments/2/report",
    "/assessments/1/report",
    "/assessments/2/targets",
    "/assessments/2/actions",
    "/assessments/3/departments",
    "/assessments/2/survey",
    "/paper/responses/new",
    "/account/password",
    "/account/tokens",
]
ADMIN_PAGES = [
    "/admin",
    "/admin/assessments",
    "/admin/assessments/2",
    "/admin/compare?ids=7&ids=6&ids=5",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/2",
    "/admin/audit",
    "/admin/questions",
]
VIEWS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
    "small-large-text": {"width": 320, "height": 640},
}

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let up = el.parentElement, clipped = false;
    while (up && up !== document.body) {
      if (scrolls(up)) { clipped = true; break; }
      up = up.parentElement;
    }
    const right = Math.round(box.right);
    if (!clipped) found.push(`${el.tagName.toLowerCase()}.${el.className} (right edge ${right})`);
  }
  return found.slice(0, 5);
}"""


def set_large_text(page: Page, wanted: bool) -> None:
    """The header's toggle; it is saved on the account, so every test leaves it off."""
    toggle = page.locator(".display-toggle")
    if (toggle.get_attribute("aria-pressed") == "true") != wanted:
        toggle.click()
        page.wait_for_load_state()


def sideways(page: Page) -> list[str]:
    width = page.evaluate("window.innerWidth")
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return []
    return page.evaluate(OVERFLOWING) or ["the page, by something without a box"]


def walk(pages: Pages, paths: list[str], view: str) -> list[str]:
    """Each page in each language; the problems found, one line each."""
    problems = []
    width = VIEWS[view]["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        for path in paths:
            pages.go(path + ("&" if "?" in path else "?") + f"lang={lang}")
            pages.page.wait_for_load_state()
            slug = re.sub(r"[^a-z0-9]+", "-", path).strip("-")
            pages.page.screenshot(
                path=str(SCREENSHOTS / f"reflow-{view}-{lang}-{slug}.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": 4000},
            )
            problems += [f"{view} {lang} {path}: {found}" for found in sideways(pages.page)]
    return problems


def survey_link(pages: Pages) -> list[str]:
    """The residents' own pages, by the link the official shares, when a survey is open."""
    pages.go("/assessments/2/survey")
    link = pages.page.locator("#survey-link")
    if not link.count():
        return []
    token = re.search(r"/s/[\w-]+", link.input_value())
    return [token.group(), token.group() + "/print"] if token else []


@pytest.fixture(params=list(VIEWS))
def view(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sized(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, view: str
) -> Iterator[Pages]:
    yield from open_pages(browser, live_server, request, viewport=VIEWS[view])


@pytest.mark.parametrize(
    ("email", "paths"),
    [("official@hangzhou.example", OFFICIAL_PAGES), ("admin@cityready.example", ADMIN_PAGES)],
    ids=["official", "admin"],
)
def test_no_page_scrolls_sideways(sized: Pages, view: str, email: str, paths: list[str]) -> None:
    sized.sign_in(email)
    large_text = view == "small-large-text"
    set_large_text(sized.page, large_text)
    try:
        extra = survey_link(sized) if email.startswith("official") else []
        problems = walk(sized, paths + extra, view)
    finally:
        sized.go("/assessments")
        set_large_text(sized.page, False)
    assert not problems, "\n".join(problems)


def test_the_sign_in_page_reflows(sized: Pages, view: str) -> None:
    """Signed out, large text is kept for the session."""
    sized.go("/login")
    set_large_text(sized.page, view == "small-large-text")
    assert not walk(sized, ["/login"], view)


def test_the_save_bar_never_hides_the_focused_field_on_a_small_screen(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> None:
    """WCAG 2.4.11 on the key-in page at 320 × 640 in large text, where the sticky bar wraps to
    two rows: every field Tab reaches is scrolled clear of it."""
    for pages in open_pages(browser, live_server, request, viewport=VIEWS["small-large-text"]):
        pages.sign_in("official@hangzhou.example")
        set_large_text(pages.page, True)
        try:
            pages.go("/paper/responses/new")
            hidden = []
            for _ in range(25):
                pages.page.keyboard.press("Tab")
                covered = pages.page.evaluate(
                    """() => {
                      const el = document.activeElement;
                      const bar = document.querySelector('.sticky-actions');
                      if (!el || !bar || bar.contains(el)) return null;
                      const box = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
                      return box.bottom > top + 1 ? (el.id || el.tagName) : null;
                    }"""
                )
                if covered:
                    hidden.append(covered)
        finally:
            pages.go("/assessments")
            set_large_text(pages.page, False)
        assert not hidden, f"under the save bar when focused: {hidden}"


CHART_TEXT = """() => [...document.querySelectorAll('.chart-label, .chart-value, svg.chart text')]
  .filter((el) => el.getClientRects().length)
  .map((el) => {
    const box = el.getBoundingClientRect(), width = document.documentElement.clientWidth;
    const svg = el instanceof SVGElement;
    const inside = box.left >= -1 && box.right <= width + 1
      && (svg || el.scrollWidth <= el.clientWidth + 1);
    return {svg, height: box.height, clipped: !inside, text: el.textContent};
  })"""


def chart_text(page: Page) -> list[dict[str, object]]:
    return list(page.evaluate(CHART_TEXT))


@pytest.mark.parametrize(
    ("email", "path"),
    [("admin@cityready.example", "/admin"), ("official@hangzhou.example", "/assessments/2/report")],
    ids=["dashboard", "report"],
)
@pytest.mark.parametrize("width", [390, 1280])
def test_chart_labels_grow_with_large_text_and_none_is_clipped(
    browser: Browser,
    live_server: str,
    request: pytest.FixtureRequest,
    email: str,
    path: str,
    width: int,
) -> None:
    """The bar charts' labels are page text: larger in large-text mode, wrapped, never cut off."""
    viewport = {"width": width, "height": 900}
    for pages in open_pages(browser, live_server, request, viewport=viewport):
        pages.sign_in(email)
        try:
            set_large_text(pages.page, False)
            pages.go(f"{path}?lang=en")
            normal = chart_text(pages.page)
            set_large_text(pages.page, True)
            pages.go(f"{path}?lang=en")
            large = chart_text(pages.page)
        finally:
            set_large_text(pages.page, False)
        assert normal and len(large) == len(normal)
        assert not [t["text"] for t in normal + large if t["clipped"]]
        html_labels = [(a, b) for a, b in zip(normal, large, strict=True) if not a["svg"]]
        assert html_labels and all(float(b["height"]) > float(a["height"]) for a, b in html_labels)


FOCUSABLE_REGIONS = """() => [...document.querySelectorAll('.table-wrap[role=region]')].map(
  (region) => ({overflows: region.scrollWidth > region.clientWidth + 1,
                focusable: region.getAttribute('tabindex') === '0'}))"""


@pytest.mark.parametrize("view", ["phone", "desktop"])
def test_a_table_region_is_a_tab_stop_only_when_its_table_scrolls(sized: Pages, view: str) -> None:
    """a11y review, finding 8: 13 empty tab stops on the report at 1280 px."""
    sized.sign_in("official@hangzhou.example")
    sized.go("/assessments/2/report")
    regions = sized.page.evaluate(FOCUSABLE_REGIONS)
    assert regions
    assert all(region["focusable"] == region["overflows"] for region in regions), regions
    if view == "desktop":
        assert not any(region["focusable"] for region in regions)
