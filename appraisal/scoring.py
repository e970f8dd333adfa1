"""Computing a round: every indicator for every department and officer of the jurisdiction,
totals, grades and rankings. One indicator at a time, each in a constant number of queries
(``indicators``); the round's progress is written after each so the office can follow it.

A total is the weighted mean of the subject's indicator scores that have data:
Σ(weight × score) ÷ Σ(weight), over the indicators with a score. An indicator without data
for a subject (no reviewed file, no decided case, no rating) gives its weight to the others.
Computed twice from the same records, a round gives the same numbers (Decimal arithmetic,
rounded half-up to two places, ties ranked by the organisation tree)."""

import json
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import JSONField
from django.utils import timezone

from authority.models import Officer
from organisations.models import Organisation, OrganisationKind

from .indicators import SOURCES, Context, q2
from .models import (
    DepartmentResult,
    IndicatorScore,
    Objection,
    OfficerResult,
    Round,
    RoundStatus,
    Target,
)

BATCH = 2000


def departments_of(scheme=None, *, jurisdiction_id: int | None = None):
    """The enforcement departments the scheme's jurisdiction (or ``jurisdiction_id``) appraises."""
    return Organisation.objects.filter(
        jurisdiction_id=jurisdiction_id if scheme is None else scheme.jurisdiction_id, kind=OrganisationKind.DEPARTMENT, office_function="", is_active=True
    )


def officers_of(scheme):
    return Officer.objects.filter(department__in=departments_of(scheme), is_active=True)


def weighted_total(pairs) -> Decimal:
    """``pairs``: (weight, score or None). The weighted mean of the scores that exist."""
    weights = sum((w for w, s in pairs if s is not None), Decimal(0))
    if not weights:
        return Decimal("0.00")
    return q2(sum((w * s for w, s in pairs if s is not None), Decimal(0)) / weights)


def competition_ranks(rows, key) -> dict:
    """1, 2, 2, 4 … by descending ``key``; ``rows`` already in tie-break order."""
    ordered = sorted(rows, key=lambda r: -key(r))
    ranks, previous, rank = {}, None, 0
    for position, row in enumerate(ordered, start=1):
        value = key(row)
        if value != previous:
            rank, previous = position, value
        ranks[id(row)] = rank
    return ranks


def _text(value) -> str | None:
    return None if value is None else str(value)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _progress(round_id: int, percent: int) -> None:
    Round.objects.filter(pk=round_id).update(progress=percent)


