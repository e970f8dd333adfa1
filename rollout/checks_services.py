"""Spot checks (重点抽查): the draw, the findings and their rectification.

The draw is weighted random sampling without replacement (Efraimidis–Spirakis: each member
gets the key ``u ** (1 / weight)`` from one ``random.Random(seed)`` stream read in the
population's order, and the highest keys are drawn). With all weights 1 it is a plain uniform
draw. The population is ordered by the tree's path and stored with its weights, so the same
seed over the same population gives the same list (``draw_again``), whatever has changed since.
"""

from __future__ import annotations

import math
import random
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from toolkit.errors import DomainError

from . import permissions as rollout_perms
from .campaigns_status import Progress, State
from .models import Campaign, Finding, FindingKind, RectificationStatus, SpotCheck, SpotCheckTarget
from .selectors import last_round


def minimum_share() -> int:
    """The smallest share (in %) a draw may take (the plan's 不少于10%; a setting)."""
    return getattr(settings, "ROLLOUT_SPOT_CHECK_MIN_SHARE", 10)


def draw(population: list[tuple[int, int]], count: int, seed: int) -> list[int]:
    """``count`` ids drawn from ``population`` ([(id, weight), …], in a fixed order) with
    ``seed``; the same arguments always give the same list, in the order drawn."""
    rng = random.Random(seed)
    keyed = []
    for index, (pk, weight) in enumerate(population):
        u = rng.random()
        keyed.append((u ** (1.0 / max(weight, 1)), -index, pk))
    keyed.sort(reverse=True)
    return [pk for _key, _index, pk in keyed[:count]]


def draw_again(spot_check: SpotCheck) -> list[int]:
    """The draw repeated from what was recorded: equal to ``spot_check.drawn``."""
    population = [(pk, weight) for pk, weight in spot_check.population]
    return draw(population, len(spot_check.drawn), spot_check.seed)


def how_many(population_size: int, share_percent: int) -> int:
    return max(1, math.ceil(population_size * share_percent / 100)) if population_size else 0


@guarded(lambda actor, *, campaign, **_: (rollout_perms.can_change_campaign(actor, campaign), campaign), who=Actor.OFFICE)
def spot_check_draw(*, actor, campaign: Campaign, title: str, share_percent: int, exclude_last_round: bool = False,
                    late_weight: int = 1, seed: int | None = None, now=None) -> SpotCheck:
    """Draw at least ``share_percent`` % of the campaign's organisations (rounded up) to inspect.
    ``exclude_last_round`` leaves out those the campaign's previous draw picked; ``late_weight``
    makes an organisation with a late deliverable that many times as likely. Seed, parameters,
    population with weights and the list drawn are recorded."""
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the spot check a title.")
    if not minimum_share() <= share_percent <= 100:
        errors["share_percent"] = _("The share must be between %(min)d %% and 100 %%.") % {"min": minimum_share()}
    if not 1 <= late_weight <= 10:
        errors["late_weight"] = _("The weight must be between 1 and 10.")
    if errors:
        raise ValidationError(errors)
    progress = Progress(campaign, now=now)
    everyone = [(row.organisation.pk, late_weight if row.status() == State.LATE else 1) for row in progress.rows]
    if not everyone:
        raise DomainError(_("This campaign covers no organisation yet: there is no one to draw."))
    count = how_many(len(everyone), share_percent)
    previous = last_round(campaign) if exclude_last_round else None
    excluded = set(previous.drawn) if previous else set()
    population = [(pk, weight) for pk, weight in everyone if pk not in excluded]
    if len(population) < count:
        raise ValidationError({"exclude_last_round": _(
            "Leaving out the %(excluded)d organisations checked last round leaves %(left)d, fewer than the %(count)d to draw."
        ) % {"excluded": len(everyone) - len(population), "left": len(population), "count": count}})
    seed = secrets.randbelow(2**62) if seed is None else seed
    drawn = draw(population, count, seed)
    spot_check = SpotCheck.objects.create(
        campaign=campaign, title=title.strip(), seed=seed, share_percent=share_percent,
        exclude_last_round=exclude_last_round, late_weight=late_weight,
        population=[[pk, weight] for pk, weight in population], excluded=sorted(excluded), drawn=drawn, drawn_by=actor,
    )
    SpotCheckTarget.objects.bulk_create(
        [SpotCheckTarget(spot_check=spot_check, organisation_id=pk, position=i + 1) for i, pk in enumerate(drawn)]
    )
    event_record(action=AuditAction.CREATE, actor=actor, obj=spot_check, detail={
        "seed": seed, "share_percent": share_percent, "exclude_last_round": exclude_last_round,
        "late_weight": late_weight, "population": len(population), "drawn": drawn,
    })
    return spot_check


