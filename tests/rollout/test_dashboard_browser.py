"""In a real browser: a county office sees a late department in red on its dashboard; once the
department's editor has submitted its phase-1 summary in the browser, the red turns green. Screenshots of the dashboard and of
an editor's checklist (desktop and phone) go to test-artifacts/ (and SHOTS_DIR if set)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from rollout.campaigns_services import campaign_open
from rollout.models import FilingStatus, ImplementationPlan, Phase, PhaseSummary, TeamMember, WorkingTeam

from ..browser import chromium_page, sign_in
from ..factories import UserFactory

pytestmark = pytest.mark.browser
RED, GREEN = "rgb(180, 35, 42)", "rgb(30, 123, 52)"


def _shots() -> list[Path]:
    dirs = [settings.BASE_DIR / "test-artifacts"]
    if os.environ.get("SHOTS_DIR"):
        dirs.append(Path(os.environ["SHOTS_DIR"]))
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def _shoot(page, name):
    for d in _shots():
        page.screenshot(path=str(d / f"{name}.png"), full_page=True)


def test_late_in_red_turns_green_once_filed(live_server, city, users, city_campaign, year):
    base = live_server.url
    county = campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="甲县推行",
                           dues={1: None, 2: None, 3: None, 4: None})
    Phase.objects.filter(campaign=city_campaign, number=1).update(due_at=timezone.now() - timedelta(days=2))

    with chromium_page() as page:
        sign_in(page, base, users.county_reviewer)
        page.goto(f"{base}/office/campaigns/{county.pk}/dashboard/?phase=1")
        row = page.locator("tr[data-organisation='X-1']")
        assert "late" in row.get_attribute("class")
        badge = row.locator("td").nth(1).locator(".badge")
        assert badge.get_attribute("data-status") == "late"
        assert badge.evaluate("e => getComputedStyle(e).color") == RED
        _shoot(page, "dashboard-county-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        _shoot(page, "dashboard-county-phone")
        page.set_viewport_size({"width": 1280, "height": 800})

        # The department's plan and team are on record; what is still missing is its phase-1
        # summary, which its editor writes and submits in the browser.
        ImplementationPlan.objects.create(organisation=city.dept_x1, campaign=county, status=FilingStatus.FILED, filed_at=timezone.now())
        TeamMember.objects.create(team=WorkingTeam.objects.create(organisation=city.dept_x1), name="李四")
        page.reload()
        row = page.locator("tr[data-organisation='X-1']")
        assert row.locator("td").nth(1).locator(".badge").get_attribute("data-status") == "late"
        phase_1 = county.phases.get(number=1)
        editor = UserFactory(username="editor_x1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1)
        page.click("header form button[type=submit]")  # sign out
        page.wait_for_load_state()
        sign_in(page, base, editor)
        page.goto(f"{base}/office/rollout/filings/summaries/")
        page.click(f"#write-{city.dept_x1.pk}-{phase_1.pk} a")
        page.fill("#id_text", "本局成立领导小组，制定实施方案并报县法制办备案。")
        page.click("#summary-form button[type=submit]")
        page.wait_for_url("**/summaries/*/")
        page.click("button[data-action=submit]")
        page.wait_for_load_state()
        assert PhaseSummary.objects.get(organisation=city.dept_x1, phase=phase_1).status == FilingStatus.FILED
        page.click("header form button[type=submit]")
        page.wait_for_load_state()
        sign_in(page, base, users.county_reviewer)
        page.goto(f"{base}/office/campaigns/{county.pk}/dashboard/?phase=1")
        row = page.locator("tr[data-organisation='X-1']")
        assert "late" not in (row.get_attribute("class") or "")
        badge = row.locator("td").nth(1).locator(".badge")
        assert badge.get_attribute("data-status") == "done"
        assert badge.evaluate("e => getComputedStyle(e).color") == GREEN


def test_city_dashboard_and_editor_checklist_screenshots(live_server, city, users, city_campaign):
    base = live_server.url
    Phase.objects.filter(campaign=city_campaign, number=1).update(due_at=timezone.now() - timedelta(days=2))
    ImplementationPlan.objects.create(organisation=city.dept_a, campaign=city_campaign, status=FilingStatus.FILED,
                                      filed_at=timezone.now() - timedelta(days=5))
    with chromium_page() as page:
        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/campaigns/{city_campaign.pk}/dashboard/")
        assert page.locator("svg.progress-chart polyline").count() == 4
        _shoot(page, "dashboard-city-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        _shoot(page, "dashboard-city-phone")
    with chromium_page() as page:
        sign_in(page, base, users.editor_a)
        assert page.locator("table.checklist tr[data-deliverable='plan'] .badge").get_attribute("data-status") == "done"
        late = page.locator("table.checklist tr[data-deliverable='team']")
        assert "late" in late.get_attribute("class")
        _shoot(page, "checklist-editor-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        _shoot(page, "checklist-editor-phone")
