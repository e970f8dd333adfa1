"""Writes of the campaign and its phases: ``campaign_open``, ``campaign_phases_set``.

Phase 2's date and the catalogues' deadline are one date. Basis already owns the catalogue
deadline (``SubmissionDeadline``: it sets a catalogue's ``is_late`` when it is submitted, its pages
and the home tiles read it), and rollout sits above basis, so the phase writes through:
setting phase 2 puts the same date in force in basis (``basis.services.deadline_record``) for
the campaign's jurisdiction and for the county campaigns that inherit it. Reading the phase from
basis instead would have needed basis to know the rollout (a lower layer importing an upper one).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation

from . import permissions as rollout_perms
from .campaigns_status import Dates, effective_dues
from .models import Campaign, Phase, PhaseNumber

PHASES = PhaseNumber.values


def parent_campaign_for(jurisdiction: Organisation, year: int) -> Campaign | None:
    """The campaign a county's inherits from: the one of the government above it, same year."""
    if jurisdiction.depth <= 1:
        return None
    above = Organisation.objects.filter(path=jurisdiction.path[: -Organisation.steplen]).values_list("jurisdiction_id", flat=True).first()
    if above is None:
        return None
    return Campaign.objects.filter(jurisdiction_id=above, year=year).first()


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def phase_date_errors(*, dues: dict, starts: dict, parent_dues: dict | None, unchanged: dict | None = None, now=None) -> dict:
    """The problems of a campaign's dates, by form field (``due_<n>``, ``starts_<n>``), in the
    user's language; empty when they are right. ``parent_dues`` are the inherited dates (None for
    a campaign that inherits nothing: then every phase needs one); ``unchanged`` the dates
    already saved, which are not refused for having passed since."""
    now = now or timezone.now()
    unchanged = unchanged or {}
    errors: dict[str, str] = {}
    effective: dict[int, dt.datetime | None] = {}
    for n in PHASES:
        own = dues.get(n)
        inherited = (parent_dues or {}).get(n)
        if own is None and inherited is None:
            errors[f"due_{n}"] = _("Set the deadline of this phase.")
        elif own is not None:
            if own < now and own != unchanged.get(n):
                errors[f"due_{n}"] = _("A deadline cannot be in the past.")
            elif inherited is not None and own > inherited:
                errors[f"due_{n}"] = _(
                    "The city's deadline for this phase is %(date)s: a county may set an earlier one, not a later one."
                ) % {"date": _local(inherited)}
        effective[n] = own if own is not None and (inherited is None or own <= inherited) else inherited
    previous = None
    for n in PHASES:
        if f"due_{n}" in errors or effective[n] is None:
            continue
        if previous is not None and effective[n] <= previous[1]:
            errors[f"due_{n}"] = _("Phase %(n)d must end after phase %(m)d (%(date)s).") % {
                "n": n, "m": previous[0], "date": _local(previous[1])}
        previous = (n, effective[n])
    for n in PHASES:
        start, due = starts.get(n), effective.get(n)
        if start is not None and due is not None and start > timezone.localdate(due):
            errors[f"starts_{n}"] = _("A phase cannot start after its deadline.")
    return errors


def _write_catalogue_deadlines(actor, campaign: Campaign) -> None:
    """Put phase 2's effective date in force as the catalogue deadline of the campaign's
    jurisdiction and of the child campaigns' jurisdictions, where it differs."""
    from basis.services import deadline_for_government, deadline_record

    campaigns = [campaign, *Campaign.objects.filter(parent=campaign).select_related("jurisdiction")]
    dates = Dates(campaigns)
    for each in campaigns:
        due = dates.due(each.pk, PhaseNumber.SORTING)
        if due is None:
            continue
        current = deadline_for_government(each.jurisdiction)
        if current is None or current.due_at != due:
            deadline_record(actor=actor, jurisdiction=each.jurisdiction, due_at=due,
                            note=_("Phase 2 of %(campaign)s") % {"campaign": each.title})


def _validate(campaign_parent: Campaign | None, dues, starts, unchanged=None):
    parent_dues = effective_dues(campaign_parent) if campaign_parent else None
    errors = phase_date_errors(dues=dues, starts=starts, parent_dues=parent_dues, unchanged=unchanged)
    if errors:
        raise ValidationError(errors)


@guarded(lambda actor, *, jurisdiction, **_: (rollout_perms.can_open_campaign(actor, jurisdiction), jurisdiction),
         who=Actor.OFFICE)
def campaign_open(*, actor, jurisdiction: Organisation, year: int, title: str, dues: dict, starts: dict | None = None) -> Campaign:
    """Open ``jurisdiction``'s campaign for ``year`` with its four phases. A county's campaign
    inherits the city's dates where ``dues`` has none. ValidationError (by field) and nothing
    saved if a date is missing, past, out of order or later than the city's."""
    starts = starts or {}
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the campaign a title.")
    if Campaign.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        errors["year"] = _("%(name)s already has a campaign for %(year)s.") % {"name": jurisdiction.name, "year": year}
    parent = parent_campaign_for(jurisdiction, year)
    try:
        _validate(parent, dues, starts)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(jurisdiction=jurisdiction, year=year, title=title.strip(), parent=parent, created_by=actor)
    Phase.objects.bulk_create(
        [Phase(campaign=campaign, number=n, due_at=dues.get(n), starts_on=starts.get(n)) for n in PHASES]
    )
    _write_catalogue_deadlines(actor, campaign)
    event_record(action=AuditAction.CREATE, actor=actor, obj=campaign, detail={
        "year": year, "parent": parent.pk if parent else None,
        "dues": {str(n): dues[n].isoformat() for n in PHASES if dues.get(n)},
    })
    return campaign


@guarded(lambda actor, *, campaign, **_: (rollout_perms.can_change_campaign(actor, campaign), campaign), who=Actor.OFFICE)
def campaign_phases_set(*, actor, campaign: Campaign, dues: dict, starts: dict | None = None) -> Campaign:
    """Change the phases' dates (the same rules as at opening; a date already saved is not
    refused for having passed). The child campaigns that inherit follow, phase 2 into basis."""
    starts = starts or {}
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    phases = {p.number: p for p in campaign.phases.all()}
    unchanged = {n: p.due_at for n, p in phases.items()}
    _validate(campaign.parent, dues, starts, unchanged)
    if campaign.parent_id is None:
        _check_children(campaign, dues)
    changed = {}
    for n in PHASES:
        phase = phases.get(n) or Phase(campaign=campaign, number=n)
        if phase.due_at != dues.get(n) or phase.starts_on != starts.get(n) or phase.pk is None:
            if phase.due_at != dues.get(n):
                changed[str(n)] = dues[n].isoformat() if dues.get(n) else None
            phase.due_at, phase.starts_on = dues.get(n), starts.get(n)
            phase.save()
    _write_catalogue_deadlines(actor, campaign)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=campaign, detail={"dues": changed})
    return campaign


def _check_children(campaign: Campaign, dues: dict) -> None:
    """A county campaign's own dates stay earlier than the city's: moving the city's date before
    a county's own one is refused, naming the county."""
    errors = {}
    for child in Campaign.objects.filter(parent=campaign).select_related("jurisdiction").prefetch_related("phases"):
        for phase in child.phases.all():
            city = dues.get(phase.number)
            if phase.due_at is not None and city is not None and phase.due_at > city:
                errors.setdefault(f"due_{phase.number}", _(
                    "%(county)s has set %(date)s for this phase: the city's date cannot be earlier than a county's own."
                ) % {"county": child.jurisdiction.name, "date": _local(phase.due_at)})
    if errors:
        raise ValidationError(errors)

