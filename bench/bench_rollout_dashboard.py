#!/usr/bin/env python
"""Time the rollout dashboard (issue 14) on the generated province (bench/generate_province.py),
through Django's test client in-process (routing, middleware, queries, template, the SVG chart):

- the dashboard of the largest city's campaign as its legal-affairs office sees it: the city's
  departments and governments, and its counties' (each under its county campaign where there is
  one), first page, a phase-and-status filter and the last page;
- the whole province: every organisation's status computed for every city's campaign, one
  ``Progress`` per city (no account sees the whole province: each city office sees its city),
  as the provider of reminders and the home tiles compute it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench .venv/bin/python bench/bench_rollout_dashboard.py

Target (issue 14): the dashboard for the whole province ≤ 300 ms p95, with a constant number of
queries. Before timing, it opens (once, straight in the database, marked "BENCH") a campaign for
every generated city for the current year and an inheriting one for every other county, with
phase 1 passed, and files plans, teams and phase-1 summaries for part of the organisations, so
every status occurs. ``--remove`` removes those and exits.
"""

import argparse
import logging
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from organisations.models import OfficeFunction, Organisation, OrganisationKind  # noqa: E402
from rollout.campaigns_status import Progress, campaign_population  # noqa: E402
from rollout.models import (  # noqa: E402
    Campaign,
    FilingStatus,
    ImplementationPlan,
    Phase,
    PhaseSummary,
    TeamMember,
    WorkingTeam,
)

TITLE = "BENCH 推行"


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, times: list[float], queries: int | None = None) -> None:
    counted = f", {queries} queries" if queries is not None else ""
    print(f"  {name}: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
          f"max {max(times):.1f} ms over {len(times)} runs{counted}", flush=True)


def account(username: str, role: str, organisation: Organisation) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, full_name=username)
        user.set_password(os.urandom(16).hex() + "Aa1!")
        user.password_changed_at = timezone.now()
    user.role, user.organisation = role, organisation
    user.save()
    return user


