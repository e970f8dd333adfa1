"""Filings end to end in a real browser: a department editor opens and files the plan from the
home page's link; the office returns it with a comment; the editor revises and refiles; the
office acknowledges and compares the two revisions; the department then files its phase
summary with a problem, which the office finds in its list of open problems.

With ``FILINGS_SHOTS`` set to a folder, the pages are also photographed there, at desktop and
phone width."""

import os
from pathlib import Path

import pytest

from rollout import services_filings as services
from rollout.models import FilingStatus, ImplementationPlan, PhaseSummary

from ..browser import chromium_page, sign_in
from .filings_fixtures import PDF, parts, world  # noqa: F401

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FILINGS_SHOTS", "")


def _shoot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=f"{SHOTS}/{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def _sign_out(page):
    page.click("header form button[type=submit]")
    page.wait_for_load_state()


def test_file_return_refile_acknowledge_and_summarise(live_server, world, tmp_path):
    base = live_server.url
    users, city = world.users, world.city
    for name, body, role, position in (("王建国", "leading_group", "leader", "局长"), ("李明", "leading_group", "deputy_leader", "副局长"),
                                       ("赵磊", "working_body", "director", "法规科科长"), ("陈静", "working_body", "liaison", "科员")):
        services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=services.MemberData(
            name=name, body=body, role=role, position=position, phone="0939-8211001"))
    document = tmp_path / "实施方案.pdf"
    document.write_bytes(PDF)
    confirmations = []

    with chromium_page() as page:
        page.on("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))
        sign_in(page, base, users.editor_a)
        page.click("a[href$='/filings/plans/mine/']")  # the home page's tile
        page.wait_for_url("**/filings/plans/")
        page.click(f"form[action$='/plans/open/{city.dept_a.pk}/'] button")
        page.wait_for_url("**/plans/*/edit/")
        plan = ImplementationPlan.objects.get(organisation=city.dept_a)
        for name, text in parts().items():
            page.fill(f"#id_{name}", text)
        page.fill("#id_measures", "")
        page.click("#plan-form button[type=submit]")
        assert page.is_visible("#id_measures_errors")  # the missing part, named on its field
        page.fill("#id_measures", parts()["measures"])
        page.set_input_files("#id_document", str(document))
        page.check(f"input[name=covered][value='{city.entrusted_a.pk}']")
        _shoot(page, "plan-form")
        page.click("#plan-form button[type=submit]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        page.click("button[data-action=file]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        assert confirmations, "filing asked for confirmation"
        plan.refresh_from_db()
        assert plan.status == FilingStatus.FILED
        _sign_out(page)

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/rollout/filings/plans/?queue=to_decide")
        page.click(f"#plan-{plan.pk} a")
        page.fill("#id_comment", "时间要求过于笼统，请按阶段写明。")
        page.click("button[data-action=return]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        plan.refresh_from_db()
        assert plan.status == FilingStatus.RETURNED
        _sign_out(page)

        sign_in(page, base, users.editor_a)
        page.goto(f"{base}/office/rollout/filings/plans/{plan.pk}/")
        assert "时间要求过于笼统" in page.inner_text("#office-comment")
        page.click(f"a[href$='/plans/{plan.pk}/edit/']")
        page.fill("#id_time_requirements", "3月底前完成第一阶段，6月底前完成第二阶段，9月底前完成第三阶段，12月中旬前完成第四阶段。")
        page.click("#plan-form button[type=submit]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        page.click("button[data-action=file]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        plan.refresh_from_db()
        assert plan.status == FilingStatus.FILED and plan.revisions.count() == 2
        _sign_out(page)

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/rollout/filings/plans/{plan.pk}/")
        page.click("button[data-action=acknowledge]")
        page.wait_for_url(f"**/plans/{plan.pk}/")
        plan.refresh_from_db()
        assert plan.status == FilingStatus.ACKNOWLEDGED
        assert page.is_visible("#team") and "王建国" in page.inner_text("#team")
        _shoot(page, "plan-page")
        page.click(f"a[href$='/plans/{plan.pk}/compare/']")
        assert page.is_visible("#diff-time_requirements ins")
        assert not page.is_visible("#diff-guiding_ideas")
        _shoot(page, "plan-diff")
        _sign_out(page)

        sign_in(page, base, users.editor_a)
        page.goto(f"{base}/office/rollout/filings/summaries/")
        page.click(f"#write-{city.dept_a.pk}-{world.phases[1].pk} a")
        page.fill("#id_text", "本局组织学习动员，成立领导小组，制定实施方案并已备案。")
        page.fill("#id_problems", "部分岗位人员不足。\n县区目录格式不统一，请明确模板。")
        page.click("#summary-form button[type=submit]")
        page.wait_for_url("**/summaries/*/")
        page.click("button[data-action=submit]")
        page.wait_for_load_state()
        summary = PhaseSummary.objects.get(organisation=city.dept_a)
        assert summary.status == FilingStatus.FILED and summary.problems.filter(raised_at__isnull=False).count() == 2
        _shoot(page, "summary-page")
        page.goto(f"{base}/office/rollout/filings/teams/{city.dept_a.pk}/")
        assert page.locator("#members tbody tr").count() == 4
        _shoot(page, "team-page")
        _sign_out(page)

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/rollout/filings/problems/")
        assert page.locator("#problems tbody tr").count() == 2
        _shoot(page, "problem-list")
