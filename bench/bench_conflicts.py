#!/usr/bin/env python
"""Time the cross-department checks on the generated province (bench/generate_province.py): for
one city (its departments and its counties') and for the whole province, several runs each, and
the per-catalogue check and review-queue counts the office's pages use.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench .venv/bin/python bench/bench_conflicts.py

Targets (issue 3): one city ≤ 1 s, the province ≤ 10 s.
"""

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from basis.checks import conflict_counts, findings, findings_for_catalogue  # noqa: E402
from basis.models import BasisCatalogue  # noqa: E402
from basis.selectors import current_catalogues  # noqa: E402
from organisations.models import Organisation, OrganisationKind  # noqa: E402


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, times: list[float]) -> None:
    print(f"  {name}: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {len(times)} runs", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs per figure (default 10)")
    args = parser.parse_args()

    # The largest city: most departments under it.
    city = Organisation.objects.filter(kind=OrganisationKind.CITY).order_by("-numchild", "path").first()
    if city is None:
        sys.exit("No data: run bench/generate_province.py first.")
    in_city = current_catalogues(city.path).count()
    everywhere = current_catalogues("").count()
    print(f"{connection.vendor}: city {city.name} with {in_city} current catalogues; province with {everywhere}", flush=True)

    findings(scope_path=city.path)  # warm the connection and the caches
    city_times, city_found = timed(lambda: findings(scope_path=city.path), args.runs)
    report("findings, one city", city_times)
    print(f"    {len(city_found)} findings: {dict(Counter(f.kind for f in city_found))}")

    province_times, province_found = timed(lambda: findings(scope_path=""), max(3, args.runs // 2))
    report("findings, province", province_times)
    print(f"    {len(province_found)} findings: {dict(Counter(f.kind for f in province_found))}")

    # What the office's pages ask for: one catalogue's findings, and the queue's counts. At the
    # deadline every department of the city has a version in the queue.
    queue = list(current_catalogues(city.path).filter(department__jurisdiction=city).order_by("pk").values_list("pk", flat=True))
    catalogue = BasisCatalogue.objects.get(pk=queue[0])
    times, found = timed(lambda: findings_for_catalogue(catalogue), args.runs)
    report(f"findings_for_catalogue ({catalogue.department.name}, {len(found)} findings)", times)
    times, counts = timed(lambda: conflict_counts(queue), args.runs)
    report(f"conflict_counts for a queue of {len(queue)} ({sum(counts.values())} findings)", times)

    print(f"conflicts-city-p95: {p95(city_times):.0f} ms (target: ≤ 1000 ms)")
    print(f"conflicts-province-p95: {p95(province_times):.0f} ms (target: ≤ 10000 ms)")


if __name__ == "__main__":
    main()
