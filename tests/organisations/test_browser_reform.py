"""The establishment office records a merger in a real browser (Chinese interface), at desktop
and phone width; the ended department's page reads 已撤销 with its successor. Screenshots go to
test-artifacts/."""

import pytest
from django.conf import settings

from organisations.models import SubjectKind

from ..browser import chromium_page, sign_in
from ..factories import OrganisationFactory

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


@pytest.mark.parametrize("width, height, name", [(1280, 800, "desktop"), (390, 844, "phone")])
def test_the_establishment_office_records_a_merger(live_server, city, users, width, height, name):
    base = live_server.url
    saic = OrganisationFactory(
        parent=city.city, code="C-GS", name="测试市工商行政管理局", subject_kind=SubjectKind.STATUTORY_ORGAN
    )
    ARTIFACTS.mkdir(exist_ok=True)

    with chromium_page() as page:
        page.set_viewport_size({"width": width, "height": height})
        sign_in(page, base, users.establishment)
        page.goto(f"{base}/office/organisations/{saic.pk}/")
        page.click(f"a[href='/office/organisations/{saic.pk}/reform/']")
        page.select_option("#id_kind", "merged")
        page.select_option("#id_successors", str(city.dept_a.pk))
        page.fill("#id_effective_on", "2019-03-01")
        page.fill("#id_reform", "2018年机构改革 测试市机构改革方案（测发〔2019〕5号）")
        page.fill("#id_note", "市场主体登记、监督管理职能整体划入")
        page.screenshot(path=ARTIFACTS / f"organisation-reform-form-{name}.png", full_page=True)
        page.click("form:has(#id_kind) button[type=submit]")
        page.wait_for_url(f"{base}/office/organisations/{saic.pk}/")
        assert "2019-03-01" in page.inner_text(".messages .warning")
        assert "测试市市场监督管理局" in page.inner_text(".messages .warning")
        page.screenshot(path=ARTIFACTS / f"organisation-ended-{name}.png", full_page=True)
