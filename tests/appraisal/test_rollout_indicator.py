"""The rollout's deadlines kept as an appraisal indicator: the value equals the share of the
department's deliverables due by the cut-off that were delivered by their deadline, and the
drill-down lists each of them."""

import datetime
from decimal import Decimal

from django.utils import timezone

from appraisal import scoring
from appraisal.indicators import SOURCES, Context
from rollout.campaigns_services import campaign_open
from rollout.models import FilingStatus, ImplementationPlan, TeamMember, WorkingTeam
from rollout.selectors import deadlines_kept
from tests.rollout.conftest import future_dues, move_phases


def local(day: datetime.date, hour=18) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_deadlines_kept_is_the_share_delivered_on_time_with_each_deliverable_in_the_drill_down(users, city, scheme, cut_off):
    campaign = campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="2026年推行工作", dues=future_dues())
    # Phase 1 fell due in March; the later phases after the cut-off, so they do not count yet.
    move_phases(campaign, phase1=local(datetime.date(2026, 3, 31)), phase2=local(datetime.date(2026, 12, 20)),
                phase3=local(datetime.date(2026, 12, 25)), phase4=local(datetime.date(2026, 12, 30)))
    # Department A filed its plan in time; its team was recorded after the deadline (now); no summary.
    ImplementationPlan.objects.create(organisation=city.dept_a, campaign=campaign, status=FilingStatus.FILED,
                                      filed_at=local(datetime.date(2026, 3, 1)))
    TeamMember.objects.create(team=WorkingTeam.objects.create(organisation=city.dept_a), name="王五")

    indicator = scheme.indicators.get(source="rollout_deadlines")
    ctx = Context(scheme=scheme, cut_off=cut_off, departments=scoring.departments_of(scheme), officers=scoring.officers_of(scheme))
    values = SOURCES["rollout_deadlines"].compute(ctx, indicator)

    direct = deadlines_kept(organisation_ids=[city.dept_a.pk, city.dept_b.pk], cutoff=ctx.end)
    assert direct[city.dept_a.pk] == (3, 1) and direct[city.dept_b.pk] == (3, 0)
    a, b = values[city.dept_a.pk], values[city.dept_b.pk]
    assert a.value == Decimal("33.33") and a.score == Decimal("33.33")
    assert b.value == Decimal("0.00") and b.score == Decimal("0.00")
    assert [row["ok"] for row in a.detail] == [True, False, False]
    assert len(b.detail) == 3 and not any(row["ok"] for row in b.detail)


def test_a_department_with_nothing_due_has_no_value(users, city, scheme, cut_off):
    campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="2026年推行工作", dues=future_dues())
    indicator = scheme.indicators.get(source="rollout_deadlines")
    ctx = Context(scheme=scheme, cut_off=cut_off, departments=scoring.departments_of(scheme), officers=scoring.officers_of(scheme))
    assert SOURCES["rollout_deadlines"].compute(ctx, indicator) == {}
