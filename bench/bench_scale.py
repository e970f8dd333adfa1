#!/usr/bin/env python
"""Every page figure of issue 17 beside its raw-SQL twin, from one run.

Each page (or API call) is timed through Django's test client in-process (routing, middleware,
queries, templates; no network) and, in the same loop, the SQL that returns the same rows is run
through a cursor with every row fetched. For each figure it prints the page's p95 with its
target, the twin's p95, and the ratio (target ≤ 3× unless said otherwise).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_x1     # or lecrs_x10
    .venv/bin/python bench/bench_scale.py [--runs 40] [--only portal,office,search,api]

The database is a generated province (bench/generate_province.py, then generate_authority.py;
``--scale 10`` for the ×10 one). A few ``bench_`` accounts are added on the first run. The
figures come from the modules ``scale_*.py`` beside this file.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

import scale  # noqa: E402
from toolkit.runtime import collector_settle  # noqa: E402

GROUPS = ("portal", "office", "search", "api")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "40")))
    parser.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups: " + ", ".join(GROUPS))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run against a generated PostgreSQL province (see the docstring).")
    settings.ALLOWED_HOSTS = ["*"]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM organisations_organisation WHERE kind = 'department'),"
            " (SELECT count(*) FROM basis_catalogueentry), (SELECT count(*) FROM authority_poweritem),"
            " (SELECT count(*) FROM authority_officer)"
        )
        departments, entries, powers, officers = cursor.fetchone()
    print(f"database {connection.settings_dict['NAME']}: {departments:,} departments, {entries:,} entries, "
          f"{powers:,} powers, {officers:,} officers; {args.runs} runs per figure", flush=True)

    figures = []
    for group in [g.strip() for g in args.only.split(",") if g.strip()]:
        if group not in GROUPS:
            raise SystemExit(f"unknown group {group!r}; choose from {', '.join(GROUPS)}")
        module = __import__(f"scale_{group}")
        figures += module.figures()
    # As the web process does once start-up is over (config/wsgi.py).
    collector_settle()
    scale.measure(figures, args.runs)
    lines = scale.report(figures)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
