#!/usr/bin/env python
"""Time the authority pages of issue 4 on the generated province (bench/generate_province.py,
then bench/generate_authority.py), through Django's test client in-process (URL routing,
middleware, queries and template rendering; no network):

- the public certificate verification page, for numbers drawn at random from the database and
  for unknown numbers (one in five);
- a department's breakdown page, as its editor sees it: the department with the most powers,
  and one of typical size;
- the completeness report for the largest city (its departments and its counties'), through
  the selector the page uses and through the page of the city's legal-affairs office.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench .venv/bin/python bench/bench_authority.py

Targets (issue 4): verification p95 ≤ 20 ms; a breakdown page ≤ 100 ms; the completeness
report for one city ≤ 1 s; constant query counts on every list (the counts are printed here;
tests/authority asserts they do not grow). The verification rate limit stays in place but
never trips: every request comes from its own REMOTE_ADDR, so each has a fresh budget. Adds an
editor and a reviewer account to the bench database if they are missing, and points them at
the departments measured (accounts stay: the audit trail refers to them).
"""

import argparse
import logging
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import permissions as perms  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from authority import permissions as authority_perms  # noqa: E402
from authority import selectors  # noqa: E402
from authority.models import Breakdown, Certificate, PowerItem  # noqa: E402
from organisations.models import OfficeFunction, Organisation, OrganisationKind  # noqa: E402


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, times: list[float], queries: int | None = None) -> None:
    counted = f", {queries} queries" if queries is not None else ""
    print(f"  {name}: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
          f"max {max(times):.1f} ms over {len(times)} runs{counted}", flush=True)


