"""The indicator sources: how each indicator's number is computed from the records, as of a
round's cut-off date, for every department (or officer) of the jurisdiction at once.

Each source runs a constant number of queries whatever the number of departments: it reads
the jurisdiction's rows with one filter (a sub-query on the departments, never a query per
department) and returns, per subject, the value, the 0–100 score and the records behind it.

A source is registered with ``register``; adding one (say, the rollout's deadlines kept) is a
function and one ``register`` call:

    def _rollout(ctx, indicator):
        ...  # one query over ctx.departments
        return {department_id: Value(value, score, detail), ...}

    register("rollout_deadlines", label=_("Rollout deadlines kept"), target=Target.DEPARTMENT,
             compute=_rollout)

A subject the source returns nothing for gets ``missing`` (a score, or None: no data, and the
indicator's weight is shared among the subject's other indicators, as ``scoring`` says).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HUNDRED, REVERSED_OUTCOMES, Outcome, Target

TWO = Decimal("0.01")


def q2(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def clamp(value) -> Decimal:
    return q2(min(HUNDRED, max(Decimal(0), Decimal(value))))


def record(model: str | None, pk: int | None, label: str, ok: bool = True, note: str = "") -> dict:
    """One row of a drill-down: the record (``model``/``id``; None for a missing one)."""
    return {"model": model, "id": pk, "label": str(label), "ok": ok, "note": str(note)}


@dataclass
class Value:
    value: Decimal | None
    score: Decimal | None
    detail: list[dict] = field(default_factory=list)


@dataclass
class Context:
    """What every source needs: the jurisdiction's departments and officers (as sub-queries),
    the period from the 1st of January of the scheme's year to the end of the cut-off day."""

    scheme: object
    cut_off: datetime.date
    departments: QuerySet
    officers: QuerySet

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.scheme.year, 1, 1)

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the cut-off day (local time)."""
        day = self.cut_off + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Source:
    code: str
    label: str
    target: str
    compute: Callable[[Context, object], dict[int, Value]]
    missing: Callable[[object], Value] = lambda indicator: Value(None, None, [])
    manual: bool = False
    value_label: str = ""


SOURCES: dict[str, Source] = {}


def register(code: str, *, label, target: str, compute, missing=None, manual: bool = False, value_label="") -> None:
    """Add a source; ``value_label`` says what its raw value counts (shown beside the score)."""
    SOURCES[code] = Source(code, label, target, compute, missing or (lambda indicator: Value(None, None, [])), manual, value_label)


def source_choices(target: str | None = None) -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in SOURCES.values() if target is None or s.target == target]


def _param(indicator, name: str, default) -> Decimal:
    try:
        return Decimal(str((indicator.params or {}).get(name, default)))
    except Exception:  # noqa: BLE001 - a bad parameter falls back to the default
        return Decimal(str(default))


def _zero_missing(note):
    return lambda indicator: Value(Decimal(0), Decimal(0), [record(None, None, note, ok=False)])


# -- Department sources -----------------------------------------------------------------------


def _latest_by_department(rows):
    latest = {}
    for row in rows:
        if row.department_id not in latest or row.published_at > latest[row.department_id].published_at:
            latest[row.department_id] = row
    return latest


def basis_catalogue(ctx: Context, indicator) -> dict[int, Value]:
    """Published by the cut-off (the version current then), submitted on time, not flagged for
    revision, and no open conflict finding."""
    from basis.checks import conflict_counts
    from basis.models import BasisCatalogue

    rows = BasisCatalogue.objects.filter(
        department__in=ctx.departments, published_at__lt=ctx.end
    ).only("id", "department_id", "version", "published_at", "is_late", "needs_revision")
    latest = _latest_by_department(rows)
    conflicts = conflict_counts([c.pk for c in latest.values()]) if latest else {}
    late_penalty = _param(indicator, "late_penalty", 20)
    revision_penalty = _param(indicator, "revision_penalty", 20)
    per_conflict = _param(indicator, "conflict_penalty", 10)
    conflict_cap = _param(indicator, "conflict_cap", 40)
    values = {}
    for department_id, catalogue in latest.items():
        found = conflicts.get(catalogue.pk, 0)
        score = HUNDRED
        notes = []
        if catalogue.is_late:
            score -= late_penalty
            notes.append(_("submitted late"))
        if catalogue.needs_revision:
            score -= revision_penalty
            notes.append(_("flagged for revision"))
        if found:
            score -= min(conflict_cap, per_conflict * found)
            notes.append(_("%(n)s open conflict finding(s)") % {"n": found})
        label = _("Catalogue v%(v)s, published %(d)s") % {
            "v": catalogue.version, "d": timezone.localdate(catalogue.published_at).isoformat()
        }
        values[department_id] = Value(
            Decimal(found), clamp(score),
            [record("basis.basiscatalogue", catalogue.pk, label, ok=not notes, note="；".join(str(n) for n in notes))],
        )
    return values


def breakdown_and_set(ctx: Context, indicator) -> dict[int, Value]:
    """Breakdown of powers published (40), responsibility set published (40), disclosure
    booklet ready (20), each as of the cut-off."""
    from authority.models import Breakdown
    from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus, ResponsibilitySet

    breakdowns = _latest_by_department(
        Breakdown.objects.filter(department__in=ctx.departments, published_at__lt=ctx.end).only(
            "id", "department_id", "version", "published_at"
        )
    )
    sets = _latest_by_department(
        ResponsibilitySet.objects.filter(department__in=ctx.departments, published_at__lt=ctx.end).only(
            "id", "department_id", "version", "published_at"
        )
    )
    booklets = {}
    for document in DisclosureDocument.objects.filter(
        organisation__in=ctx.departments, kind=DocumentKind.BOOKLET, status=DocumentStatus.READY, finished_at__lt=ctx.end
    ).only("id", "organisation_id", "version", "finished_at"):
        current = booklets.get(document.organisation_id)
        if current is None or document.finished_at > current.finished_at:
            booklets[document.organisation_id] = document
    parts = (
        ("authority.breakdown", breakdowns, _param(indicator, "breakdown_points", 40), _("Breakdown of powers v%(v)s published"), _("No published breakdown of powers")),
        ("responsibility.responsibilityset", sets, _param(indicator, "set_points", 40), _("Responsibility set v%(v)s published"), _("No published responsibility set")),
        ("responsibility.disclosuredocument", booklets, _param(indicator, "disclosure_points", 20), _("Disclosure booklet v%(v)s ready"), _("No disclosure booklet")),
    )
    values = {}
    for department_id in set(breakdowns) | set(sets) | set(booklets):
        score, detail = Decimal(0), []
        for model, found, points, present, absent in parts:
            row = found.get(department_id)
            if row is None:
                detail.append(record(None, None, absent, ok=False))
            else:
                score += points
                detail.append(record(model, row.pk, present % {"v": row.version}))
        values[department_id] = Value(score, clamp(score), detail)
    return values


def supporting_rules(ctx: Context, indicator) -> dict[int, Value]:
    """Share of the eight supporting rules (§5(二)) registered and not repealed by the cut-off."""
    from responsibility.models import SupportingRule, SupportingRuleKind, SupportingRuleStatus

    kinds = dict(SupportingRuleKind.choices)
    found: dict[int, dict[str, SupportingRule]] = defaultdict(dict)
    for rule in SupportingRule.objects.filter(department__in=ctx.departments, adopted_on__lte=ctx.cut_off).exclude(
        status=SupportingRuleStatus.REPEALED
    ).only("id", "department_id", "kind", "title").order_by("id"):
        found[rule.department_id].setdefault(rule.kind, rule)
    values = {}
    for department_id, rules in found.items():
        detail = [
            record("responsibility.supportingrule", rules[k].pk, f"{label}：{rules[k].title}") if k in rules
            else record(None, None, label, ok=False, note=_("not registered"))
            for k, label in kinds.items()
        ]
        values[department_id] = Value(Decimal(len(rules)), clamp(HUNDRED * len(rules) / len(kinds)), detail)
    return values


def _supporting_missing(indicator):
    from responsibility.models import SupportingRuleKind

    return Value(Decimal(0), Decimal(0), [record(None, None, label, ok=False, note=_("not registered")) for _k, label in SupportingRuleKind.choices])


def case_file_review(ctx: Context, indicator) -> dict[int, Value]:
    """Mean score of the department's files reviewed in the year's draws, final by the cut-off."""
    from .models import FileReview, ReviewStatus

    by_department = defaultdict(list)
    for row in FileReview.objects.filter(
        department__in=ctx.departments, draw__year=ctx.scheme.year, status=ReviewStatus.FINAL, finalised_at__lt=ctx.end
    ).values_list("department_id", "id", "score", "vetoed", "case_file__number", "case_file__title"):
        by_department[row[0]].append(row)
    veto = str(_("veto item: 0"))
    values = {}
    for department_id, reviews in by_department.items():
        mean = q2(sum(r[2] for r in reviews) / len(reviews))
        detail = [
            record("appraisal.filereview", pk, f"{number} {title}", ok=not vetoed, note=(veto if vetoed else str(score)))
            for _d, pk, score, vetoed, number, title in reviews
        ]
        values[department_id] = Value(mean, clamp(mean), detail)
    return values


REVERSAL_RULE = _(
    "Reversal rate = (annulled + changed + confirmed unlawful + ordered to act) ÷ (cases decided − withdrawn or "
    "settled) × 100%, over the cases decided from 1 January to the cut-off date."
)


def reversal_counts(outcomes) -> tuple[int, int]:
    reversed_count = sum(1 for o in outcomes if o.outcome in REVERSED_OUTCOMES)
    decided = sum(1 for o in outcomes if o.outcome != Outcome.WITHDRAWN)
    return reversed_count, decided


def reversal_rate(ctx: Context, indicator) -> dict[int, Value]:
    """Score = 100 − ``points_per_percent`` × reversal rate (%), floored at 0. No decided case:
    no data."""
    from .models import CaseOutcome

    by_department = defaultdict(list)
    for outcome in CaseOutcome.objects.filter(
        department__in=ctx.departments, decided_on__gte=ctx.start, decided_on__lte=ctx.cut_off
    ).only("id", "department_id", "outcome", "case_number", "proceeding"):
        by_department[outcome.department_id].append(outcome)
    factor = _param(indicator, "points_per_percent", 2)
    labels = {value: str(label) for value, label in Outcome.choices}
    values = {}
    for department_id, outcomes in by_department.items():
        reversed_count, decided = reversal_counts(outcomes)
        detail = [
            record("appraisal.caseoutcome", o.pk, o.case_number, ok=o.outcome not in REVERSED_OUTCOMES, note=labels[o.outcome])
            for o in outcomes
        ]
        if not decided:
            values[department_id] = Value(None, None, detail)
            continue
        rate = q2(Decimal(100) * reversed_count / decided)
        values[department_id] = Value(rate, clamp(HUNDRED - factor * rate), detail)
    return values


def public_satisfaction(ctx: Context, indicator) -> dict[int, Value]:
    """Mean of the counted ratings (1–5) of the year to the cut-off, as (mean − 1) ÷ 4 × 100.
    Fewer than ``minimum`` ratings: no data."""
    from .models import Rating, RatingStatus

    minimum = int(_param(indicator, "minimum", 1))
    by_department = defaultdict(list)
    for row in Rating.objects.filter(
        department__in=ctx.departments, status=RatingStatus.COUNTED, created_on__gte=ctx.start, created_on__lte=ctx.cut_off
    ).values_list("department_id", "id", "stars", "created_on"):
        by_department[row[0]].append(row)
    values = {}
    for department_id, ratings in by_department.items():
        detail = [record("appraisal.rating", pk, f"{stars}★ {day.isoformat()}") for _d, pk, stars, day in ratings]
        if len(ratings) < minimum:
            values[department_id] = Value(None, None, detail)
            continue
        mean = q2(Decimal(sum(r[2] for r in ratings)) / len(ratings))
        values[department_id] = Value(mean, clamp((mean - 1) / 4 * HUNDRED), detail)
    return values


def manual(ctx: Context, indicator) -> dict[int, Value]:
    """The score the office entered, with its reason and evidence; not entered: 0."""
    from .models import ManualScore

    return {
        m.department_id: Value(m.score, clamp(m.score), [record("appraisal.manualscore", m.pk, m.reason, note=m.attachment_name)])
        for m in ManualScore.objects.filter(indicator=indicator, department__in=ctx.departments)
    }


# -- Officer sources --------------------------------------------------------------------------


def _files_by_officer(ctx: Context):
    from .models import CaseFile

    through = CaseFile.officers.through
    rows = through.objects.filter(
        officer__in=ctx.officers, casefile__decided_on__gte=ctx.start, casefile__decided_on__lte=ctx.cut_off
    ).values_list("officer_id", "casefile_id", "casefile__number")
    files = defaultdict(list)
    for officer_id, file_id, number in rows:
        files[officer_id].append((file_id, number))
    return files


def cases_handled(ctx: Context, indicator) -> dict[int, Value]:
    """Files handled in the year to the cut-off; ``target`` files or more score 100."""
    target = _param(indicator, "target", 20)
    return {
        officer_id: Value(Decimal(len(files)), clamp(HUNDRED * len(files) / target if target else HUNDRED),
                          [record("appraisal.casefile", pk, number) for pk, number in files])
        for officer_id, files in _files_by_officer(ctx).items()
    }


def officer_file_scores(ctx: Context, indicator) -> dict[int, Value]:
    """Mean review score of the final reviews of files the officer handled (no reviewed file:
    no data)."""
    from .models import CaseFile, FileReview, ReviewStatus

    through = CaseFile.officers.through
    rows = through.objects.filter(
        officer__in=ctx.officers,
        casefile__reviews__draw__year=ctx.scheme.year,
        casefile__reviews__status=ReviewStatus.FINAL,
        casefile__reviews__finalised_at__lt=ctx.end,
    ).values_list("officer_id", "casefile__reviews__id", "casefile__reviews__score", "casefile__number")
    by_officer = defaultdict(list)
    for officer_id, review_id, score, number in rows:
        by_officer[officer_id].append((review_id, score, number))
    del FileReview
    return {
        officer_id: Value(
            q2(sum(s for _r, s, _n in reviews) / len(reviews)), clamp(sum(s for _r, s, _n in reviews) / len(reviews)),
            [record("appraisal.filereview", r, n, note=str(s)) for r, s, n in reviews],
        )
        for officer_id, reviews in by_officer.items()
    }


def training(ctx: Context, indicator) -> dict[int, Value]:
    """Training hours completed in the year to the cut-off; ``target_hours`` or more score 100."""
    from authority.models import TrainingKind, TrainingRecord

    target = _param(indicator, "target_hours", 40)
    kinds = {value: str(label) for value, label in TrainingKind.choices}
    by_officer = defaultdict(list)
    for row in TrainingRecord.objects.filter(
        officer__in=ctx.officers, completed_on__gte=ctx.start, completed_on__lte=ctx.cut_off
    ).values_list("officer_id", "id", "hours", "completed_on", "kind"):
        by_officer[row[0]].append(row)
    values = {}
    for officer_id, rows in by_officer.items():
        hours = sum(r[2] for r in rows)
        values[officer_id] = Value(
            hours, clamp(HUNDRED * hours / target if target else HUNDRED),
            [record("authority.trainingrecord", pk, f"{day.isoformat()} {kinds.get(kind, kind)}", note=str(h)) for _o, pk, h, day, kind in rows],
        )
    return values


def complaints_upheld(ctx: Context, indicator) -> dict[int, Value]:
    """100 − ``points_each`` per complaint upheld in the year to the cut-off, floored at 0."""
    from .models import UpheldComplaint

    points = _param(indicator, "points_each", 25)
    by_officer = defaultdict(list)
    for row in UpheldComplaint.objects.filter(
        officer__in=ctx.officers, decided_on__gte=ctx.start, decided_on__lte=ctx.cut_off
    ).only("id", "officer_id", "summary"):
        by_officer[row.officer_id].append(row)
    return {
        officer_id: Value(Decimal(len(rows)), clamp(HUNDRED - points * len(rows)),
                          [record("appraisal.upheldcomplaint", r.pk, r.summary, ok=False) for r in rows])
        for officer_id, rows in by_officer.items()
    }


D, O = Target.DEPARTMENT, Target.OFFICER
register("basis_catalogue", value_label=_("open conflict findings"), label=_("Basis catalogue: complete, on time, no open conflicts"), target=D,
         compute=basis_catalogue, missing=_zero_missing(_("No published catalogue")))
register("breakdown_and_set", value_label=_("points"), label=_("Breakdown and responsibility set: complete, published, disclosed"), target=D,
         compute=breakdown_and_set,
         missing=lambda i: Value(Decimal(0), Decimal(0), [record(None, None, _("Nothing published"), ok=False)]))
register("supporting_rules", value_label=_("kinds registered of 8"), label=_("Supporting rules registered"), target=D, compute=supporting_rules,
         missing=_supporting_missing)
register("case_file_review", value_label=_("mean file score"), label=_("Case-file review score"), target=D, compute=case_file_review)
register("reversal_rate", value_label=_("reversal rate (%)"), label=_("Reversal rate in reconsideration and litigation"), target=D, compute=reversal_rate)
register("public_satisfaction", value_label=_("mean rating (1–5)"), label=_("Public satisfaction"), target=D, compute=public_satisfaction)
register("manual", value_label=_("entered score"), label=_("Entered by the office (with reason and evidence)"), target=D, compute=manual,
         missing=_zero_missing(_("Not entered by the office")), manual=True)
register("cases_handled", value_label=_("files handled"), label=_("Cases handled"), target=O, compute=cases_handled,
         missing=lambda i: Value(Decimal(0), Decimal(0), []))
register("officer_file_scores", value_label=_("mean file score"), label=_("Case-file scores of files handled"), target=O, compute=officer_file_scores)
register("training", value_label=_("training hours"), label=_("Training kept"), target=O, compute=training,
         missing=lambda i: Value(Decimal(0), Decimal(0), []))
register("complaints_upheld", value_label=_("complaints upheld"), label=_("Complaints upheld"), target=O, compute=complaints_upheld,
         missing=lambda i: Value(Decimal(0), HUNDRED, []))
