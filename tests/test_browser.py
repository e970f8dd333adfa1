"""The back office in a real browser: Debian's Chromium through Playwright, against the live
server."""

import pytest
from django.conf import settings
from django.utils import translation

from .browser import chromium_page
from .factories import PASSWORD

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
