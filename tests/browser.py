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
_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


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
    # Playwright's sync API keeps an event loop in the test thread, so Django would refuse ORM
    # calls made by the test while the browser is open; the live server's own thread is not
    # affected. Allowed for the browser's lifetime only: anywhere else (manage.py check --deploy
    # in a subprocess, say) the variable must stay unset.
    previous = os.environ.get(_ASYNC_UNSAFE)
    os.environ[_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
                yield context.new_page()
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ[_ASYNC_UNSAFE]
        else:
            os.environ[_ASYNC_UNSAFE] = previous


def sign_in(page, base: str, user, *, landing: str = "/office/") -> None:
    """Sign in through the login form, and through the second-factor step with a code from a
    confirmed device where the user needs one (administrators, reviewers)."""
    from .factories import PASSWORD
    from .two_factor import confirmed_device, needs_second_factor, usable_code

    device = confirmed_device(user) if needs_second_factor(user) else None
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_url(f"{base}/accounts/two-factor/verify/**")
        page.fill("#id_code", usable_code(device))
        page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_url(f"{base}{landing}")
