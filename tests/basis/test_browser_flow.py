"""The whole catalogue round in a real browser: the editor imports a spreadsheet, submits; the
office returns it with a comment on one entry; the editor fixes it and submits again; the office
approves and publishes; an anonymous visitor sees it on the portal."""

from io import BytesIO

import pytest
from django.conf import settings
from openpyxl import Workbook

from basis.models import BasisCatalogue
from workflow.review import ReviewStatus

from ..browser import chromium_page, sign_in
from .factories import CatalogueFactory, InstrumentFactory, provisions

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


def _spreadsheet(department, food, ads) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "法律法规名称", "条款", "管理类别", "主要执行部门", "法定权利和义务"])
    sheet.append([1, food.name, "第三十五条", "单一主管", department.name, "实施食品生产经营许可"])
    sheet.append([2, ads.name, "第五十五条", "单一主管", department.name, "查处虚假广告"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _login(page, base, user):
    sign_in(page, base, user)


def _logout(page):
    page.click("header form button[type=submit]")


def test_import_submit_return_fix_approve_publish_visible(live_server, city, users, tmp_path):
    base = live_server.url
    food = InstrumentFactory(name="中华人民共和国食品安全法")
    ads = InstrumentFactory(name="中华人民共和国广告法")
    provisions(food, "第三十五条")
    provisions(ads, "第五十五条")
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    upload = tmp_path / "目录.xlsx"
    upload.write_bytes(_spreadsheet(city.dept_a, food, ads))
    ARTIFACTS.mkdir(exist_ok=True)

    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each action
        _login(page, base, users.editor_a)
        page.goto(f"{base}/office/basis/catalogues/{catalogue.pk}/import/")
        page.set_input_files("#id_file", str(upload))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("button[name=confirm]", state="attached")
        page.screenshot(path=ARTIFACTS / "basis-import-preview.png", full_page=True)
        page.click("button[name=confirm]")
        page.wait_for_url(f"{base}/office/basis/catalogues/{catalogue.pk}/")
        assert "中华人民共和国广告法" in page.inner_text("main")
        page.click("form[action$='/transition/submit/'] button")
        page.wait_for_load_state()
        assert BasisCatalogue.objects.get(pk=catalogue.pk).status == ReviewStatus.SUBMITTED
        _logout(page)

        _login(page, base, users.city_reviewer)
        page.goto(f"{base}/office/basis/catalogues/")
        page.click(f"text={city.dept_a.name}")
        page.click("form[action$='/transition/start_review/'] button")
        page.wait_for_load_state()
        ads_entry = catalogue.entries.get(instrument=ads)
        page.fill(f"#c{ads_entry.pk}", "应注明第五十七条")
        page.click(f"#entry-{ads_entry.pk} form[action$='/comment/'] button")
        page.wait_for_load_state()
        page.click("form[action$='/transition/return/'] button")
        page.wait_for_load_state()
        assert BasisCatalogue.objects.get(pk=catalogue.pk).status == ReviewStatus.RETURNED
        _logout(page)

        _login(page, base, users.editor_a)
        page.goto(f"{base}/office/basis/catalogues/{catalogue.pk}/")
        assert "应注明第五十七条" in page.inner_text("main")
        provisions(ads, "第五十七条")
        page.click(f"#entry-{ads_entry.pk} a")
        page.fill("#id_provisions", "第五十五条、第五十七条")
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{base}/office/basis/catalogues/{catalogue.pk}/")
        page.click("form[action$='/transition/submit/'] button")
        page.wait_for_load_state()
        _logout(page)

        _login(page, base, users.city_reviewer)
        page.goto(f"{base}/office/basis/catalogues/{catalogue.pk}/")
        for step in ("start_review", "approve", "publish"):
            page.click(f"form[action$='/transition/{step}/'] button")
            page.wait_for_load_state()
        assert BasisCatalogue.objects.get(pk=catalogue.pk).status == ReviewStatus.PUBLISHED
        _logout(page)

        page.goto(f"{base}/catalogues/")
        page.click(f"text={city.dept_a.name}")
        text = page.inner_text("main")
        page.screenshot(path=ARTIFACTS / "portal-department-catalogue.png", full_page=True)
        assert "中华人民共和国广告法" in text
        assert "第五十五条、第五十七条" in text
