"""Receivers of the foundation's signals: a reform that moves functions flags the catalogues of
the departments concerned for re-review."""

from django.db.models import Q

from workflow.revision import versions_flag_for_revision

from .models import BasisCatalogue


def on_organisation_reformed(sender, organisation_ids, reason, actor=None, **kwargs) -> None:
    """Receiver of organisations.signals.organisation_reformed (sent after commit): flag the
    current catalogues of the organisations concerned, and those whose entries name one of them
    as lead, joint or assisting department, and tell their editors."""
    from .services import _notify_department

    concerned = BasisCatalogue.objects.filter(
        Q(department_id__in=organisation_ids)
        | Q(entries__lead_department_id__in=organisation_ids)
        | Q(entries__joint_departments__in=organisation_ids)
        | Q(entries__assisting_departments__in=organisation_ids)
    )
    ids = versions_flag_for_revision(
        queryset=concerned, reason=reason, actor=actor, detail={"reform_of": organisation_ids}
    )
    for pk in ids:
        _notify_department(pk, reason=reason)
