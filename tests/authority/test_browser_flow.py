"""One power end to end in a real browser: the editor builds it on a catalogue provision, creates
a post, assigns the power, registers an officer on the post with pre-post training; the office
records the exam and issues the certificate; an anonymous visitor verifies the certificate."""

import pytest
from django.conf import settings

from authority.models import Certificate, CertificateStatus, PowerItem, PowerKind

from ..browser import chromium_page, sign_in
from ..basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


def _login(page, base, user):
    sign_in(page, base, user)


def _logout(page):
    page.click("header form button[type=submit]")


def test_build_power_assign_officer_verify_certificate(live_server, city, users):
    base = live_server.url
    law = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, provisions="第十条")
    ARTIFACTS.mkdir(exist_ok=True)

    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        _login(page, base, users.editor_a)
        page.goto(f"{base}/office/authority/")
        page.click("form[action$='/authority/start/'] button")
        page.wait_for_load_state()
        page.click("a[href$='/powers/new/']")
        page.fill("#id_name", "未经许可从事经营活动的处罚")
        page.fill("#id_code", "330217001000")
        page.select_option("#id_kind", label="行政处罚")
        page.fill("#id_basis", "《测试市场监督条例》第十条")
        page.select_option("#id_handling_agency", label=city.agency_a.name)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/powers/*/")
        power = PowerItem.objects.get(code="330217001000")

        page.goto(f"{base}/office/authority/posts/")
        page.select_option("#id_agency", label=city.agency_a.name)
        page.fill("#id_name", "案件办理岗")
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{base}/office/authority/posts/")

        page.goto(f"{base}/office/authority/breakdowns/{power.breakdown_id}/powers/{power.pk}/")
        page.select_option("form[action$='/assign/'] #id_post", label=f"{city.agency_a.name} · 案件办理岗")
        page.select_option("form[action$='/assign/'] #id_role", value="handling")
        page.click("form[action$='/assign/'] button")
        page.wait_for_load_state()
        assert power.assignments.count() == 1

        page.goto(f"{base}/office/authority/officers/")
        page.fill("#id_name", "王明")
        page.fill("#id_id_number", "110101199001011234")
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_url("**/officers/*/")
        page.select_option("form[action$='/place/'] #id_post", label=f"{city.agency_a.name} · 案件办理岗")
        page.fill("form[action$='/place/'] #id_since", "2026-01-05")
        page.click("form[action$='/place/'] button")
        page.wait_for_load_state()
        page.select_option("form[action$='/training/'] #id_kind", value="pre_post")
        page.fill("form[action$='/training/'] #id_hours", "40")
        page.fill("form[action$='/training/'] #id_completed_on", "2026-01-10")
        # The training names what it covers (§3(三)): the post, and 行政处罚 for the certificate.
        page.check("form[action$='/training/'] input[name=posts] >> nth=0")
        page.check(f"form[action$='/training/'] input[name=kinds][value='{PowerKind.objects.get(code='penalty').pk}']")
        page.click("form[action$='/training/'] button")
        page.wait_for_load_state()
        officer_url = page.url
        _logout(page)

        _login(page, base, users.city_reviewer)
        page.goto(officer_url)
        page.fill("form[action$='/exam/'] #id_taken_on", "2026-01-20")
        page.fill("form[action$='/exam/'] #id_score", "86")
        page.click("form[action$='/exam/'] button")
        page.wait_for_load_state()
        page.fill("#id_number", "SC2026000777")
        page.fill("#id_area", "测试市")
        page.check("form[action$='/certificate/'] input[type=checkbox] >> nth=1")  # 行政处罚
        page.click("form[action$='/certificate/'] button")
        page.wait_for_load_state()
        certificate = Certificate.objects.get(number="SC2026000777")
        assert certificate.status == CertificateStatus.VALID
        assert [k.name for k in certificate.kinds.all()] == ["行政处罚"]
        page.screenshot(path=ARTIFACTS / "authority-officer.png", full_page=True)
        _logout(page)

        page.goto(f"{base}/verify/")
        page.fill("#id_number", "SC2026000777")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        text = page.inner_text("main")
        page.screenshot(path=ARTIFACTS / "authority-verify.png", full_page=True)
        assert "王明" in text and city.dept_a.name in text and "SC2026000777" in text
        assert page.locator("[data-status=valid]").count() == 1
        assert "110101199001011234" not in page.content()
