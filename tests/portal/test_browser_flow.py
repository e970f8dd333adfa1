"""An anonymous visitor in a real browser: home → the city → a department → one of its powers
with the flowchart → the posts → the disclosure booklet (a real PDF rendered by WeasyPrint);
then the same department page on a phone-sized screen."""

from pathlib import Path

import pytest
from django.conf import settings

from responsibility.models import DocumentStatus

from ..browser import chromium_page
from .conftest import document

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


def test_visitor_reads_a_department_and_downloads_its_booklet(live_server, city, published):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from weasyprint import HTML

    pdf = HTML(string="<p>陇南</p>").write_pdf()
    document(city.dept_a, "booklet", 1, status=DocumentStatus.READY, content=pdf)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    with chromium_page() as page:
        page.goto(f"{base}/")
        page.click(f"a[href='/governments/{city.city.code}/']")
        page.wait_for_url(f"{base}/governments/{city.city.code}/")
        assert city.dept_b.name in page.inner_text("main")
        page.click(f"main a[href='/departments/{city.dept_a.code}/']")
        page.wait_for_url(f"{base}/departments/{city.dept_a.code}/")
        assert "数据更新时间" in page.inner_text("main") or page.locator(".data-as-of time").count() == 1

        page.click(f".portal-tabs a[href='/departments/{city.dept_a.code}/powers/']")
        page.wait_for_url("**/powers/")
        page.click(f"a[href='/departments/{city.dept_a.code}/powers/{published.power.code}/']")
        page.wait_for_url(f"**/powers/{published.power.code}/")
        assert page.locator("figure svg.flowchart g.step").count() == 2
        text = page.inner_text("main")
        assert published.power.name in text and "案件办理岗" in text and "十个工作日内予以立案" in text
        page.screenshot(path=ARTIFACTS / "portal-power.png", full_page=True)

        page.click(f".portal-tabs a[href='/departments/{city.dept_a.code}/posts/']")
        page.wait_for_url("**/posts/")
        assert "案件办理岗" in page.inner_text("main") and published.power.name in page.inner_text("main")

        page.click(f".portal-tabs a[href='/departments/{city.dept_a.code}/']")
        page.wait_for_url(f"{base}/departments/{city.dept_a.code}/")
        link = page.locator(f"a[href='/departments/{city.dept_a.code}/disclosure/booklet.pdf']")
        assert link.count() == 1
        with page.expect_response(lambda r: r.url.endswith("/disclosure/booklet.pdf")) as response_info:
            try:
                with page.expect_download(timeout=5000) as download_info:
                    link.click()
                body = Path(download_info.value.path()).read_bytes()
            except PlaywrightTimeout:  # Chromium showed the PDF inline instead of saving it
                body = None
        response = response_info.value
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert "inline" in response.headers["content-disposition"]
        if body is None:
            body = page.request.get(response.url).body()
        assert body.startswith(b"%PDF") and body == pdf

        # Printed: the tabs, the search and the print button go; the data and its date stay.
        page.goto(f"{base}/departments/{city.dept_a.code}/")
        page.emulate_media(media="print")
        assert not page.locator(".portal-tabs").is_visible()
        assert page.locator(".data-as-of time").is_visible() and not page.locator(".data-as-of button").is_visible()
        page.emulate_media(media="screen")

        # A phone: nothing wider than the screen, the tabs wrap, the page is readable.
        page.set_viewport_size({"width": 390, "height": 844})
        for path in (f"/departments/{city.dept_a.code}/", f"/departments/{city.dept_a.code}/powers/{published.power.code}/",
                     f"/departments/{city.dept_a.code}/powers/"):
            page.goto(f"{base}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=ARTIFACTS / "portal-phone-power-list.png", full_page=True)
        page.goto(f"{base}/departments/{city.dept_a.code}/powers/{published.power.code}/")
        page.screenshot(path=ARTIFACTS / "portal-phone-power.png", full_page=True)
