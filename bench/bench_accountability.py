#!/usr/bin/env python
"""Time the accountability case list of a city's legal-affairs office (issue 16: ≤ 200 ms p95),
through Django's test client in-process (routing, middleware, queries, template rendering).

Builds its own bench city if it is missing (idempotent): a city with 40 departments and two
counties of 10 each, and ``--cases`` cases (default 5,000) spread over them in every state, each
with one to three persons and, once decided, a measure. The office's first page, a later page,
a search, the open-cases filter and the overdue filter are timed in turn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_accountability.py
"""

import argparse
import datetime
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

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accountability.models import Case, CasePerson, CaseStatus, Measure, MeasureStatus  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from organisations.models import OfficeFunction, Organisation, OrganisationKind, SubjectKind  # noqa: E402

CITY = "BENCH-ZJ"
FIELDS = ["市场监督管理局", "卫生健康委员会", "生态环境局", "交通运输局", "自然资源局", "住房和城乡建设局", "农业农村局", "应急管理局",
          "文化和旅游局", "教育局", "民政局", "人力资源和社会保障局", "水务局", "林业和草原局", "商务局", "城市管理综合执法局",
          "公安局", "司法局", "财政局", "税务局"]
STATES = [CaseStatus.REGISTERED] * 3 + [CaseStatus.INVESTIGATING] * 3 + [CaseStatus.PROPOSED, CaseStatus.DECIDED] + \
    [CaseStatus.NOTIFIED] * 2 + [CaseStatus.CLOSED] * 6 + [CaseStatus.DISMISSED, CaseStatus.NOT_REGISTERED, CaseStatus.RECEIVED]


def p95(times):
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _org(parent=None, kind=OrganisationKind.DEPARTMENT, **kwargs):
    from organisations.services import organisation_create

    return organisation_create(parent=parent, kind=kind, **kwargs)


def build(cases: int) -> User:
    city = Organisation.objects.filter(code=CITY).first()
    if city is None:
        with transaction.atomic():
            city = _org(code=CITY, name="基准市人民政府", kind=OrganisationKind.CITY)
            _org(parent=city, code=f"{CITY}-FZB", name="基准市司法局", kind=OrganisationKind.DEPARTMENT, office_function=OfficeFunction.LEGAL_AFFAIRS)
            for i in range(40):
                _org(parent=city, code=f"{CITY}-D{i:02d}", name=f"基准市{FIELDS[i % len(FIELDS)]}{'' if i < 20 else '（二）'}",
                                            subject_kind=SubjectKind.STATUTORY_ORGAN)
            for c in range(2):
                county = _org(parent=city, code=f"{CITY}-X{c}", name=f"基准{c}县人民政府", kind=OrganisationKind.COUNTY)
                for i in range(10):
                    _org(parent=county, code=f"{CITY}-X{c}-D{i:02d}", name=f"基准{c}县{FIELDS[i]}",
                                                subject_kind=SubjectKind.STATUTORY_ORGAN)
    office = Organisation.objects.get(code=f"{CITY}-FZB")
    user = User.objects.filter(username="bench_zj_office").first()
    if user is None:
        user = User.objects.create(username="bench_zj_office", full_name="基准审核员", role=Role.OFFICE_REVIEWER, organisation=office)
    # A fresh password date: an expired one would send every page to the password form.
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
    departments = list(Organisation.objects.filter(path__startswith=city.path, kind=OrganisationKind.DEPARTMENT, office_function=""))
    have = Case.objects.filter(government__path__startswith=city.path).count()
    if have >= cases:
        return user
    rng = random.Random(16)
    today = timezone.localdate()
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = ["建国", "晓燕", "文斌", "伟", "芳", "军", "丽", "强", "敏", "磊", "静", "洋"]
    with transaction.atomic():
        rows = []
        for n in range(have, cases):
            department = rng.choice(departments)
            government = department.jurisdiction
            status = rng.choice(STATES)
            registered = today - datetime.timedelta(days=rng.randint(0, 700))
            decided = status in (CaseStatus.DECIDED, CaseStatus.NOTIFIED, CaseStatus.CLOSED)
            rows.append(Case(
                number=f"{government.code}-ZJ-{registered.year}-B{n:05d}", government=government, department=department,
                act=f"{rng.choice(['现场检查', '行政处罚', '行政许可', '行政强制'])}中的{rng.choice(['程序违法', '超越职权', '证据不足', '未出示证件', '适用依据错误'])}",
                source_kind=rng.choice(["complaint", "spot_check", "reversal", "referral"]), source_text="基准数据",
                status=status, registered_on=registered if status != CaseStatus.RECEIVED else None,
                decision_due=registered + datetime.timedelta(days=30) if status != CaseStatus.RECEIVED else None,
                decided_on=registered + datetime.timedelta(days=rng.randint(5, 30)) if decided else None,
            ))
        Case.objects.bulk_create(rows, batch_size=1000)
        created = list(Case.objects.filter(number__contains="-B").filter(pk__gt=0).order_by("-id")[: cases - have])
        persons, measures = [], []
        for case in created:
            for k in range(rng.randint(1, 3)):
                persons.append(CasePerson(case=case, name=rng.choice(surnames) + rng.choice(given), part=["handler", "reviewer", "approver"][k],
                                          responsibility="direct" if k == 0 else "important_leadership", grounds="基准数据"))
            if case.decided_on:
                measures.append(Measure(case=case, kind=rng.choice(["criticism", "admonition", "rectify"]), status=MeasureStatus.IN_FORCE))
        CasePerson.objects.bulk_create(persons, batch_size=2000)
        Measure.objects.bulk_create(measures, batch_size=2000)
    if connection.vendor == "postgresql":
        # Fresh bulk rows have no statistics yet (autovacuum would gather them within minutes).
        with connection.cursor() as cursor:
            for table in ("accountability_case", "accountability_caseperson", "accountability_measure", "organisations_organisation"):
                cursor.execute(f"ANALYZE {table}")
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    user = build(args.cases)
    from tests.two_factor import verify_session

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    verify_session(client, user)
    urls = ["/office/accountability/", "/office/accountability/?page=40", "/office/accountability/?q=程序违法",
            "/office/accountability/?status=open", "/office/accountability/?overdue=1"]
    queries = 0
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        queries = max(queries, len(captured))
    visible = Case.objects.filter(government__path__startswith=Organisation.objects.get(code=CITY).path).count()
    times = []
    for i in range(args.runs):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    print(f"  {visible} cases visible to the city office; {len(urls)} list variants, {args.runs} runs, at most {queries} queries a page")
    print(f"  p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    print(f"accountability-case-list-p95: {p95(times):.1f} ms (target: ≤ 200 ms)")


if __name__ == "__main__":
    main()
