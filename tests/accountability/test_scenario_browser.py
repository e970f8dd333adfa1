"""The DOMAIN.md scenario in a real browser: the year-end appraisal round is finalised on the
office's round page → the suggestions page shows a suggested rectification (限期整改) for the
department with the worst reversal rate, with the figures behind it → the office accepts it and
a registered case opens → the case names an officer → decision 取消执法资格 → notified → the
officer is gone from the public officer list and the verification page says revoked.

The round's results are built in the database (computing a round is appraisal's own test); the
finalisation, the suggestion run it triggers (receiver → outbox → task, eager here) and every
step after it go through the pages. With ``ACCOUNTABILITY_SHOTS`` set to a folder, the
suggestions page is photographed there at desktop and phone widths."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import Case, CaseStatus, Suggestion, SuggestionRule, SuggestionStatus
from appraisal import services as appraisal_services
from appraisal.models import DepartmentResult, Round, RoundStatus
from authority.models import CertificateStatus

from ..browser import chromium_page, sign_in
from .conftest import add_person, decide_with
from .test_accountability_browser import _open_details, _shoot

pytestmark = pytest.mark.browser
YEAR = timezone.localdate().year


def _computed_round(users, city):
    scheme = appraisal_services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=YEAR, title=f"{YEAR}年度行政执法责任制考核")
    round_ = Round.objects.create(scheme=scheme, cut_off=datetime.date(YEAR, 11, 30), status=RoundStatus.COMPUTED,
                                  computed_at=timezone.now(), objections_until=timezone.localdate())
    # Threshold 15 %: department A (worst, 42.86 %) and department B (20 %) exceed it; the
    # county's department is another government's.
    for department, total, grade, rank, rate in (
        (city.dept_b, "91.00", "excellent", 1, "20.00"), (city.dept_a, "61.20", "basic_pass", 2, "42.86"),
    ):
        DepartmentResult.objects.create(round=round_, department=department, total=Decimal(total), grade=grade, rank=rank,
                                        reversal_rate=Decimal(rate))
    return round_


def test_year_end_appraisal_to_revocation(live_server, city, users, officer, investigating):
    base = live_server.url
    number = officer.certificate.number
    # Department B, graded excellent, was barred from commendation this year (取消评先资格).
    barring = investigating(department=city.dept_b)
    add_person(barring, users.city_reviewer, name="王某")
    decide_with(barring, users.city_reviewer, "bar_commendation")
    round_ = _computed_round(users, city)
    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{base}/departments/{city.dept_a.code}/officers/")
        assert officer.name in page.content()

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/appraisal/rounds/{round_.pk}/")
        page.click(f"form[action$='/rounds/{round_.pk}/finalise/'] button[type=submit]")
        page.wait_for_load_state()
        round_.refresh_from_db()
        assert round_.status == RoundStatus.FINALISED

        page.goto(f"{base}/office/accountability/suggestions/")
        rows = page.locator(f"tr[data-rule={SuggestionRule.REVERSAL_RATE}]")
        assert rows.count() == 2
        worst = Suggestion.objects.get(rule=SuggestionRule.REVERSAL_RATE, department=city.dept_a)
        first = rows.first
        assert first.get_attribute("id") == f"suggestion-{worst.pk}"  # the worst rate is listed first
        assert city.dept_a.name in first.inner_text() and "42.86 %" in first.inner_text()
        _shoot(page, "suggestions")
        # Department B is not proposed for commendation: the page says why.
        page.goto(f"{base}/office/accountability/commendations/")
        skipped = page.locator(f"#skipped-commendations tr[data-department='{city.dept_b.pk}']")
        assert skipped.count() == 1 and barring.number in skipped.inner_text()
        _shoot(page, "commendations")
        page.goto(f"{base}/office/accountability/suggestions/")
        first = page.locator(f"tr[data-rule={SuggestionRule.REVERSAL_RATE}]").first
        first.locator("form[action$='/accept/'] button[type=submit]").click()
        page.wait_for_url("**/office/accountability/*/")
        worst.refresh_from_db()
        assert worst.status == SuggestionStatus.ACCEPTED
        case = Case.objects.get(pk=worst.case_id)
        assert case.status == CaseStatus.REGISTERED and case.source == worst and case.department == city.dept_a
        assert "42.86" in page.content()

        page.click("#do-investigate")
        page.wait_for_selector("#do-propose")
        _open_details(page, "form[action$='/persons/']")
        page.select_option("form[action$='/persons/'] #id_officer", label=officer.name)
        page.select_option("form[action$='/persons/'] #id_part", value="handler")
        page.select_option("form[action$='/persons/'] #id_responsibility", value="direct")
        page.fill("form[action$='/persons/'] #id_grounds", "承办的多起行政处罚案件因事实不清被复议撤销，调查中查实伪造询问笔录")
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
        page.click("#do-decide")
        page.wait_for_url("**/decide/")
        page.fill("#id_grounds", "经调查，该执法人员伪造询问笔录，导致处罚决定被复议撤销，事实清楚，证据确凿。")
        page.click("#decide")
        page.wait_for_selector("#do-notify")
        page.click("#do-notify")
        page.wait_for_load_state()
        case.refresh_from_db()
        assert case.status == CaseStatus.NOTIFIED
        page.click("header form button[type=submit]")  # sign out
        page.wait_for_load_state()

        officer.certificate.refresh_from_db()
        assert officer.certificate.status == CertificateStatus.REVOKED
        page.goto(f"{base}/departments/{city.dept_a.code}/officers/")
        assert officer.name not in page.content()
        page.goto(f"{base}/verify/{number}/")
        assert page.locator("[data-status=revoked]").count() == 1
