"""The back office in a real browser: Debian's Chromium through Playwright, against the live
server."""

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.utils import translation

from .browser import chromium_page
from .factories import PASSWORD
from .two_factor import totp_code

pytestmark = pytest.mark.browser

ARTIFACTS = settings.BASE_DIR / "test-artifacts"
ZH_CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def page():
    with chromium_page() as page:
        yield page


def test_department_editor_logs_in_and_sees_the_chinese_home_page(live_server, city, users, page):
    editor = users.editor_a
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "office-home-department-editor.png", full_page=True)

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert editor.full_name in page.locator("main h1").inner_text()
    assert city.dept_a.name in page.locator("header .who").inner_text()
    assert city.dept_a.name in page.locator("main").inner_text()
    if ZH_CATALOGUE.exists():
        with translation.override("zh-hans"):
            organisations = translation.gettext("Organisations")
        assert organisations != "Organisations"
        assert organisations in page.locator("nav.side").inner_text()


def test_reviewer_enrols_a_second_factor_then_signs_in_with_password_and_code(live_server, users, page):
    """The first sign-in of a reviewer sets up the authenticator (the test plays the app: it
    reads the key from the page and computes the code); the next asks for a fresh code."""
    reviewer = users.city_reviewer
    base = live_server.url

    def password():
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", reviewer.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

    password()
    page.wait_for_url(re.compile(r".*/accounts/two-factor/(\?.*)?$"))
    assert page.locator(".qr svg").count() == 1  # drawn by the server, no image fetched
    key = page.locator("#otp-secret").get_attribute("data-secret")
    assert page.locator("#otp-secret").inner_text().replace(" ", "") == key
    page.goto(f"{base}/office/")  # nothing else before enrolment
    assert "/accounts/two-factor/" in page.url
    key = page.locator("#otp-secret").get_attribute("data-secret")
    page.fill("#id_code", totp_code(b32decode(key)))
    page.click("form:has(#id_code) button[type=submit]")
    assert page.locator(".recovery-codes li").count() == 10
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "two-factor-recovery-codes.png", full_page=True)
    page.click("main a.btn")
    page.wait_for_url(f"{base}/office/")
    assert reviewer.full_name in page.locator("main h1").inner_text()

    page.click("header form button[type=submit]")  # log out
    password()
    page.wait_for_url(re.compile(r".*/accounts/two-factor/verify/.*"))
    # The code of the next period: this period's was used at enrolment, and is refused twice.
    page.fill("#id_code", totp_code(b32decode(key), steps_ahead=1))
    page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_url(f"{base}/office/")
    assert reviewer.full_name in page.locator("main h1").inner_text()
