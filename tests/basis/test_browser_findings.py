"""The office's findings page and the approve-with-reason form in a real browser, at desktop and
phone width: the reviewer filters the findings, then approves a contested catalogue with a
reason. Screenshots go to test-artifacts/."""

import pytest
from django.conf import settings

from basis.models import BasisCatalogue, InstrumentLevel, ManagementCategory
from workflow.review import ReviewStatus

from ..browser import chromium_page, sign_in
from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("device", list(WIDTHS))
def test_findings_page_and_approval_with_reason(live_server, city, users, device):
    base = live_server.url
    food = InstrumentFactory(name="中华人民共和国食品安全法", level=InstrumentLevel.LAW)
    drugs = InstrumentFactory(name="中华人民共和国药品管理法", level=InstrumentLevel.LAW)
    punishment = InstrumentFactory(name="中华人民共和国行政处罚法", level=InstrumentLevel.LAW, binds_all_departments=True)
    a = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=a, instrument=food, provisions="第一百二十二条")
    EntryFactory(catalogue=a, instrument=punishment)
    EntryFactory(catalogue=a, instrument=drugs, category=ManagementCategory.JOINT, joint_departments=[city.dept_b])
    b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.UNDER_REVIEW)
    EntryFactory(catalogue=b, instrument=food, provisions="第一百二十二条第一款")
    EntryFactory(catalogue=b, instrument=punishment)
    EntryFactory(catalogue=b, instrument=drugs)
    ARTIFACTS.mkdir(exist_ok=True)
    width, height = WIDTHS[device]

    with chromium_page() as page:
        page.set_viewport_size({"width": width, "height": height})
        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/basis/findings/")
        assert page.locator("table tbody tr").count() == 2  # 多头执法 and the partner mismatch, no 行政处罚法
        page.screenshot(path=str(ARTIFACTS / f"findings-{device}.png"), full_page=True)
        page.select_option("#id_kind", "partner_mismatch")
        page.click("form.filters button[type=submit]:not([name])")
        assert page.locator("table tbody tr").count() == 1

        page.screenshot(path=str(ARTIFACTS / f"findings-filtered-{device}.png"), full_page=True)
        page.goto(f"{base}/office/responsibility/law-to-duty/")
        assert page.locator("table tbody tr").count() >= 1
        page.screenshot(path=str(ARTIFACTS / f"law-to-duty-{device}.png"), full_page=True)

        page.goto(f"{base}/office/basis/catalogues/{b.pk}/")
        form = page.locator("#approve-with-findings")
        assert form.is_visible()
        form.locator("textarea[name=reason]").fill("食品安全监管分工已由测政发〔2021〕12号明确，药品管理法记载待下一版本更正")
        page.screenshot(path=str(ARTIFACTS / f"approve-with-reason-{device}.png"), full_page=True)
        form.locator("input[name=acknowledged_findings]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    b.refresh_from_db()
    assert b.status == ReviewStatus.APPROVED
    assert BasisCatalogue.objects.get(pk=b.pk).events.get(to_status=ReviewStatus.APPROVED).comment.startswith("食品安全监管分工")
