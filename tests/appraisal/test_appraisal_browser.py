"""Appraisal end to end in a real browser: the office creates the year's scheme and runs a round
(computed by the task the commit enqueues), the department objects to an indicator, the office
answers with an adjusted score and finalises, and the public sees the published ranking."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from appraisal.models import DepartmentResult, IndicatorScore, Objection, ReferenceIndicator, Round, RoundStatus

from ..browser import chromium_page, sign_in

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


@pytest.fixture
def reference_data(db):
    """The data migration's rows again: a transactional test before this one flushed them."""
    if not ReferenceIndicator.objects.exists():
        importlib.import_module("appraisal.migrations.0002_reference_data").load(django_apps, None)


def test_round_objection_answer_finalise_publish(live_server, city, users, reference_data):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    year = datetime.date.today().year
    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/appraisal/")
        page.fill("#id_year", str(year))
        page.fill("#id_title", f"{year}年度执法责任制考核")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/office/appraisal/schemes/*/")
        page.fill("#id_cut_off", datetime.date(year, 1, 31).isoformat())
        page.click("form[action$='/rounds/'] button[type=submit]")
        page.wait_for_url("**/office/appraisal/rounds/*/")
        round_ = Round.objects.get()
        page.wait_for_selector("table.stack", timeout=20000)
        assert Round.objects.get().status == RoundStatus.COMPUTED
        assert page.locator("text=" + city.dept_a.name).count() >= 1
        page.screenshot(path=str(ARTIFACTS / "appraisal-round.png"), full_page=True)
        page.context.clear_cookies()

        sign_in(page, base, users.editor_a)
        result = DepartmentResult.objects.get(round=round_, department=city.dept_a)
        page.goto(f"{base}/office/appraisal/results/{result.pk}/")
        score = IndicatorScore.objects.get(round=round_, department=city.dept_a, indicator__code="target_assessment")
        page.select_option("#id_score", value=str(score.pk))
        page.fill("#id_text", "本局目标考核已全部完成，请核实。")
        page.click("form:has(#id_text) button[type=submit]")
        page.wait_for_selector("text=本局目标考核已全部完成")
        assert Objection.objects.filter(result=result).count() == 1
        page.context.clear_cookies()

        sign_in(page, base, users.city_reviewer)
        objection = Objection.objects.get()
        page.goto(f"{base}/office/appraisal/results/{result.pk}/")
        page.fill(f"#id_o{objection.pk}-answer", "经核实，目标考核已完成，调整为95分。")
        page.fill(f"#id_o{objection.pk}-adjusted", "95")
        with page.expect_navigation():
            page.click(f"form[action$='/objections/{objection.pk}/answer/'] button[type=submit]")
        assert page.locator(f"form[action$='/objections/{objection.pk}/answer/']").count() == 0
        score.refresh_from_db()
        assert score.adjusted == 95
        page.goto(f"{base}/office/appraisal/rounds/{round_.pk}/")
        with page.expect_navigation():
            page.click("form[action$='/finalise/'] button[type=submit]")
        assert Round.objects.get().status == RoundStatus.FINALISED
        page.context.clear_cookies()

        page.goto(f"{base}/appraisal/{round_.pk}/")
        assert page.locator(f"a:has-text('{city.dept_a.name}')").count() == 1
        result.refresh_from_db()
        row = page.locator("tr", has=page.locator(f"a:has-text('{city.dept_a.name}')"))
        assert str(result.total) in row.inner_text()
        page.screenshot(path=str(ARTIFACTS / "appraisal-public.png"), full_page=True)