@guarded(lambda actor, *, target, **_: (rollout_perms.can_record_finding(actor, target.spot_check), target), who=Actor.OFFICE)
def finding_record(*, actor, target: SpotCheckTarget, kind: str, description: str, rectification: str, due_at) -> Finding:
    """Record what the inspection of ``target`` found and the rectification asked, by ``due_at``."""
    errors = {}
    if kind not in FindingKind.values:
        errors["kind"] = _("Choose the kind of finding.")
    if not description.strip():
        errors["description"] = _("Describe what the inspection found.")
    if not rectification.strip():
        errors["rectification"] = _("Say what must be rectified.")
    if due_at is None:
        errors["due_at"] = _("Set the deadline of the rectification.")
    elif due_at < timezone.now():
        errors["due_at"] = _("A deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(target=target, kind=kind, description=description.strip(),
                                     rectification=rectification.strip(), due_at=due_at, recorded_by=actor)
    if target.inspected_on is None:
        target.inspected_on = timezone.localdate()
        target.save(update_fields=["inspected_on"])
    event_record(action=AuditAction.CREATE, actor=actor, obj=finding, detail={"kind": kind, "due_at": due_at.isoformat()})
    return finding


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("target__spot_check__campaign").get(pk=finding.pk)


@guarded(lambda actor, *, finding, **_: (rollout_perms.can_report_rectification(actor, finding), finding),
         who=Actor.DEPARTMENT_EDITOR)
def finding_report(*, actor, finding: Finding, report: str) -> Finding:
    """The organisation reports the rectification done; the office still has to accept it."""
    finding = _locked(finding)
    if finding.status != RectificationStatus.OPEN:
        raise DomainError(_("This rectification is not awaiting a report."))
    if not report.strip():
        raise ValidationError({"report": _("Say what was done.")})
    finding.status, finding.report, finding.reported_at = RectificationStatus.REPORTED, report.strip(), timezone.now()
    finding.save(update_fields=["status", "report", "reported_at"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=finding, detail={"status": finding.status})
    return finding


@guarded(lambda actor, *, finding, **_: (rollout_perms.can_accept_rectification(actor, finding), finding), who=Actor.OFFICE)
def finding_accept(*, actor, finding: Finding) -> Finding:
    """The office marks the rectification done (with or without the organisation's report)."""
    finding = _locked(finding)
    if finding.status == RectificationStatus.DONE:
        raise DomainError(_("This rectification is already marked done."))
    finding.status, finding.done_at = RectificationStatus.DONE, timezone.now()
    finding.save(update_fields=["status", "done_at"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=finding, detail={"status": finding.status})
    return finding


@guarded(lambda actor, *, finding, **_: (rollout_perms.can_accept_rectification(actor, finding), finding), who=Actor.OFFICE)
def finding_return(*, actor, finding: Finding) -> Finding:
    """The office does not accept the report: the rectification is due again."""
    finding = _locked(finding)
    if finding.status != RectificationStatus.REPORTED:
        raise DomainError(_("Only a reported rectification can be sent back."))
    finding.status = RectificationStatus.OPEN
    finding.save(update_fields=["status"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=finding, detail={"status": finding.status})
    return finding
