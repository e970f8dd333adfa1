"""A responsibility set end to end in a real browser: the editor writes a per-step responsibility
and an enforcement standard with its bands, confirms the submission; the office reviews,
approves and publishes; the printed page shows the tables without the controls."""

import pytest
from django.conf import settings

from responsibility.models import ResponsibilitySet
from workflow.review import ReviewStatus

from ..browser import chromium_page, sign_in
from .factories import breakdown_with, responsibility_kind, stage

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


def _login(page, base, user):
    sign_in(page, base, user)


def _transition(page, name):
    page.click(f"form[action$='/transition/{name}/'] button[type=submit]")
    page.wait_for_load_state()


def test_write_review_publish_and_print_a_set(live_server, city, users):
    base = live_server.url
    breakdown_with(city.dept_a, codes=("P-1",))
    ARTIFACTS.mkdir(exist_ok=True)
    confirmations = []

    with chromium_page() as page:
        page.on("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))
        _login(page, base, users.editor_a)
        page.goto(f"{base}/office/responsibility/")
        page.click("form[action$='/responsibility/start/'] button")
        page.wait_for_url("**/sets/*/")
        responsibility_set = ResponsibilitySet.objects.get(department=city.dept_a)

        page.click("a[href$='/responsibilities/new/']")
        page.select_option("#id_kind", value=str(responsibility_kind("handling").pk))
        page.select_option("#id_power_code", value="P-1")
        page.select_option("#id_stage", value=str(stage("filing").pk))
        page.fill("#id_content", "立案责任：符合立案条件的，十个工作日内予以立案。")
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**/sets/{responsibility_set.pk}/")

        page.click("a[href$='/standards/new/']")
        page.select_option("#id_power_code", value="P-1")
        page.fill("#id_title", "未经许可经营的处罚裁量基准")
        for row, (label, circumstances, measure) in enumerate(
            [("轻微", "初次违法并及时改正", "依法可以不予处罚"), ("一般", "货值金额不足一万元", "罚款五万元以上十万元以下")]
        ):
            page.fill(f"#id_bands-{row}-order", str(row + 1))
            page.fill(f"#id_bands-{row}-label", label)
            page.fill(f"#id_bands-{row}-circumstances", circumstances)
            page.fill(f"#id_bands-{row}-measure", measure)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**/sets/{responsibility_set.pk}/")
        assert "罚款五万元以上十万元以下" in page.content()

        _transition(page, "submit")
        assert confirmations, "the submission asked for confirmation"
        responsibility_set.refresh_from_db()
        assert responsibility_set.status == ReviewStatus.SUBMITTED

        page.click("header form button[type=submit]")
        _login(page, base, users.city_reviewer)
        page.goto(f"{base}/office/responsibility/")
        page.click(f"a[href$='/sets/{responsibility_set.pk}/']")
        for name in ("start_review", "approve", "publish"):
            _transition(page, name)
        responsibility_set.refresh_from_db()
        assert responsibility_set.status == ReviewStatus.PUBLISHED

        page.emulate_media(media="print")
        assert page.is_visible("table") and not page.is_visible(".actions")
        page.screenshot(path=str(ARTIFACTS / "responsibility-set-print.png"), full_page=True)
