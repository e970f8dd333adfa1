#!/usr/bin/env python
"""Collector pauses in a serving process (issue 17): the same stream of public requests (the
open-data API's entries, department pages, certificate verification) in three fresh processes,

- ``default``: CPython's own collector (thresholds 700, 10, 10, nothing frozen), as before;
- ``settled``: what config/wsgi.py and the Celery worker do once start-up is over
  (``toolkit.runtime.collector_settle``: warm, collect, freeze, raise the thresholds);
- ``off``: no collector at all, the floor a settled process should be near,

each timing every request and every collection (``gc.callbacks``). Prints, per process, the
requests' p50/p95/p99/max and the number and longest of full (generation 2) collections, then the
figures: the settled process's p95 beside the collector-off one, and the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_x1 .venv/bin/python bench/bench_gc.py [--requests 1500]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def p(times, q):
    ordered = sorted(times)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def child(mode: str, requests: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import gc

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from toolkit.runtime import collector_settle

    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.code FROM organisations_organisation o JOIN basis_basiscatalogue c ON c.department_id = o.id"
            " WHERE c.status = 'published' ORDER BY o.code LIMIT 200"
        )
        codes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT number FROM authority_certificate ORDER BY id LIMIT 200")
        numbers = [row[0] for row in cursor.fetchall()]
    if not codes or not numbers:
        raise SystemExit("The database has no published catalogues or certificates: generate the province first.")
    urls = []
    for i in range(requests):
        kind = i % 4
        if kind == 0:
            urls.append(f"/api/public/entries/?department={codes[i % len(codes)]}")
        elif kind == 1:
            urls.append(f"/departments/{codes[(i * 7) % len(codes)]}/")
        elif kind == 2:
            urls.append(f"/verify/{numbers[i % len(numbers)]}/")
        else:
            urls.append("/api/public/catalogues/")

    if mode == "settled":
        collector_settle()
    elif mode == "off":
        gc.disable()
    pauses = []
    started = {}

    def watch(phase, info):
        if phase == "start":
            started[info["generation"]] = time.perf_counter()
        elif info["generation"] in started:
            pauses.append((info["generation"], (time.perf_counter() - started.pop(info["generation"])) * 1000))

    gc.callbacks.append(watch)
    client = Client()
    times = []
    for i, url in enumerate(urls):
        start = time.perf_counter()
        response = client.get(url, REMOTE_ADDR=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        response.content
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 404), (url, response.status_code)
    gc.callbacks.remove(watch)
    full = [ms for generation, ms in pauses if generation == 2]
    print(json.dumps({
        "mode": mode,
        "times": times,
        "collections": len(pauses),
        "full": len(full),
        "full_max": max(full, default=0.0),
        "tracked": len(gc.get_objects()),
        "frozen": gc.get_freeze_count(),
        "thresholds": gc.get_threshold(),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--child", choices=("default", "settled", "off"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests)
        return
    results = {}
    # Interleaved twice, so that a slow spell of the machine does not fall on one mode only.
    for _ in range(2):
        for mode in ("default", "settled", "off"):
            env = dict(os.environ, GC_THRESHOLDS="", GC_FREEZE="1")
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--requests", str(args.requests)],
                env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            data = json.loads(out)
            previous = results.setdefault(mode, {"times": [], "collections": 0, "full": 0, "full_max": 0.0})
            previous["times"] += data["times"][50:]  # the first requests fill caches, in every mode alike
            previous["collections"] += data["collections"]
            previous["full"] += data["full"]
            previous["full_max"] = max(previous["full_max"], data["full_max"])
            previous["tracked"], previous["frozen"], previous["thresholds"] = data["tracked"], data["frozen"], data["thresholds"]
    for mode, data in results.items():
        times = data["times"]
        print(f"  {mode}: {len(times)} requests, p50 {p(times, 0.5):.1f} ms, p95 {p(times, 0.95):.1f} ms, "
              f"p99 {p(times, 0.99):.1f} ms, max {max(times):.1f} ms; {data['collections']} collections, "
              f"{data['full']} full (longest {data['full_max']:.1f} ms); tracked {data['tracked']:,}, frozen {data['frozen']:,}, "
              f"thresholds {tuple(data['thresholds'])}")
    default, settled, off = (p(results[m]["times"], 0.95) for m in ("default", "settled", "off"))
    print(f"requests-p95-collector-default: {default:.1f} ms (target: none; before)")
    print(f"requests-p99-collector-settled: {p(results['settled']['times'], 0.99):.1f} ms (target: none)")
    print(f"full-collection-longest-settled: {results['settled']['full_max']:.1f} ms (target: none; {results['settled']['full']} full collections)")
    print(f"requests-p95-collector-off: {off:.1f} ms (target: none; the floor)")
    print(f"requests-p95-collector-settled: {settled:.1f} ms (target: the p95 without spikes)")
    print(f"requests-p95-settled-to-off: {settled / off:.2f} × (target: ≤ 1.1×)")


if __name__ == "__main__":
    main()