def timed_pages(client: Client, urls: list[str], runs: int, statuses=(200,), **extra) -> tuple[list[float], int]:
    """Each URL once to warm up (and count its queries), then ``runs`` requests in turn."""
    queries = 0
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **extra)
        assert response.status_code in statuses, (url, response.status_code)
        queries = max(queries, len(captured))
    times = []
    for i in range(runs):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url, **extra)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in statuses, (url, response.status_code)
    return times, queries


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def account(username: str, role: str, organisation: Organisation) -> User:
    """The bench's account, created once and pointed at the organisation measured."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, full_name=username)
        user.set_password(os.urandom(16).hex() + "Aa1!")
        user.password_changed_at = timezone.now()
    user.role, user.organisation = role, organisation
    user.save()
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="runs per page figure (default 40; verification 10×)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against the PostgreSQL bench database (see the docstring).")
    runs = args.runs
    random.seed(4)
    # Unknown numbers answer 404 and each login is logged: neither is news here.
    for name in ("django.request", "axes"):
        logging.getLogger(name).setLevel(logging.ERROR)

    # The current versions (in the works, else published), by number of powers.
    current = {}
    for breakdown in Breakdown.objects.filter(department__code__startswith="PRV-").order_by("department_id", "version"):
        current[breakdown.department_id] = breakdown  # the highest version wins: v2 is open, v1 published
    sizes = dict(
        PowerItem.objects.filter(breakdown__in=[b.pk for b in current.values()])
        .values("breakdown_id").annotate(n=Count("id")).values_list("breakdown_id", "n")
    )
    if not sizes:
        sys.exit("No authority data: run bench/generate_authority.py first.")
    ranked = sorted(current.values(), key=lambda b: sizes.get(b.pk, 0))
    largest, typical = ranked[-1], ranked[len(ranked) // 2]
    city = Organisation.objects.filter(kind=OrganisationKind.CITY, code__startswith="PRV-").order_by("-numchild", "path").first()
    office = Organisation.objects.get(jurisdiction=city, office_function=OfficeFunction.LEGAL_AFFAIRS)
    reviewer = account("bench_authority_reviewer", Role.OFFICE_REVIEWER, office)
    print(
        f"{connection.vendor}: {PowerItem.objects.count()} powers, {Certificate.objects.count()} certificates; "
        f"largest breakdown {largest.department.name} v{largest.version} ({sizes[largest.pk]} powers), "
        f"typical {typical.department.name} v{typical.version} ({sizes.get(typical.pk, 0)} powers); "
        f"city {city.name}",
        flush=True,
    )

    # Public verification: known numbers at random, one in five unknown (404). Every request
    # has its own address, so the limiter counts it but never refuses it.
    numbers = list(Certificate.objects.order_by("?").values_list("number", flat=True)[:2000])
    urls = [f"/verify/{n}/" if random.random() >= 0.2 else f"/verify/UNKNOWN-{random.randint(0, 10**8)}/" for n in numbers]
    anonymous = Client()
    addresses = (f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(1, 10**7))
    verification_times, verification_queries = [], 0
    for i, url in enumerate(urls[: max(runs * 10, 100) + 10]):
        if i < 10:  # the first few warm the connection and the templates, and count the queries
            with CaptureQueriesContext(connection) as captured:
                response = anonymous.get(url, REMOTE_ADDR=next(addresses))
            verification_queries = max(verification_queries, len(captured))
        else:
            start = time.perf_counter()
            response = anonymous.get(url, REMOTE_ADDR=next(addresses))
            verification_times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 404), (url, response.status_code)
    report("verification", verification_times, verification_queries)

    # A department's breakdown page, as its editor sees it: first page, last page, a search.
    page_times = {}
    for label, breakdown in (("largest", largest), ("typical", typical)):
        editor = account("bench_authority_editor", Role.DEPARTMENT_EDITOR, breakdown.department)
        staff = Client()
        staff.force_login(editor)
        base = f"/office/authority/breakdowns/{breakdown.pk}/"
        last = max(1, math.ceil(sizes.get(breakdown.pk, 0) / 50))
        for suffix in ("", f"?page={last}", "?q=处罚"):
            times, queries = timed_pages(staff, [base + suffix], runs)
            page_times[(label, suffix)] = times
            report(f"breakdown page, {label} ({sizes.get(breakdown.pk, 0)} powers) {suffix or 'page 1'}", times, queries)

    # Completeness for the largest city: the selector as the page calls it, then the page.
    def city_findings():
        breakdowns = selectors.current_breakdowns(perms.departments_in_scope(reviewer), authority_perms.breakdowns_visible_to(reviewer))
        return breakdowns, selectors.findings_for(breakdowns)

    city_findings()
    with CaptureQueriesContext(connection) as captured:
        breakdowns, found = city_findings()
    selector_times, _ = timed(city_findings, max(3, runs // 4))
    report(f"findings_for, city ({len(breakdowns)} breakdowns, {len(found)} findings)", selector_times, len(captured))
    office_client = Client()
    office_client.force_login(reviewer)
    page_urls = ["/office/authority/completeness/", "/office/authority/completeness/?page=2"]
    completeness_times, completeness_queries = timed_pages(office_client, page_urls, max(3, runs // 4))
    report("completeness page, city", completeness_times, completeness_queries)

    # The other lists of the office, for their query counts.
    for url in ("/office/authority/officers/", "/office/authority/posts/", "/office/authority/"):
        times, queries = timed_pages(office_client, [url], max(3, runs // 4))
        report(f"office list {url}", times, queries)

    largest_times = page_times[("largest", "")] + page_times[("largest", f"?page={math.ceil(sizes[largest.pk] / 50)}")]
    print(f"verification-p95: {p95(verification_times):.1f} ms (target: ≤ 20 ms)")
    print(f"breakdown-page-typical-p95: {p95(page_times[('typical', '')]):.1f} ms (target: ≤ 100 ms)")
    print(f"breakdown-page-p95: {p95(largest_times):.1f} ms (target: ≤ 100 ms; the largest breakdown)")
    print(f"completeness-city-selector-p95: {p95(selector_times):.0f} ms (target: ≤ 1000 ms)")
    print(f"completeness-city-p95: {p95(completeness_times):.0f} ms (target: ≤ 1000 ms)")


if __name__ == "__main__":
    main()
