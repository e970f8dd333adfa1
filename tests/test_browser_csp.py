"""The Content-Security-Policy in a real browser: the pages' own scripts still run (print button,
language switch, API docs) and the browser reports no violation."""

import pytest

from .browser import chromium_page

pytestmark = pytest.mark.browser


@pytest.fixture
def page():
    with chromium_page(locale="en-GB") as page:
        violations = []
        page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
        page.violations = violations
        yield page


def test_portal_scripts_run_under_the_policy(live_server, city, page):
    page.goto(f"{live_server.url}/")
    printed = page.evaluate(
        "() => { let n = 0; window.print = () => { n += 1; }; document.querySelector('[data-print]').click(); return n; }"
    )
    assert printed == 1
    # The language switch submits itself on change (app.js) and needs no CSRF token.
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.violations == []


def test_api_docs_load_under_the_policy(live_server, page):
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert page.violations == []
