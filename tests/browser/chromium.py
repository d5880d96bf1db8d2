"""Debian's Chromium, the only browser this project's machines can run (Playwright's own
download does not work here), and the flags it needs headless in a container."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
