"""Launching Debian's Chromium for Playwright (never `playwright install`: the system browser is
the one the deployment documents)."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_or_skip() -> Path:
    """Skip where Chromium is missing on a developer's machine; in CI a missing browser fails."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@contextmanager
def chromium_page(*, locale: str = "zh-CN"):
    """A fresh browser and page; the locale sets Accept-Language, as a Chinese desktop would."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
            yield context.new_page()
        finally:
            browser.close()
