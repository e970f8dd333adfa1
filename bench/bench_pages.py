#!/usr/bin/env python
"""Time the basis pages on the generated province (bench/generate_province.py), through Django's
test client in-process (URL routing, middleware, queries and template rendering; no network):

- public catalogue search, queries of three and more characters, and of one or two;
- a department's catalogue page in the back office (its editor);
- the review queue of the largest city's legal-affairs office;
- the public page of a department's catalogue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench .venv/bin/python bench/bench_pages.py

Targets (issue 3): search p95 ≤ 50 ms for 3+ characters and ≤ 150 ms for 1–2; a department's
catalogue page and the review queue ≤ 100 ms, measured warm (the cached conflict checks
filled, as between two changes) and cold (cache emptied before each request). Adds one editor and one reviewer account to the
bench database if they are missing.
"""

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from basis.models import BasisCatalogue  # noqa: E402
from organisations.models import Organisation, OrganisationKind  # noqa: E402
from workflow.review import ReviewStatus  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
LONG_QUERIES = ("食品安全", "安全生产法", "监督检查", "道路运输", "行政处罚", "环境保护法", "市场监督管理局", "许可证")
SHORT_QUERIES = ("食", "法", "税", "林", "食品", "消防", "交通", "广告")
# One- and two-character terms by how much of generate_province.py's varied text they match
# (issue 17): none, a few dozen entries, and a large share.
SHORT_BY_SPREAD = {
    "none": ("氪", "量子", "鲸"),
    "few": ("蜂箱", "渔排", "盐田", "蛇"),
    "many": ("监督", "罚款", "经营"),
}


def p95(times):
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(client, urls, runs=RUNS, cold=False):
    """Warm: the cached conflict checks are filled once per URL, as on a running server between
    two changes. Cold: the cache is emptied before every request, as after a change."""
    for url in urls:
        assert client.get(url).status_code == 200, url
    times = []
    for i in range(runs):
        url = urls[i % len(urls)]
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return times


def account(username, role, organisation):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, organisation=organisation, full_name=username)
        user.set_password(os.urandom(16).hex() + "Aa1!")
        user.password_changed_at = timezone.now()
        user.save()
    return user


def main():
    if connection.vendor != "postgresql":
        raise SystemExit("Run against the PostgreSQL bench database (see the docstring).")
    settings.ALLOWED_HOSTS = ["*"]
    published = BasisCatalogue.objects.filter(status=ReviewStatus.PUBLISHED)
    catalogue = published.annotate(n=Count("entries")).order_by("-n").first()
    city = Organisation.objects.filter(kind=OrganisationKind.CITY).order_by("path").first()
    office = Organisation.objects.filter(office_function="legal_affairs", jurisdiction=city).first()
    if office is None:
        raise SystemExit("The bench data has no legal-affairs office for the first city.")
    editor = account("bench_editor", Role.DEPARTMENT_EDITOR, catalogue.department)
    reviewer = account("bench_reviewer", Role.OFFICE_REVIEWER, office)
    entries = catalogue.entries.count()
    print(f"database: {connection.vendor}; {BasisCatalogue.objects.count()} catalogues; "
          f"department page: {catalogue.department.name} ({entries} entries); runs per figure: {RUNS}")

    anonymous = Client()
    long_times = timed(anonymous, [f"/catalogues/search/?q={q}" for q in LONG_QUERIES])
    short_times = timed(anonymous, [f"/catalogues/search/?q={q}" for q in SHORT_QUERIES])
    portal_times = timed(anonymous, [f"/departments/{catalogue.department.code}/catalogue/"])
    spread_times = {
        spread: timed(anonymous, [f"/catalogues/search/?q={q}" for q in queries])
        for spread, queries in SHORT_BY_SPREAD.items()
    }

    staff = Client()
    staff.force_login(editor)
    department_times = timed(staff, [f"/office/basis/catalogues/{catalogue.pk}/"])
    department_cold = timed(staff, [f"/office/basis/catalogues/{catalogue.pk}/"], cold=True)
    office_client = Client()
    office_client.force_login(reviewer)
    # Reviewers must pass the second factor: without this every queue request is a 302 to it.
    from tests.two_factor import verify_session

    verify_session(office_client, reviewer)
    queue_urls = ["/office/basis/catalogues/?status=published", "/office/basis/catalogues/"]
    queue_times = timed(office_client, queue_urls)
    queue_cold = timed(office_client, queue_urls, cold=True)

    for name, times in (("search 3+", long_times), ("search 1-2", short_times), ("portal department", portal_times),
                        ("catalogue page", department_times), ("catalogue page, cold", department_cold),
                        ("review queue", queue_times), ("review queue, cold", queue_cold)):
        print(f"  {name}: p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    print(f"department-catalogue-page-cold-p95: {p95(department_cold):.1f} ms (target: ≤ 100 ms; first view after a change)")
    print(f"review-queue-cold-p95: {p95(queue_cold):.1f} ms (target: ≤ 100 ms; first view after a change)")
    print(f"portal-department-page-p95: {p95(portal_times):.1f} ms (target: none set in issue 3)")
    print(f"search-3plus-p95: {p95(long_times):.1f} ms (target: ≤ 50 ms)")
    print(f"search-1to2-p95: {p95(short_times):.1f} ms (target: ≤ 150 ms)")
    for spread, times in spread_times.items():
        print(f"search-1to2-{spread}-p95: {p95(times):.1f} ms (target: flat as entries grow)")
    print(f"department-catalogue-page-p95: {p95(department_times):.1f} ms (target: ≤ 100 ms)")
    print(f"review-queue-p95: {p95(queue_times):.1f} ms (target: ≤ 100 ms)")


if __name__ == "__main__":
    main()
