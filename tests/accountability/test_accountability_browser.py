"""The office registers a case against an officer, investigates, decides 取消执法资格 and
notifies, in a real browser — and the officer is gone from the public officer list and the
public verification page says revoked.

With ``ACCOUNTABILITY_SHOTS`` set to a folder, the case list, the case page and the decision
form are photographed there at desktop and phone widths."""

import os
from pathlib import Path

import pytest

from accountability.models import Case, CaseStatus
from authority.models import CertificateStatus

from ..browser import chromium_page, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACCOUNTABILITY_SHOTS", "")


def _shoot(page, name):
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def _open_details(page, form_selector):
    page.click(f"details:has({form_selector}) > summary")


def test_office_revokes_and_the_public_sees_it(live_server, city, users, officer):
    base = live_server.url
    number = officer.certificate.number
    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        # Before: the officer is listed and verifies as valid.
        page.goto(f"{base}/departments/{city.dept_a.code}/officers/")
        assert officer.name in page.content()
        page.goto(f"{base}/verify/{number}/")
        assert page.locator("[data-status=valid]").count() == 1

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/accountability/new/")
        page.select_option("#id_department", value=str(city.dept_a.pk))
        page.select_option("#id_source_kind", value="complaint")
        page.fill("#id_source_text", "群众举报：执法人员在检查中索要财物")
        page.fill("#id_act", "2026年5月对某餐馆的现场检查")
        page.check("#id_register")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/office/accountability/*/")
        case = Case.objects.get()
        assert case.status == CaseStatus.REGISTERED

        page.click("#do-investigate")
        page.wait_for_selector("#do-propose")
        _open_details(page, "form[action$='/persons/']")
        page.select_option("form[action$='/persons/'] #id_officer", label=officer.name)
        page.select_option("form[action$='/persons/'] #id_part", value="handler")
        page.select_option("form[action$='/persons/'] #id_responsibility", value="direct")
        page.fill("form[action$='/persons/'] #id_grounds", "利用职务便利索要财物，查证属实")
        page.click("form[action$='/persons/'] button[type=submit]")
        page.wait_for_load_state()
        _open_details(page, "form[action$='/measures/']")
        page.select_option("form[action$='/measures/'] #id_kind", value="revoke")
        page.select_option("form[action$='/measures/'] #id_person", label=officer.name)
        page.click("form[action$='/measures/'] button[type=submit]")
        page.wait_for_load_state()
        assert case.measures.count() == 1

        page.click("#do-propose")
        page.wait_for_selector("#do-decide")
        _shoot(page, "case-page")
        page.click("#do-decide")
        page.wait_for_url("**/decide/")
        page.fill("#id_grounds", "经调查，该执法人员利用职务便利索要财物，事实清楚，证据确凿。")
        _shoot(page, "decision-form")
        page.click("#decide")
        page.wait_for_selector("#do-notify")
        page.click("#do-notify")
        page.wait_for_load_state()
        case.refresh_from_db()
        assert case.status == CaseStatus.NOTIFIED and case.remedy_text
        if SHOTS:  # a list worth photographing: a few more cases in several states
            from accountability import services

            for i, act in enumerate(["行政许可超期未作决定", "罚款未开具统一票据", "查封扣押未制作清单", "执法检查未出示证件"]):
                other = services.case_open(actor=users.city_reviewer, department=[city.dept_a, city.dept_b][i % 2],
                                           source_kind=["complaint", "spot_check", "reversal", "referral"][i],
                                           source_text="截图用数据", act=act, register=i != 3)
                if i == 1:
                    services.case_investigate(actor=users.city_reviewer, case=other)
        page.goto(f"{base}/office/accountability/")
        assert case.number in page.content()
        _shoot(page, "case-list")
        page.click("header form button[type=submit]")  # sign out
        page.wait_for_load_state()

        officer.certificate.refresh_from_db()
        assert officer.certificate.status == CertificateStatus.REVOKED
        page.goto(f"{base}/departments/{city.dept_a.code}/officers/")
        assert officer.name not in page.content()
        page.goto(f"{base}/verify/{number}/")
        assert page.locator("[data-status=revoked]").count() == 1
