"""Demo campaign for ``load_demo``: Longnan's campaign for the current year with its four phases
(phase 1 already passed, so the dashboard has red to show), Wudu district's campaign inheriting
the city's dates with an earlier phase 3 of its own, and one spot check drawn from a fixed seed
with a finding. Runs after the chapters whose records the deliverables read. Idempotent: a
campaign or spot check already there is left as it is."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisation

from .campaigns_services import campaign_open
from .checks_services import finding_record, spot_check_draw
from .models import Campaign, FindingKind, Phase

CITY, COUNTY = "621200", "621202"
SEED = 20260315


@transaction.atomic
def load_demo_campaign(stdout=None) -> None:
    city = Organisation.objects.filter(code=CITY).first()
    office = User.objects.filter(username="fzb").first()
    if city is None or office is None:
        return
    now = timezone.now()
    year = timezone.localdate().year
    campaign = Campaign.objects.filter(jurisdiction=city, year=year).first()
    if campaign is None:
        dues = {1: now + timedelta(days=1), 2: now + timedelta(days=20), 3: now + timedelta(days=50), 4: now + timedelta(days=90)}
        campaign = campaign_open(actor=office, jurisdiction=city, year=year, title=f"陇南市{year}年行政执法责任制推行工作", dues=dues,
                                 starts={1: timezone.localdate() - timedelta(days=40)})
        # The campaign was opened weeks ago: phase 1 (plans and teams) ended a week ago. A date
        # in the past is refused by the service, so the demo moves it on the row.
        Phase.objects.filter(campaign=campaign, number=1).update(due_at=now - timedelta(days=7))
    county = Organisation.objects.filter(code=COUNTY).first()
    county_office = User.objects.filter(username="fzb_wudu").first()
    if county is not None and county_office is not None and not Campaign.objects.filter(jurisdiction=county, year=year).exists():
        own_phase_3 = now + timedelta(days=40)
        campaign_open(actor=county_office, jurisdiction=county, year=year, title=f"武都区{year}年行政执法责任制推行工作",
                      dues={1: None, 2: None, 3: own_phase_3, 4: None})
    if not campaign.spot_checks.exists():
        spot_check = spot_check_draw(actor=office, campaign=campaign, title="第一轮重点抽查", share_percent=10,
                                     late_weight=3, seed=SEED)
        target = spot_check.targets.order_by("position").first()
        if target is not None:
            finding_record(actor=office, target=target, kind=FindingKind.PERFUNCTORY,
                           description="实施方案照搬市级方案，未结合本单位职责细化任务分工。",
                           rectification="结合本单位执法职责重新制定实施方案，明确任务分工和时间节点后重新报备。",
                           due_at=now + timedelta(days=15))
    if stdout is not None:
        stdout.write(f"Demo campaign: {Campaign.objects.filter(year=year).count()} campaign(s) for {year}.")
