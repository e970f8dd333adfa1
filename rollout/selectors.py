"""Reads of the rollout's campaigns and spot checks that other chapters (appraisal) and the
pages use. The deliverables' statuses themselves are computed in ``campaigns_status``."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from organisations.models import Organisation

from .campaigns_status import Dates, Records, _answers_to, evaluate
from .models import Campaign, Finding, RectificationStatus, SpotCheck
from .models.checks import SERIOUS_FINDING_KINDS


def deadlines_kept(*, organisation_ids, cutoff: dt.datetime) -> dict[int, tuple[int, int]]:
    """For each organisation: (deliverables due by ``cutoff``, how many of them were delivered —
    submitted or done — by their deadline), over every campaign year that governs it. A constant
    number of queries. Organisations no campaign covers get (0, 0)."""
    return {
        pk: (len(items), sum(1 for item in items if _kept(item)))
        for pk, items in deadlines_due(organisation_ids=organisation_ids, cutoff=cutoff).items()
    }


def _kept(item) -> bool:
    return bool(item.delivered and item.delivered_at is not None and item.delivered_at <= item.due_at)


def deadlines_due(*, organisation_ids, cutoff: dt.datetime) -> dict[int, list]:
    """For each organisation, its deliverables due by ``cutoff`` (``campaigns_status.Item``: the
    deliverable, its deadline, whether and when it was delivered) — the records behind
    ``deadlines_kept``, for a drill-down. A constant number of queries."""
    ids = list(organisation_ids)
    result = {pk: [] for pk in ids}
    organisations = list(Organisation.objects.filter(pk__in=ids))
    if not organisations:
        return result
    answers_to = _answers_to(organisations)
    governments = {
        pk: (path, depth)
        for pk, path, depth in Organisation.objects.filter(pk__in={g for g in answers_to.values() if g}).values_list("pk", "path", "depth")
    }
    steplen = Organisation.steplen
    ancestors = {
        pk: [path[: i * steplen] for i in range(1, depth + 1)] for pk, (path, depth) in governments.items()
    }
    all_paths = {p for paths in ancestors.values() for p in paths}
    campaigns = list(Campaign.objects.filter(jurisdiction__path__in=all_paths).select_related("jurisdiction"))
    by_path_year = {(c.jurisdiction.path, c.year): c for c in campaigns}
    years = sorted({c.year for c in campaigns})
    dates = Dates(campaigns)
    records = Records(organisations, dates)
    for organisation in organisations:
        paths = ancestors.get(answers_to.get(organisation.pk), [])
        for year in years:
            governing = next((by_path_year[(p, year)] for p in reversed(paths) if (p, year) in by_path_year), None)
            if governing is None:
                continue
            for item in evaluate(organisation, governing.pk, records, dates, cutoff):
                if item.due_at is not None and item.due_at <= cutoff:
                    result[organisation.pk].append(item)
    return result


def open_findings_for(organisation_ids) -> QuerySet[Finding]:
    """Rectifications still owed (open, or reported and not yet accepted) by these organisations."""
    return (
        Finding.objects.filter(target__organisation_id__in=list(organisation_ids))
        .exclude(status=RectificationStatus.DONE)
        .select_related("target__organisation", "target__spot_check")
        .order_by("due_at", "pk")
    )


def serious_findings(*, jurisdiction_id: int, year: int) -> QuerySet[Finding]:
    """Falsified or perfunctory work (``Finding.is_serious``) found at the enforcement
    departments of a jurisdiction and recorded in ``year``, for the accountability chapter: one
    query whatever their number."""
    from organisations.models import OrganisationKind

    return (
        Finding.objects.filter(
            kind__in=list(SERIOUS_FINDING_KINDS), recorded_at__year=year,
            target__organisation__jurisdiction_id=jurisdiction_id,
            target__organisation__kind=OrganisationKind.DEPARTMENT, target__organisation__office_function="",
        )
        .select_related("target__organisation", "target__spot_check")
        .order_by("pk")
    )


def last_round(campaign: Campaign) -> SpotCheck | None:
    """The campaign's latest draw (the "last round" a new draw may exclude)."""
    return SpotCheck.objects.filter(campaign=campaign).order_by("-drawn_at", "-pk").first()


def overdue(due_at, now=None) -> bool:
    return due_at is not None and (now or timezone.now()) > due_at


__all__ = ["deadlines_kept", "deadlines_due", "open_findings_for", "serious_findings", "last_round", "overdue"]
