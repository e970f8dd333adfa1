"""Receivers of lower layers' signals: an amended instrument, or a reform that moves a
department's functions, flags the breakdowns resting on them for re-review."""

from django.db.models import Q

from workflow.revision import versions_flag_for_revision

from .models import Breakdown


def breakdowns_citing(instrument_id: int, provision_ids=None):
    """Breakdowns with a power item resting on ``instrument_id`` (on one of ``provision_ids``
    when given)."""
    if provision_ids:
        return Breakdown.objects.filter(powers__provisions__in=provision_ids)
    return Breakdown.objects.filter(powers__provisions__instrument_id=instrument_id)


def on_instrument_amended(sender, instrument_id, reason, provision_ids=None, actor=None, **kwargs) -> None:
    """Receiver of basis.signals.instrument_amended (sent after commit)."""
    versions_flag_for_revision(
        queryset=breakdowns_citing(instrument_id, provision_ids),
        reason=reason,
        actor=actor,
        detail={"instrument": instrument_id},
    )


def on_organisation_reformed(sender, organisation_ids, reason, actor=None, **kwargs) -> None:
    """Receiver of organisations.signals.organisation_reformed (sent after commit): the
    breakdowns of the departments concerned, and those with a power exercised or handled by
    one of them."""
    concerned = Breakdown.objects.filter(
        Q(department_id__in=organisation_ids)
        | Q(powers__enforcing_organ_id__in=organisation_ids)
        | Q(powers__handling_agency_id__in=organisation_ids)
    )
    versions_flag_for_revision(
        queryset=concerned, reason=reason, actor=actor, detail={"reform_of": organisation_ids}
    )
