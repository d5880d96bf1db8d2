"""A live CityReady with the demo data, served to Debian's Chromium driven by Playwright.

Every page a test looks at goes through ``Pages.check``: a full-page screenshot into
``screenshots/browser/`` (git-ignored; set BROWSER_SCREENSHOTS to move it) and an axe-core
audit that fails the test on any serious or critical violation.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.cli.demo import DEMO_PASSWORD, seed
from app.extensions import db
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import CHEAP_PASSWORD_HASH

PORTS = range(5700, 5750)  # this project's range for test servers
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", "screenshots/browser"))
FAILING_IMPACTS = ("serious", "critical")
MAX_SHOT_HEIGHT = 8000  # px: the top of a very long page is what people look at


def _serve(app: object) -> BaseWSGIServer:
    for port in PORTS:
        try:
            return make_server("127.0.0.1", port, app, threaded=True)  # type: ignore[arg-type]
        except (OSError, SystemExit):
            # Werkzeug reports a port in use (another test run's) by exiting, not by raising.
            continue
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the demo data and CSRF on, as people get it, on a fresh SQLite file."""
    database = tmp_path_factory.mktemp("browser") / "cityready.sqlite"
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        }
    )
    with app.app_context():
        db.create_all()
        seed()
        db.session.commit()
    server = _serve(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Pages:
    """One browser tab on the live server, with the screenshot-and-audit step every test uses."""

    page: Page
    base: str
    name: str
    audited: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def check(self, step: str) -> None:
        """Screenshot the page as it is now, then fail on any serious or critical axe finding."""
        self.page.wait_for_load_state()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = min(self.page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
        width = self.page.viewport_size["width"] if self.page.viewport_size else 1280
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.name}-{step}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )
        started = time.monotonic()
        result = self.page.evaluate("async () => await axe.run(document)")
        failing = [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]
        self.audited.append(self.page.url)
        print(f"axe {step}: {time.monotonic() - started:.1f}s")
        assert not failing, f"axe on {self.page.url} ({step}):\n" + json.dumps(
            [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in failing
            ],
            indent=1,
            ensure_ascii=False,
        )

    def sign_in(self, email: str) -> None:
        self.go("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/login" not in url)


def open_pages(
    browser: Browser, live_server: str, request: pytest.FixtureRequest, **context: object
) -> Iterator[Pages]:
    ctx = browser.new_context(
        viewport=context.pop("viewport", {"width": 1280, "height": 900}),  # type: ignore[arg-type]
        locale=context.pop("locale", "en-GB"),  # type: ignore[arg-type]
        **context,  # type: ignore[arg-type]
    )
    ctx.set_default_timeout(10_000)
    # An init script is not subject to the page's Content-Security-Policy, unlike a script tag.
    ctx.add_init_script(path=str(AXE))
    page = ctx.new_page()
    yield Pages(page, live_server, request.node.name.removeprefix("test_"))
    ctx.close()


@pytest.fixture
def pages(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    yield from open_pages(browser, live_server, request)
