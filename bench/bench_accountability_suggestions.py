#!/usr/bin/env python
"""Time the accountability suggestion run after a province-wide appraisal round (issue 16:
≤ 30 s with a constant number of queries).

Generates its own data (codes ``SUGB-``; ``--cleanup`` removes it, then stops): one government
appraising ``--departments`` departments (default 4,000, in one jurisdiction so that one round
covers them all) with ``--officers`` officers each (default 10: 40,000), two finalised rounds
(last year's and this year's) with every officer's grade in both (about 3 % fail twice), this
year's department results with reversal rates and grades (some above the threshold, some
excellent), and a small government (40 departments) built the same way. Appraisal's results are
written directly in bulk (computing the rounds is ``bench_appraisal.py``'s business). Then it
runs ``accountability.suggestions.round_suggestions_run`` for the large round (timed, queries
counted), again (idempotent: nothing new), and for the small round (queries counted: the same
number).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>
    .venv/bin/python manage.py migrate --settings=config.settings.bench
    .venv/bin/python bench/bench_accountability_suggestions.py [--departments 4000] [--officers 10]
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accountability.models import Commendation, Suggestion, SuggestionRun  # noqa: E402
from accountability.suggestions import round_suggestions_run  # noqa: E402
from appraisal.models import DepartmentResult, OfficerResult, Round, RoundStatus, Scheme  # noqa: E402
from authority.models import Officer  # noqa: E402
from organisations.models import Organisation, OrganisationKind, SubjectKind  # noqa: E402

PREFIX = "SUGB-"
YEAR = 2026
GRADES = ["excellent", "good", "pass", "basic_pass", "fail"]


def _path(parent_path: str, step: int) -> str:
    return Organisation._get_path(parent_path, len(parent_path) // Organisation.steplen + 1, step)


def cleanup() -> None:
    governments = list(Organisation.objects.filter(code__startswith=PREFIX, depth=1))
    for government in governments:
        rounds = Round.objects.filter(scheme__jurisdiction=government)
        Suggestion.objects.filter(government=government)._raw_delete(connection.alias)
        Commendation.objects.filter(government=government)._raw_delete(connection.alias)
        SuggestionRun.objects.filter(government=government)._raw_delete(connection.alias)
        for model in (DepartmentResult, OfficerResult):
            model.objects.filter(round__in=rounds)._raw_delete(connection.alias)
        rounds.delete()
        Scheme.objects.filter(jurisdiction=government).delete()
        departments = Organisation.objects.filter(path__startswith=government.path)
        Officer.objects.filter(department__in=departments)._raw_delete(connection.alias)
        Organisation.objects.filter(jurisdiction=government).update(jurisdiction=None)
        Organisation.objects.filter(path__startswith=government.path)._raw_delete(connection.alias)


def generate(tag: str, departments_count: int, officers_each: int, rng: random.Random) -> Round:
    started = time.monotonic()
    last_root = Organisation.objects.get_last_root_node()
    root_step = Organisation._str2int(last_root.path) + 1 if last_root else 1
    government = Organisation(path=_path("", root_step), depth=1, numchild=departments_count, code=f"{PREFIX}{tag}",
                              name=f"建议基准{tag}市人民政府", kind=OrganisationKind.CITY)
    government.save()
    Organisation.objects.filter(pk=government.pk).update(jurisdiction=government)
    Organisation.objects.bulk_create([
        Organisation(path=_path(government.path, 1 + i), depth=2, code=f"{PREFIX}{tag}-D{i:05d}", name=f"建议基准部门{tag}{i:05d}",
                     kind=OrganisationKind.DEPARTMENT, subject_kind=SubjectKind.STATUTORY_ORGAN, jurisdiction=government)
        for i in range(departments_count)
    ], batch_size=2000)
    departments = list(Organisation.objects.filter(code__startswith=f"{PREFIX}{tag}-D").order_by("code").values_list("pk", flat=True))
    officers = Officer.objects.bulk_create(
        [Officer(department_id=d, name=f"执法员{n}") for d in departments for n in range(officers_each)], batch_size=5000,
    )
    rounds = {}
    for year in (YEAR - 1, YEAR):
        scheme = Scheme.objects.create(jurisdiction=government, year=year, title=f"{year}年度考核（基准）")
        rounds[year] = Round.objects.create(scheme=scheme, cut_off=datetime.date(year, 11, 30), status=RoundStatus.FINALISED,
                                            finalised_at=timezone.now())
    # About 17 % fail a year, so about 3 % fail both.
    weights = [10, 30, 30, 13, 17]
    for year, round_ in rounds.items():
        OfficerResult.objects.bulk_create([
            OfficerResult(round=round_, officer=o, department_id=o.department_id, total=Decimal("70"), grade=rng.choices(GRADES, weights)[0])
            for o in officers
        ], batch_size=10000)
    DepartmentResult.objects.bulk_create([
        DepartmentResult(round=rounds[YEAR], department_id=d, total=Decimal("80"), grade=rng.choices(GRADES, [8, 40, 40, 10, 2])[0],
                         rank=i + 1, reversal_rate=None if rng.random() < 0.2 else Decimal(rng.randint(0, 3000)) / 100)
        for i, d in enumerate(departments)
    ], batch_size=5000)
    print(f"generated {tag}: {len(departments)} departments, {len(officers)} officers, two years of grades "
          f"in {time.monotonic() - started:.1f} s", flush=True)
    return rounds[YEAR]


def measured(round_: Round) -> tuple[float, int, SuggestionRun]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        run = round_suggestions_run(round_id=round_.pk)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=4000)
    parser.add_argument("--officers", type=int, default=10, help="officers per department")
    parser.add_argument("--cleanup", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL); the figures mean nothing on SQLite.")
    with transaction.atomic():
        cleanup()
    if args.cleanup:
        return
    rng = random.Random(16)
    with transaction.atomic():
        large = generate("L", args.departments, args.officers, rng)
        small = generate("S", 40, args.officers, rng)
    with connection.cursor() as cursor:
        for table in (OfficerResult, DepartmentResult, Officer, Organisation):
            cursor.execute(f"ANALYZE {table._meta.db_table}")

    seconds, queries, run = measured(large)
    print(f"large round: {run.suggestions} suggestions, {run.commendations} commendations proposed "
          f"({args.departments * args.officers} officers) in {seconds:.2f} s, {queries} queries")
    again, queries_again, run = measured(large)
    print(f"large round again: {run.suggestions} suggestions in all (nothing new), {again:.2f} s, {queries_again} queries")
    small_seconds, small_queries, small_run = measured(small)
    print(f"small round: {small_run.suggestions} suggestions ({40 * args.officers} officers) in {small_seconds:.2f} s, {small_queries} queries")
    print(f"accountability-suggestion-queries: {queries} large / {small_queries} small (target: the same)")
    print(f"accountability-suggestion-run: {seconds:.2f} s (target: ≤ 30 s)")


if __name__ == "__main__":
    main()