def _pass_second_factor(client: Client, user: User) -> None:
    """Office reviewers need a second factor: the bench's session is marked as having passed it,
    with a confirmed device of the bench account (as the tests do for force_login)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="TOTP", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def remove() -> None:
    campaigns = Campaign.objects.filter(title__startswith=TITLE)
    PhaseSummary.objects.filter(phase__campaign__in=campaigns).delete()
    ImplementationPlan.objects.filter(campaign__in=campaigns).delete()
    TeamMember.objects.filter(team__organisation__code__startswith="PRV-").delete()
    WorkingTeam.objects.filter(organisation__code__startswith="PRV-").delete()
    Phase.objects.filter(campaign__in=campaigns).delete()
    campaigns.filter(parent__isnull=False).delete()
    campaigns.delete()


@transaction.atomic
def prepare(creator: User) -> None:
    year = timezone.localdate().year
    if Campaign.objects.filter(title__startswith=TITLE, year=year).exists():
        return
    remove()
    rng = random.Random(14)
    now = timezone.now()
    dues = {1: now - timedelta(days=3), 2: now + timedelta(days=20), 3: now + timedelta(days=50), 4: now + timedelta(days=80)}
    cities = list(Organisation.objects.filter(kind=OrganisationKind.CITY, code__startswith="PRV-"))
    for city in cities:
        campaign = Campaign.objects.create(jurisdiction=city, year=year, title=f"{TITLE} {city.name}", created_by=creator)
        Phase.objects.bulk_create([Phase(campaign=campaign, number=n, due_at=dues[n]) for n in dues])
        counties = Organisation.objects.filter(kind=OrganisationKind.COUNTY, path__startswith=city.path).order_by("path")
        for index, county in enumerate(counties):
            if index % 2 == 0:
                child = Campaign.objects.create(jurisdiction=county, year=year, title=f"{TITLE} {county.name}", parent=campaign,
                                                created_by=creator)
                Phase.objects.bulk_create([Phase(campaign=child, number=n, due_at=None) for n in dues])
    for campaign in Campaign.objects.filter(title__startswith=TITLE, year=year, parent__isnull=True):
        progress = Progress(campaign)
        plans, teams, summaries = [], [], []
        for row in progress.rows:
            draw = rng.random()
            if draw < 0.6:
                plans.append(ImplementationPlan(organisation=row.organisation, campaign=row.campaign, status=FilingStatus.FILED,
                                                filed_at=now - timedelta(days=rng.randint(1, 30))))
            elif draw < 0.8:
                plans.append(ImplementationPlan(organisation=row.organisation, campaign=row.campaign))
            if rng.random() < 0.7:
                teams.append(WorkingTeam(organisation=row.organisation))
            if rng.random() < 0.5:
                summaries.append((row.organisation, row.campaign))
        ImplementationPlan.objects.bulk_create(plans)
        made = WorkingTeam.objects.bulk_create(teams)
        TeamMember.objects.bulk_create([TeamMember(team=team, name="组长") for team in made if rng.random() < 0.9])
        phase1 = dict(Phase.objects.filter(number=1, campaign__in={c.pk for _o, c in summaries}).values_list("campaign_id", "pk"))
        PhaseSummary.objects.bulk_create([
            PhaseSummary(organisation=o, phase_id=phase1[c.pk], created_by=creator, status=FilingStatus.FILED,
                         submitted_at=now - timedelta(days=rng.randint(0, 10)))
            for o, c in summaries
        ])
    with connection.cursor() as cursor:
        for table in ("rollout_implementationplan", "rollout_workingteam", "rollout_teammember", "rollout_phasesummary",
                      "rollout_campaign", "rollout_phase"):
            cursor.execute(f"ANALYZE {table}")


def timed_pages(client: Client, urls: list[str], runs: int) -> tuple[list[float], int]:
    queries = 0
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = max(queries, len(captured))
    times = []
    for i in range(runs):
        start = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--remove", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against the PostgreSQL bench database (see the docstring).")
    logging.getLogger("axes").setLevel(logging.ERROR)
    if args.remove:
        remove()
        return
    city = Organisation.objects.filter(kind=OrganisationKind.CITY, code__startswith="PRV-").order_by("-numchild", "path").first()
    if city is None:
        sys.exit("No generated province: run bench/generate_province.py first.")
    office = Organisation.objects.get(jurisdiction=city, office_function=OfficeFunction.LEGAL_AFFAIRS)
    reviewer = account("bench_rollout_reviewer", Role.OFFICE_REVIEWER, office)
    prepare(reviewer)
    campaign = Campaign.objects.get(jurisdiction=city, year=timezone.localdate().year)
    organisations = len(campaign_population(campaign))
    client = Client()
    client.force_login(reviewer)
    _pass_second_factor(client, reviewer)
    base = f"/office/campaigns/{campaign.pk}/dashboard/"
    last = max(1, math.ceil(organisations / 50))
    urls = [base, f"{base}?phase=1&status=late", f"{base}?page={last}"]
    page_times, page_queries = timed_pages(client, urls, args.runs)
    report(f"dashboard page, largest city ({organisations} organisations)", page_times, page_queries)

    campaigns = list(Campaign.objects.filter(title__startswith=TITLE, parent__isnull=True, year=campaign.year).select_related("jurisdiction"))
    def province():
        return sum(len(Progress(c).rows) for c in campaigns)
    rows = province()
    with CaptureQueriesContext(connection) as captured:
        province()
    province_times = []
    for _ in range(max(5, args.runs // 3)):
        start = time.perf_counter()
        province()
        province_times.append((time.perf_counter() - start) * 1000)
    report(f"whole province, {len(campaigns)} city campaigns ({rows} organisations)", province_times, len(captured))
    print(f"rollout-dashboard-p95: {p95(page_times):.0f} ms (target: ≤ 300 ms; the largest city's dashboard page, "
          f"{organisations} organisations, {page_queries} queries)")
    print(f"rollout-province-status-p95: {p95(province_times):.0f} ms (target: ≤ 300 ms; every organisation of the province, "
          f"{rows}, {len(captured)} queries = {len(captured) // max(1, len(campaigns))} per city campaign)")


if __name__ == "__main__":
    main()