def compute(round_id: int) -> Round:
    """(Re)compute a round that is not finalised. The old numbers go first; a failure leaves the
    round FAILED with its reason, never half-written results marked computed."""
    round_ = Round.objects.select_related("scheme").get(pk=round_id)
    if round_.status == RoundStatus.FINALISED or Objection.objects.filter(result__round=round_).exists():
        # Frozen, or answered on its numbers: a stray delivery of the task changes nothing.
        return round_
    scheme = round_.scheme
    Round.objects.filter(pk=round_id).update(status=RoundStatus.COMPUTING, progress=0, error="")
    try:
        with transaction.atomic():
            # A round with objections is never computed again (round_rerun refuses), so nothing
            # points at these rows: they go without the cascade's collecting them one by one.
            for model in (IndicatorScore, DepartmentResult, OfficerResult):
                model.objects.filter(round=round_)._raw_delete(model.objects.db)
        departments = list(departments_of(scheme).order_by("path").values_list("id", flat=True))
        officer_department = dict(officers_of(scheme).values_list("id", "department_id"))
        ctx = Context(scheme=scheme, cut_off=round_.cut_off, departments=departments_of(scheme), officers=officers_of(scheme))
        indicators = list(scheme.indicators.order_by("target", "position", "id"))
        pairs_department = defaultdict(list)
        pairs_officer = defaultdict(list)
        officer_scores = defaultdict(list)
        reversal = {}
        for index, indicator in enumerate(indicators, start=1):
            source = SOURCES[indicator.source]
            values = source.compute(ctx, indicator)
            missing = source.missing(indicator)
            subjects = departments if indicator.target == Target.DEPARTMENT else list(officer_department)
            rows = []
            for subject in subjects:
                value = values.get(subject, missing)
                if indicator.target == Target.DEPARTMENT:
                    rows.append((round_.pk, indicator.pk, subject, _text(value.value), _text(value.score), _json(value.detail), ""))
                    pairs_department[subject].append((indicator.weight, value.score))
                    if indicator.source == "reversal_rate":
                        reversal[subject] = value.value
                else:
                    pairs_officer[subject].append((indicator.weight, value.score))
                    officer_scores[subject].append({
                        "indicator": indicator.pk, "value": _text(value.value), "score": _text(value.score), "detail": value.detail,
                    })
            _copy_rows(IndicatorScore, ["round", "indicator", "department", "value", "computed", "detail", "adjust_reason"], rows)
            _progress(round_id, int(90 * index / max(len(indicators), 1)))
        groups = {}
        for group in scheme.groups.prefetch_related("departments").order_by("name"):
            for department in group.departments.all():
                groups.setdefault(department.pk, group.pk)
        results = [
            DepartmentResult(round=round_, department_id=d, total=weighted_total(pairs_department[d]),
                             grade="", rank=0, group_id=groups.get(d), reversal_rate=reversal.get(d))
            for d in departments
        ]
        rank_results(scheme, results)
        DepartmentResult.objects.bulk_create(results, batch_size=BATCH)
        officers = []
        grade_counts = defaultdict(int)
        for officer_id in sorted(officer_department):
            total = weighted_total(pairs_officer[officer_id])
            grade = scheme.grade_for(total)
            grade_counts[grade] += 1
            officers.append((round_.pk, officer_id, officer_department[officer_id], str(total), grade, _json(officer_scores[officer_id])))
        _copy_rows(OfficerResult, ["round", "officer", "department", "total", "grade", "scores"], officers)
    except Exception as error:
        Round.objects.filter(pk=round_id).update(status=RoundStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    today = timezone.localdate()
    Round.objects.filter(pk=round_id).update(
        status=RoundStatus.COMPUTED, progress=100, computed_at=timezone.now(), officer_grades=dict(grade_counts),
        objections_until=today + timezone.timedelta(days=scheme.objection_days),
    )
    round_.refresh_from_db()
    return round_


def rank_results(scheme, results: list[DepartmentResult]) -> None:
    """Grades and ranks in place: within the jurisdiction and within each group."""
    for result in results:
        result.grade = scheme.grade_for(result.total)
    ranks = competition_ranks(results, lambda r: r.total)
    by_group = defaultdict(list)
    for result in results:
        result.rank = ranks[id(result)]
        if result.group_id:
            by_group[result.group_id].append(result)
    for members in by_group.values():
        group_ranks = competition_ranks(members, lambda r: r.total)
        for result in members:
            result.group_rank = group_ranks[id(result)]


def department_total(round_, department_id: int) -> Decimal:
    scores = IndicatorScore.objects.filter(round=round_, department_id=department_id).select_related("indicator")
    return weighted_total([(s.indicator.weight, s.score) for s in scores])


def rerank(round_) -> None:
    """After an adjustment: the grade and ranks of every department of the round again."""
    results = list(DepartmentResult.objects.filter(round=round_).select_related("department").order_by("department__path"))
    rank_results(round_.scheme, results)
    DepartmentResult.objects.bulk_update(results, ["grade", "rank", "group_rank"], batch_size=BATCH)



def _copy_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (values of ``fields``, JSON already as text) with PostgreSQL's COPY: at a
    province's scale a round writes some 90,000 rows, and building INSERT statements for them
    costs more than computing them. Other databases use bulk_create."""
    import csv
    import io

    from django.db import connection

    if connection.vendor != "postgresql":
        columns = [model._meta.get_field(f) for f in fields]
        objects = []
        for row in rows:
            values = {c.attname: (json.loads(v) if isinstance(c, JSONField) and v is not None else v) for c, v in zip(columns, row)}
            objects.append(model(**values))
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )
