"""The suggestion run after an appraisal round is finalised (§3(六) item 5 of the issue), and the
commendations proposed from the round's top grades.

Rules, each proposing a ``Suggestion`` with the rule that fired and the figures behind it:

- an officer graded fail (不合格) in the round's year and the year before → 取消执法资格 or
  调离执法岗位, the office choosing when it accepts;
- a department whose reversal rate exceeds the scheme's ``reversal_rate_threshold`` (equal does
  not) → 限期整改;
- falsified or perfunctory work found in a spot check of the year (rollout's serious findings)
  → a case;
- a case file that failed case-file review on a veto item (appraisal's reviews mark a file
  neither falsified nor perfunctory; a veto-failed file is the review's own "failed") → a case.

Departments graded excellent (优秀) are proposed for commendation, except those barred that
year by 取消评先资格; the skipped ones are kept on the run with the reason.

Nothing is applied: the office accepts a suggestion (a registered case opens) or dismisses it.
Reading the round is a fixed number of queries whatever the number of officers and departments;
every proposal has a unique key (rule, subject and — for the rules that read a round's figures —
the round), so a second run for the same round proposes nothing twice. A finding or a reviewed
file is one record: it is proposed once, whichever round of its year runs first."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appraisal import selectors as appraisal
from appraisal.models import FileReview, ItemScore, ReviewStatus, Round, RoundStatus
from audit.models import AuditAction
from audit.services import event_record
from authority.models import Officer
from organisations.models import Organisation
from rollout import selectors as rollout

from .models import (
    Commendation,
    CommendationStatus,
    Measure,
    MeasureKind,
    MeasureStatus,
    SourceKind,
    Suggestion,
    SuggestionRule,
    SuggestionRun,
)

FAIL = "fail"
EXCELLENT = "excellent"
SYSTEM = "suggestions"  # the audit trail's name for the run (no signed-in actor)


class RoundNotFinalised(Exception):
    pass


@dataclass
class Proposal:
    rule: str
    key: str
    department_id: int
    explanation: str
    figures: dict
    officer_id: int | None = None
    suggested_measure: str = ""
    measure_options: list = field(default_factory=list)
    source_kind: str = SourceKind.APPRAISAL


def _rate(value) -> str:
    return f"{Decimal(value):.2f}"


# -- The rules --------------------------------------------------------------------------------


def officers_failed_two_years(round_: Round, year: int, government_id: int) -> list[Proposal]:
    """Fail this year and fail the year before (both from finalised rounds). Two queries for the
    grades, one for the officers who fired."""
    grades = appraisal.officer_grades(jurisdiction_id=government_id, years=[year - 1, year])
    failing = [pk for pk, by_year in grades.items() if by_year.get(year) == FAIL and by_year.get(year - 1) == FAIL]
    if not failing:
        return []
    officers = Officer.objects.filter(pk__in=failing).values_list("pk", "name", "department_id").order_by("pk")
    return [
        Proposal(
            rule=SuggestionRule.OFFICER_FAILED_TWO_YEARS, key=f"{SuggestionRule.OFFICER_FAILED_TWO_YEARS}:officer:{pk}:round:{round_.pk}",
            department_id=department_id, officer_id=pk,
            explanation=_("%(name)s was graded fail in the appraisals of %(before)d and %(year)d.") % {"name": name, "before": year - 1, "year": year},
            figures={"round": round_.pk, "grades": {str(year - 1): FAIL, str(year): FAIL}},
            measure_options=[MeasureKind.REVOKE, MeasureKind.TRANSFER],
        )
        for pk, name, department_id in officers
    ]


def departments_above_reversal_threshold(round_: Round, results) -> list[Proposal]:
    """A reversal rate strictly above the scheme's threshold; the rank says how it compares (1:
    the worst of the round)."""
    threshold = round_.scheme.reversal_rate_threshold
    rated = sorted((r for r in results if r.reversal_rate is not None), key=lambda r: (-r.reversal_rate, r.department_id))
    proposals = []
    for rank, result in enumerate(rated, start=1):
        if result.reversal_rate <= threshold:
            break
        proposals.append(Proposal(
            rule=SuggestionRule.REVERSAL_RATE, key=f"{SuggestionRule.REVERSAL_RATE}:department:{result.department_id}:round:{round_.pk}",
            department_id=result.department_id,
            explanation=_("Reversal rate %(rate)s %% in %(year)d, above the threshold of %(threshold)s %%.")
            % {"rate": _rate(result.reversal_rate), "year": round_.scheme.year, "threshold": _rate(threshold)},
            figures={"round": round_.pk, "reversal_rate": _rate(result.reversal_rate), "threshold": _rate(threshold),
                     "rank": rank, "rated": len(rated)},
            suggested_measure=MeasureKind.RECTIFY,
        ))
    return proposals


def serious_spot_check_findings(year: int, government_id: int) -> list[Proposal]:
    proposals = []
    for finding in rollout.serious_findings(jurisdiction_id=government_id, year=year):
        target = finding.target
        proposals.append(Proposal(
            rule=SuggestionRule.SPOT_CHECK_FINDING, key=f"{SuggestionRule.SPOT_CHECK_FINDING}:finding:{finding.pk}",
            department_id=target.organisation_id, source_kind=SourceKind.SPOT_CHECK,
            explanation=_("%(kind)s found in the spot check “%(check)s”: %(description)s")
            % {"kind": finding.get_kind_display(), "check": target.spot_check.title, "description": finding.description},
            figures={"finding": finding.pk, "kind": finding.kind, "spot_check": target.spot_check.title,
                     "inspected_on": target.inspected_on.isoformat() if target.inspected_on else ""},
        ))
    return proposals


def vetoed_file_reviews(year: int, government_id: int) -> list[Proposal]:
    """Final reviews of the year's draws that failed on a veto item. Three queries: the
    reviews, their veto faults, the officers who handled the files."""
    reviews = list(
        FileReview.objects.filter(draw__jurisdiction_id=government_id, draw__year=year, status=ReviewStatus.FINAL, vetoed=True)
        .select_related("case_file").prefetch_related("case_file__officers").order_by("pk")
    )
    if not reviews:
        return []
    vetoes: dict[int, list[str]] = {}
    for review_id, text in ItemScore.objects.filter(
        review__in=[r.pk for r in reviews], item__is_veto=True, faults__gt=0
    ).order_by("review_id", "item__position").values_list("review_id", "item__text"):
        vetoes.setdefault(review_id, []).append(text)
    proposals = []
    for review in reviews:
        case_file = review.case_file
        items = vetoes.get(review.pk, [])
        proposals.append(Proposal(
            rule=SuggestionRule.FILE_REVIEW_VETOED, key=f"{SuggestionRule.FILE_REVIEW_VETOED}:review:{review.pk}",
            department_id=review.department_id, source_kind=SourceKind.SPOT_CHECK,
            explanation=_("Case file %(number)s “%(title)s” failed case-file review on a veto item: %(items)s")
            % {"number": case_file.number, "title": case_file.title, "items": "、".join(items) or "—"},
            figures={"review": review.pk, "case_file": case_file.number, "score": _rate(review.score or 0), "veto_items": items,
                     "handled_by": [o.name for o in case_file.officers.all()]},
        ))
    return proposals


# -- Commendations ----------------------------------------------------------------------------


def barred_departments(department_ids, year: int) -> dict[int, str]:
    """{department id: number of the case whose 取消评先资格 bars it in ``year``}: one query
    (the bulk form of ``selectors.barred_from_commendation``)."""
    return dict(
        Measure.objects.filter(
            case__department_id__in=list(department_ids), kind=MeasureKind.BAR_COMMENDATION, status=MeasureStatus.IN_FORCE,
            case__decided_on__year=year,
        ).order_by("case__decided_on").values_list("case__department_id", "case__number")
    )


def _commendations(round_: Round, year: int, results) -> tuple[list[Commendation], list[dict]]:
    """Commendations to propose for the departments graded excellent, and those skipped."""
    excellent = [r.department_id for r in results if r.grade == EXCELLENT]
    if not excellent:
        return [], []
    barred = barred_departments(excellent, year)
    already = set(Commendation.objects.filter(department_id__in=excellent, year=year, from_appraisal=True).values_list("department_id", flat=True))
    names = dict(Organisation.objects.filter(pk__in=excellent).values_list("pk", "name"))
    totals = {r.department_id: r.total for r in results}
    proposed, skipped = [], []
    for department_id in excellent:
        if department_id in barred:
            skipped.append({"department": department_id, "name": names.get(department_id, ""), "reason": "barred", "case": barred[department_id]})
        elif department_id not in already:
            proposed.append(Commendation(
                government_id=round_.scheme.jurisdiction_id, year=year, department_id=department_id,
                title=_("Excellent department in the %(year)d enforcement appraisal") % {"year": year},
                citation=_("Graded excellent with a total of %(total)s in the appraisal “%(scheme)s”.")
                % {"total": _rate(totals[department_id]), "scheme": round_.scheme.title},
                status=CommendationStatus.PROPOSED, appraisal_round=round_, from_appraisal=True,
            ))
    return proposed, skipped


# -- The run ----------------------------------------------------------------------------------


def round_suggestions_run(*, round_id: int) -> SuggestionRun:
    """Propose the suggestions and commendations of a finalised round (idempotent). A fixed
    number of queries, whatever the number of officers and departments."""
    with transaction.atomic():
        round_ = Round.objects.select_related("scheme").select_for_update(of=("self",)).get(pk=round_id)
        if round_.status != RoundStatus.FINALISED:
            raise RoundNotFinalised(round_id)
        scheme = round_.scheme
        year, government_id = scheme.year, scheme.jurisdiction_id
        # What is stored is read by everyone in the official language.
        with translation.override(settings.LANGUAGE_CODE):
            results = appraisal.department_results(round_id=round_.pk)
            proposals = (
                officers_failed_two_years(round_, year, government_id)
                + departments_above_reversal_threshold(round_, results)
                + serious_spot_check_findings(year, government_id)
                + vetoed_file_reviews(year, government_id)
            )
            commendations, skipped = _commendations(round_, year, results)
        existing = set(Suggestion.objects.filter(key__in=[p.key for p in proposals]).values_list("key", flat=True)) if proposals else set()
        new = [p for p in proposals if p.key not in existing]
        # The list shows the newest first: created in reverse, the first rule's (and the worst
        # figures') come first.
        Suggestion.objects.bulk_create([
            Suggestion(
                government_id=government_id, department_id=p.department_id, officer_id=p.officer_id, rule=p.rule,
                explanation=p.explanation, figures=p.figures, suggested_measure=p.suggested_measure,
                measure_options=[str(m) for m in p.measure_options], source_kind=p.source_kind, key=p.key, appraisal_round=round_,
            )
            for p in reversed(new)
        ], ignore_conflicts=True)
        Commendation.objects.bulk_create(commendations, ignore_conflicts=True)
        run, created = SuggestionRun.objects.get_or_create(
            appraisal_round=round_, defaults={"government_id": government_id, "year": year, "ran_at": timezone.now()},
        )
        run.ran_at, run.runs = timezone.now(), run.runs + 1
        run.suggestions += len(new)
        run.commendations += len(commendations)
        run.skipped = skipped
        run.save(update_fields=["ran_at", "runs", "suggestions", "commendations", "skipped"])
        event_record(
            action=AuditAction.CREATE, obj=run, username=SYSTEM, message="suggestions proposed from an appraisal round",
            detail={"round": round_.pk, "suggestions": len(new), "already": len(existing), "commendations": len(commendations),
                    "skipped": [s["department"] for s in skipped]},
        )
    return run


# -- Presentation -----------------------------------------------------------------------------


def figure_rows(suggestion: Suggestion) -> list[tuple[str, str]]:
    """The figures behind a suggestion as (label, value) rows in the reader's language."""
    figures = suggestion.figures or {}
    rule = suggestion.rule
    if rule == SuggestionRule.OFFICER_FAILED_TWO_YEARS:
        from appraisal.models import Grade

        labels = dict(Grade.choices)
        return [(_("Grade in %(year)s") % {"year": year}, str(labels.get(grade, grade))) for year, grade in sorted(figures.get("grades", {}).items())]
    if rule == SuggestionRule.REVERSAL_RATE:
        return [
            (_("Reversal rate"), f"{figures.get('reversal_rate')} %"),
            (_("Threshold of the scheme"), f"{figures.get('threshold')} %"),
            (_("Rank by reversal rate"), _("%(rank)s of %(rated)s (1 is the highest)") % {"rank": figures.get("rank"), "rated": figures.get("rated")}),
        ]
    if rule == SuggestionRule.SPOT_CHECK_FINDING:
        from rollout.models import FindingKind

        rows = [(_("Spot check"), figures.get("spot_check", "")), (_("Finding"), str(dict(FindingKind.choices).get(figures.get("kind"), figures.get("kind"))))]
        if figures.get("inspected_on"):
            rows.append((_("Inspected on"), figures["inspected_on"]))
        return rows
    if rule == SuggestionRule.FILE_REVIEW_VETOED:
        return [
            (_("Case file"), figures.get("case_file", "")),
            (_("Review score"), figures.get("score", "")),
            (_("Veto items failed"), "、".join(figures.get("veto_items", [])) or "—"),
            (_("Handled by"), "、".join(figures.get("handled_by", [])) or "—"),
        ]
    return [(str(k), str(v)) for k, v in figures.items()]


def figures_text(suggestion: Suggestion) -> str:
    return "；".join(f"{label}: {value}" for label, value in figure_rows(suggestion))
