#!/usr/bin/env python
"""Time an appraisal round at province scale (issue 15) and the results pages.

Generates its own data (marked ``APRB-``; ``--cleanup`` removes it, then stops): one government
appraising ``--departments`` departments (default 4,000, the generated province's number, in one
jurisdiction so that one round covers them all), 10 officers each (40,000), 5 case files each
with a final review (20,000 reviewed files, with item scores), a published catalogue, breakdown
and responsibility set per department, supporting rules, reconsideration and litigation
outcomes, public ratings, training records, upheld complaints, and the office's manual scores.
Then it computes a round through the worker's code (``appraisal.tasks.compute_round`` in
process), counts the queries of every indicator, computes it again (same numbers), finalises it
and times the results pages (the office's and the portal's, first page of 100) through Django's
test client.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_appraisal
    .venv/bin/python manage.py migrate --settings=config.settings.bench
    .venv/bin/python bench/bench_appraisal.py [--departments 4000] [--runs 40]

Targets: ``appraisal-round`` ≤ 60 s with a constant number of queries per indicator;
``appraisal-results-page-p95`` ≤ 200 ms.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
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
from appraisal import scoring, services  # noqa: E402
from appraisal.indicators import SOURCES, Context  # noqa: E402
from appraisal.models import (  # noqa: E402
    CaseFile, CaseOutcome, DepartmentResult, FileReview, IndicatorScore, ItemScore, ManualScore, OfficerResult,
    Objection, Rating, ReviewDraw, Round, Rubric, Scheme, UpheldComplaint,
)
from authority.models import Breakdown, Officer, TrainingRecord  # noqa: E402
from basis.models import BasisCatalogue  # noqa: E402
from organisations.models import OfficeFunction, Organisation, OrganisationKind, SubjectKind  # noqa: E402
from responsibility.models import ResponsibilitySet, SupportingRule, SupportingRuleKind  # noqa: E402
from workflow.review import ReviewStatus  # noqa: E402

PREFIX = "APRB-"
YEAR = 2026
CUT_OFF = datetime.date(YEAR, 11, 30)


def _path(parent_path: str, step: int) -> str:
    return Organisation._get_path(parent_path, len(parent_path) // Organisation.steplen + 1, step)


def cleanup() -> None:
    government = Organisation.objects.filter(code=PREFIX + "GOV").first()
    if government is None:
        return
    departments = Organisation.objects.filter(path__startswith=government.path)
    rounds = Round.objects.filter(scheme__jurisdiction=government)
    Objection.objects.filter(result__round__in=rounds)._raw_delete(connection.alias)
    for model in (IndicatorScore, DepartmentResult, OfficerResult):
        model.objects.filter(round__in=rounds)._raw_delete(connection.alias)
    rounds.delete()
    Scheme.objects.filter(jurisdiction=government).delete()
    ItemScore.objects.filter(review__department__in=departments)._raw_delete(connection.alias)
    FileReview.objects.filter(department__in=departments)._raw_delete(connection.alias)
    ReviewDraw.objects.filter(jurisdiction=government).delete()
    CaseFile.officers.through.objects.filter(casefile__department__in=departments)._raw_delete(connection.alias)
    for model in (CaseFile, CaseOutcome, Rating, SupportingRule, BasisCatalogue, Breakdown, ResponsibilitySet):
        model.objects.filter(department__in=departments)._raw_delete(connection.alias)
    for model in (TrainingRecord, UpheldComplaint):
        model.objects.filter(officer__department__in=departments)._raw_delete(connection.alias)
    Officer.objects.filter(department__in=departments)._raw_delete(connection.alias)
    # The audit trail keeps its actors: the bench's user stays, out of the tree and inactive.
    User.objects.filter(username__startswith=PREFIX.lower() + "office").update(organisation=None, is_active=False, role="")
    Organisation.objects.filter(jurisdiction=government).update(jurisdiction=None)
    Organisation.objects.filter(path__startswith=government.path)._raw_delete(connection.alias)


def generate(count: int) -> tuple[Organisation, User]:
    started = time.monotonic()
    rng = random.Random(15)
    last_root = Organisation.objects.get_last_root_node()
    root_step = Organisation._str2int(last_root.path) + 1 if last_root else 1
    government = Organisation(path=_path("", root_step), depth=1, numchild=count + 1, code=PREFIX + "GOV",
                              name="评议基准市人民政府", kind=OrganisationKind.CITY)
    government.save()
    Organisation.objects.filter(pk=government.pk).update(jurisdiction=government)
    office = Organisation.objects.create(path=_path(government.path, 1), depth=2, code=PREFIX + "FZB", name="评议基准市司法局",
                                         kind=OrganisationKind.DEPARTMENT, office_function=OfficeFunction.LEGAL_AFFAIRS, jurisdiction=government)
    Organisation.objects.bulk_create([
        Organisation(path=_path(government.path, 2 + i), depth=2, code=f"{PREFIX}D{i:05d}", name=f"评议基准部门{i:05d}",
                     kind=OrganisationKind.DEPARTMENT, subject_kind=SubjectKind.STATUTORY_ORGAN, jurisdiction=government)
        for i in range(count)
    ], batch_size=2000)
    departments = list(Organisation.objects.filter(code__startswith=PREFIX + "D").order_by("code"))
    user = User.objects.create(username=f"{PREFIX.lower()}office-{int(time.time())}", role=Role.OFFICE_REVIEWER, organisation=office, full_name="基准",
                               password_changed_at=timezone.now())
    published = timezone.make_aware(datetime.datetime(YEAR, 3, 1))
    for model in (BasisCatalogue, Breakdown, ResponsibilitySet):
        extra = {"is_late": False} if model is BasisCatalogue else {}
        model.objects.bulk_create([
            model(department=d, version=1, status=ReviewStatus.PUBLISHED, published_at=published, **extra)
            for d in departments if rng.random() < 0.9
        ], batch_size=2000)
    kinds = list(SupportingRuleKind.values)
    SupportingRule.objects.bulk_create([
        SupportingRule(department=d, kind=k, title=f"制度{k}", adopted_on=datetime.date(YEAR, 1, 10))
        for d in departments for k in rng.sample(kinds, rng.randint(2, 8))
    ], batch_size=5000)
    officers = Officer.objects.bulk_create([Officer(department=d, name=f"执法员{n}") for d in departments for n in range(10)], batch_size=5000)
    by_department = {}
    for officer in officers:
        by_department.setdefault(officer.department_id, []).append(officer)
    TrainingRecord.objects.bulk_create([
        TrainingRecord(officer=o, kind="refresher", hours=Decimal(rng.choice([8, 16, 24, 40])), completed_on=datetime.date(YEAR, 4, 1))
        for o in officers if rng.random() < 0.8
    ], batch_size=5000)
    UpheldComplaint.objects.bulk_create([
        UpheldComplaint(officer=o, decided_on=datetime.date(YEAR, 5, 1), summary="投诉查实", recorded_by=user)
        for o in officers if rng.random() < 0.02
    ], batch_size=5000)
    files = CaseFile.objects.bulk_create([
        CaseFile(department=d, number=f"F{d.pk}-{n}", title="案件", case_kind="penalty", decided_on=datetime.date(YEAR, 2 + n, 1))
        for d in departments for n in range(5)
    ], batch_size=5000)
    through = CaseFile.officers.through
    through.objects.bulk_create([
        through(casefile_id=f.pk, officer_id=o.pk) for f in files for o in rng.sample(by_department[f.department_id], 2)
    ], batch_size=10000)
    rubric = Rubric.objects.filter(case_kind="penalty").order_by("-version").first()
    draw = ReviewDraw.objects.create(jurisdiction=government, year=YEAR, seed="bench", per_department=5, drawn_by=user)
    finalised = timezone.make_aware(datetime.datetime(YEAR, 6, 1))
    reviews = FileReview.objects.bulk_create([
        FileReview(draw=draw, case_file=f, department_id=f.department_id, rubric=rubric, reviewer=user, status="final",
                   score=Decimal(rng.randint(60, 100)), finalised_at=finalised)
        for f in files
    ], batch_size=5000)
    items = list(rubric.items.filter(is_veto=False))
    ItemScore.objects.bulk_create([ItemScore(review=r, item=rng.choice(items), faults=1) for r in reviews], batch_size=10000)
    outcomes = ["upheld"] * 6 + ["annulled", "changed", "withdrawn"]
    CaseOutcome.objects.bulk_create([
        CaseOutcome(department=d, proceeding="reconsideration", case_number=f"R{d.pk}-{n}", decided_on=datetime.date(YEAR, 3, 1 + n),
                    outcome=rng.choice(outcomes), entered_by=user)
        for d in departments for n in range(rng.randint(0, 4))
    ], batch_size=5000)
    Rating.objects.bulk_create([
        Rating(department=d, stars=rng.randint(1, 5), created_on=datetime.date(YEAR, 6, 1 + n % 28))
        for d in departments for n in range(rng.randint(0, 8))
    ], batch_size=10000)
    scheme = services.scheme_create(actor=user, jurisdiction=government, year=YEAR, title="基准考核")
    for indicator in scheme.indicators.filter(source="manual"):
        ManualScore.objects.bulk_create([
            ManualScore(indicator=indicator, department=d, score=Decimal(rng.randint(70, 100)), reason="考核结果", attachment="bench.pdf",
                        attachment_name="bench.pdf", entered_by=user)
            for d in departments
        ], batch_size=5000)
    print(f"generated {len(departments)} departments, {len(officers)} officers, {len(reviews)} reviewed files in {time.monotonic() - started:.1f} s")
    return government, user


def p95(times):
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cleanup", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL); the figures mean nothing on SQLite.")
    with transaction.atomic():
        cleanup()
    if args.cleanup:
        return
    with transaction.atomic():
        government, user = generate(args.departments)
    scheme = Scheme.objects.get(jurisdiction=government)

    # Queries per indicator: the same for a tenth of the departments as for all of them.
    ctx_all = Context(scheme=scheme, cut_off=CUT_OFF, departments=scoring.departments_of(scheme), officers=scoring.officers_of(scheme))
    tenth = scoring.departments_of(scheme).order_by("code")[: max(1, args.departments // 10)]
    ids = list(tenth.values_list("pk", flat=True))
    ctx_tenth = Context(scheme=scheme, cut_off=CUT_OFF, departments=Organisation.objects.filter(pk__in=ids),
                        officers=Officer.objects.filter(department_id__in=ids))
    constant = True
    for indicator in scheme.indicators.all():
        counts = []
        for ctx in (ctx_tenth, ctx_all):
            with CaptureQueriesContext(connection) as queries:
                SOURCES[indicator.source].compute(ctx, indicator)
            counts.append(len(queries))
        constant &= counts[0] == counts[1]
        print(f"  {indicator.code}: {counts[1]} queries ({counts[0]} for a tenth of the departments)")

    round_ = Round.objects.create(scheme=scheme, cut_off=CUT_OFF, started_by=user)
    from appraisal.tasks import compute_round

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        compute_round(round_.pk)
    elapsed = time.monotonic() - started
    round_.refresh_from_db()
    print(f"round: {round_.status}, {len(queries)} queries, {DepartmentResult.objects.filter(round=round_).count()} department results, "
          f"{OfficerResult.objects.filter(round=round_).count()} officer results, {IndicatorScore.objects.filter(round=round_).count()} indicator scores")
    first = list(DepartmentResult.objects.filter(round=round_).order_by("department_id").values_list("total", "grade", "rank"))
    started_again = time.monotonic()
    compute_round(round_.pk)
    again = time.monotonic() - started_again
    same = first == list(DepartmentResult.objects.filter(round=round_).order_by("department_id").values_list("total", "grade", "rank"))
    print(f"re-run: {again:.1f} s, same numbers: {same}")
    services.round_finalise(actor=user, round_=round_)

    client = Client()
    client.force_login(user)
    from tests.two_factor import verify_session

    verify_session(client, user)
    pages = {"office": f"/office/appraisal/rounds/{round_.pk}/", "portal": f"/appraisal/{round_.pk}/"}
    worst = 0.0
    for name, url in pages.items():
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url) if name == "office" else Client().get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        print(f"  {name} results page: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms")
        worst = max(worst, p95(times))
    print(f"queries per indicator constant in the number of departments: {constant}")
    print(f"appraisal-round: {elapsed:.1f} s (target: ≤ 60 s)")
    print(f"appraisal-results-page-p95: {worst:.1f} ms (target: ≤ 200 ms)")


if __name__ == "__main__":
    main()
