"""Demo appraisal for ``load_demo``: the city's scheme of this year (from the reference
indicators), case files of a few departments drawn, scored and made final, reconsideration and
litigation outcomes, public ratings, the office's manual scores, a mid-year round finalised and
published, and a current round in draft with the market-regulation bureau's objection awaiting
the office. Runs after the responsibility step; skipped when the city has a scheme already."""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from authority.models import Officer
from organisations.models import Organisation

from . import review_services, scoring, services
from .models import CaseFile, CaseKind, CaseOutcome, DepartmentResult, IndicatorScore, Outcome, Rating, Scheme
from .reference import reference_load

CITY = "621200"
DEPARTMENTS = ("621200-SCJ", "621200-WJW", "621200-STHJ", "621200-JTYS", "621200-ZRZY", "621200-YJGL")
EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _round(actor, scheme, cut_off):
    round_ = services.round_start(actor=actor, scheme=scheme, cut_off=cut_off)
    # In the demo the numbers are wanted now, whether or not a worker runs.
    return scoring.compute(round_.pk)


def load_demo_appraisal(stdout=None) -> None:
    reference_load()  # the indicators and rubrics the demo scheme and draw start from
    city = Organisation.objects.filter(code=CITY).first()
    office = User.objects.filter(username="fzb").first()
    scj_editor = User.objects.filter(username="scj_editor").first()
    wjw_editor = User.objects.filter(username="wjw_editor").first()
    if not (city and office and scj_editor and wjw_editor) or Scheme.objects.filter(jurisdiction=city).exists():
        return
    today = timezone.localdate()
    year = today.year
    rng = random.Random(15)
    departments = list(Organisation.objects.filter(code__in=DEPARTMENTS).order_by("code"))
    scheme = services.scheme_create(actor=office, jurisdiction=city, year=year, title=f"{year}年度行政执法责任制考核")
    for department in departments:
        officers = list(Officer.objects.filter(department=department)[:4])
        if not officers:
            officers = [Officer.objects.create(department=department, name=f"{department.short_name or department.name[:4]}执法员{n}") for n in (1, 2)]
        for n in range(1, 7):
            case_file = CaseFile.objects.create(
                department=department, number=f"{department.code.split('-')[-1]}罚〔{year}〕{n}号", title=f"行政处罚案件{n}",
                case_kind=[CaseKind.PENALTY, CaseKind.LICENSING, CaseKind.INSPECTION][n % 3],
                decided_on=datetime.date(year, 1 + n, 10),
            )
            case_file.officers.set(officers[: 1 + n % 2])
        for n in range(rng.randint(2, 6)):
            CaseOutcome.objects.create(
                department=department, proceeding=["reconsideration", "litigation"][n % 2], case_number=f"{department.code.split('-')[-1]}复〔{year}〕{n + 1}号",
                decided_on=datetime.date(year, 2 + n, 15), outcome=rng.choice([Outcome.UPHELD] * 4 + [Outcome.ANNULLED, Outcome.WITHDRAWN]),
                entered_by=office,
            )
        for n in range(rng.randint(3, 12)):
            Rating.objects.create(department=department, stars=rng.choice([3, 4, 4, 5, 5, 2]), created_on=datetime.date(year, 3, 1 + n),
                                  comment="窗口办事效率高" if n == 0 else "")
    draw = review_services.draw_create(actor=office, jurisdiction=city, year=year, per_department=2, seed="demo-2026")
    for review in draw.reviews.select_related("department", "rubric", "draw__jurisdiction"):
        reviewer = wjw_editor if review.department.code != "621200-WJW" else scj_editor
        review = review_services.review_assign(actor=office, review=review, reviewer=reviewer)
        items = list(review.rubric.items.filter(is_veto=False))
        faults = {item.pk: rng.choice([0, 0, 1, 2]) for item in items}
        review = review_services.review_score(actor=reviewer, review=review, faults=faults,
                                              notes={items[0].pk: "卷内目录不全"} if faults.get(items[0].pk) else {})
        if review.department.code != "621200-SCJ":
            review_services.review_finalise(actor=office, review=review)
    for indicator in scheme.indicators.filter(source="manual"):
        for department in departments:
            services.manual_score_set(actor=office, indicator=indicator, department=department, score=Decimal(rng.randint(75, 98)),
                                      reason="依据年度目标责任书考核结果", attachment=ContentFile(EVIDENCE, name="目标考核结果.pdf"))
    first = _round(office, scheme, min(datetime.date(year, 6, 30), today))
    services.round_finalise(actor=office, round_=first)
    current = _round(office, scheme, today)
    scj = DepartmentResult.objects.filter(round=current, department__code="621200-SCJ").first()
    if scj is not None:
        score = IndicatorScore.objects.filter(round=current, department=scj.department, indicator__code="case_file_review").first()
        services.objection_raise(actor=scj_editor, result=scj, score=score, text="本局两份被抽查案卷已补正，请复核案卷评查得分。")
    if stdout is not None:
        stdout.write(f"Demo appraisal: scheme {scheme}, a published round and a draft round with an objection")
