#!/usr/bin/env python
"""Time the public portal's department pages on the province (bench/generate_province.py, then
bench/generate_authority.py), through Django's test client in-process (routing, middleware,
queries and templates; no network), as an anonymous visitor:

- the department page (overview) of the department with the most published powers, and each of
  its sections (catalogue, powers, a power with the longest procedure, posts, officers,
  responsibilities, standards), with the number of queries of each;
- a conditional GET of the department page, with its ETag and with If-Modified-Since.

    createdb -h 127.0.0.1 -U postgres -T lecrs_template lecrs_portal
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_portal
    .venv/bin/python manage.py migrate --settings=config.settings.bench
    .venv/bin/python bench/generate_province.py --scale 0.25
    .venv/bin/python manage.py load_authority_reference --settings=config.settings.bench
    .venv/bin/python bench/generate_authority.py
    .venv/bin/python bench/bench_portal.py --prepare

The generators make no responsibilities, standards or disclosure documents: ``--prepare`` adds a
published responsibility set to that department (three responsibilities per power, a standard
with three bands for every fourth power) and three ready booklets, all marked ``BENCH-PORTAL``;
``--cleanup`` removes them (and stops). Without ``--prepare`` the pages are timed on whatever
is there. Target (issue 5): the department page p95 ≤ 100 ms with a constant number of queries;
a conditional GET answered 304.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django

django.setup()

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from authority.models import Breakdown, PowerItem, ProcedureStage
from responsibility.models import (
    DisclosureDocument,
    DocumentKind,
    DocumentStatus,
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilityKind,
    ResponsibilitySet,
    StandardBand,
)
from workflow.review import ReviewStatus

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
MARK = "BENCH-PORTAL"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def p95(times):
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(client, url, runs=RUNS):
    assert client.get(url).status_code == 200, url  # warm up
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return times, len(queries)


def largest_breakdown():
    return (
        Breakdown.objects.filter(status=ReviewStatus.PUBLISHED)
        .annotate(n=Count("powers"))
        .order_by("-n")
        .select_related("department")
        .first()
    )


def cleanup():
    documents = DisclosureDocument.objects.filter(content_hash__startswith=MARK)
    for document in documents:
        document.file.delete(save=False)
    removed = documents.delete()[0]
    sets = ResponsibilitySet.objects.filter(comment=MARK)
    Responsibility.objects.filter(responsibility_set__in=sets).delete()
    StandardBand.objects.filter(standard__responsibility_set__in=sets).delete()
    EnforcementStandard.objects.filter(responsibility_set__in=sets).delete()
    removed += sets.delete()[0]
    print(f"removed the {MARK} records ({removed} rows)")


@transaction.atomic
def prepare(breakdown):
    cleanup()
    department = breakdown.department
    kinds = list(ResponsibilityKind.objects.all()[:3]) or [
        ResponsibilityKind.objects.get_or_create(code="handling", defaults={"name": "承办责任"})[0]
    ]
    stages = list(ProcedureStage.objects.all()[:3])
    version = (ResponsibilitySet.objects.filter(department=department).order_by("-version").values_list("version", flat=True).first() or 0) + 1
    ResponsibilitySet.objects.filter(department=department, status=ReviewStatus.PUBLISHED).update(status=ReviewStatus.SUPERSEDED)
    rset = ResponsibilitySet.objects.create(
        department=department, version=version, status=ReviewStatus.PUBLISHED, published_at=timezone.now(), comment=MARK
    )
    powers = list(
        PowerItem.objects.filter(breakdown=breakdown).select_related("handling_agency").prefetch_related("assignments")
    )
    responsibilities, standards = [], []
    for index, power in enumerate(powers):
        post_id = next((a.post_id for a in power.assignments.all()), None)
        responsibilities.append(Responsibility(
            responsibility_set=rset, position=3 * index + 1, level=HolderLevel.DEPARTMENT, kind=kinds[0],
            power_code=power.code, content=f"对{power.name}的实施负领导责任",
        ))
        responsibilities.append(Responsibility(
            responsibility_set=rset, position=3 * index + 2,
            level=HolderLevel.AGENCY if power.handling_agency_id else HolderLevel.DEPARTMENT,
            agency_id=power.handling_agency_id, kind=kinds[-1], power_code=power.code,
            stage=stages[1 % len(stages)] if stages else None, content="依法审核，十个工作日内提出意见",
        ))
        responsibilities.append(Responsibility(
            responsibility_set=rset, position=3 * index + 3,
            level=HolderLevel.POST if post_id else HolderLevel.DEPARTMENT, post_id=post_id, kind=kinds[-1],
            power_code=power.code, stage=stages[0] if stages else None, content="十个工作日内予以立案，依法调查取证",
        ))
        if index % 4 == 0:
            standards.append(EnforcementStandard(
                responsibility_set=rset, position=index + 1, power_code=power.code, title=f"{power.name}裁量基准",
            ))
    Responsibility.objects.bulk_create(responsibilities, batch_size=5000)
    EnforcementStandard.objects.bulk_create(standards, batch_size=5000)
    StandardBand.objects.bulk_create([
        StandardBand(standard=s, order=order, label=label, circumstances=f"{label}情节", measure=f"{label}处罚")
        for s in standards for order, label in ((1, "轻微"), (2, "一般"), (3, "严重"))
    ], batch_size=5000)
    for version in (1, 2, 3):
        document = DisclosureDocument(
            organisation=department, kind=DocumentKind.BOOKLET, version=900 + version,
            content_hash=f"{MARK}-{department.pk}-{version}", status=DocumentStatus.READY,
            data_as_of=timezone.now(), finished_at=timezone.now(), pages=1, size=len(PDF),
        )
        document.file.save(f"bench-portal-{department.pk}-v{version}.pdf", ContentFile(PDF), save=False)
        document.save()
    print(f"prepared {department.name}: {len(responsibilities)} responsibilities, {len(standards)} standards, 3 booklets")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepare", action="store_true", help=f"add a published responsibility set and booklets ({MARK})")
    parser.add_argument("--cleanup", action="store_true", help=f"remove the {MARK} records and stop")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run against the PostgreSQL bench database (see the docstring).")
    if args.cleanup:
        cleanup()
        return
    settings.ALLOWED_HOSTS = ["*"]
    breakdown = largest_breakdown()
    if breakdown is None:
        raise SystemExit("No published breakdown: run bench/generate_authority.py first.")
    if args.prepare:
        prepare(breakdown)
    department = breakdown.department
    code = department.code
    longest = (
        PowerItem.objects.filter(breakdown=breakdown).annotate(n=Count("steps")).order_by("-n", "position").first()
    )
    print(f"database: {connection.vendor}; {PowerItem.objects.count()} powers in all; department: {department.name} "
          f"({code}): {breakdown.n} powers; runs per figure: {args.runs}")

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    pages = {
        "department": f"/departments/{code}/",
        "catalogue": f"/departments/{code}/catalogue/",
        "powers": f"/departments/{code}/powers/",
        "power": f"/departments/{code}/powers/{longest.code}/",
        "posts": f"/departments/{code}/posts/",
        "officers": f"/departments/{code}/officers/",
        "responsibilities": f"/departments/{code}/responsibilities/",
        "standards": f"/departments/{code}/standards/",
        "powers, last page": f"/departments/{code}/powers/?page=last",
        "search": "/search/?q=处罚",
    }
    results = {name: timed(client, url, args.runs) for name, url in pages.items()}
    for name, (times, queries) in results.items():
        print(f"  {name}: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, max {max(times):.1f} ms, {queries} queries")

    first = client.get(pages["department"])
    by_etag = client.get(pages["department"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code
    by_date = client.get(pages["department"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code
    start = time.perf_counter()
    for _ in range(args.runs):
        client.get(pages["department"], HTTP_IF_NONE_MATCH=first["ETag"])
    not_modified_ms = (time.perf_counter() - start) * 1000 / args.runs
    print(f"  conditional GET: If-None-Match → {by_etag}, If-Modified-Since → {by_date}, mean {not_modified_ms:.1f} ms")

    sections = max(p95(times) for name, (times, _) in results.items() if name not in ("department", "search"))
    print(f"portal-sections-p95-max: {sections:.1f} ms (target: ≤ 100 ms, the slowest section page)")
    print(f"portal-department-page-queries: {results['department'][1]} queries (target: constant)")
    print(f"portal-conditional-get: {by_etag if by_etag == by_date else f'{by_etag}/{by_date}'} (target: 304)")
    print(f"portal-department-page-p95: {p95(results['department'][0]):.1f} ms (target: ≤ 100 ms)")


if __name__ == "__main__":
    main()
