"""Writes to the organisation tree. Each service records one audit event; field history is kept
by django-simple-history."""

import datetime
import functools

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import status

from audit.models import AuditAction
from audit.services import event_record
from toolkit.errors import DomainError

from .models import (
    ALLOWED_CHILDREN,
    ENDING_KINDS,
    FUNCTION_MOVING_KINDS,
    REVIEWING_GOVERNMENT_KINDS,
    Organisation,
    OrganisationSuccession,
    SuccessionKind,
)
from .selectors import reviewing_government_of
from .signals import organisation_reformed


class OrganisationError(DomainError, ValueError):
    """A change the tree does not allow; the message says why (the API answers 400)."""

    status_code = status.HTTP_400_BAD_REQUEST


EDITABLE_FIELDS = (
    "name",
    "short_name",
    "office_function",
    "subject_kind",
    "principal",
    "stationed_provincial",
    "vertically_managed",
    "dual_managed",
    "complaint_phone",
    "supervision_phone",
    "is_active",
)


def _check_child_kind(parent: Organisation | None, kind: str) -> None:
    allowed = ALLOWED_CHILDREN[parent.kind if parent else None]
    if kind not in allowed:
        from django.utils.translation import gettext as _

        raise OrganisationError(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {
                "kind": Organisation(kind=kind).get_kind_display(),
                "parent": parent.name if parent else _("the root"),
            }
        )


@transaction.atomic
def organisation_create(
    *, parent: Organisation | None, code: str, name: str, kind: str, actor=None, **fields
) -> Organisation:
    _check_child_kind(parent, kind)
    node = Organisation(code=code, name=name, kind=kind, **fields)
    node.full_clean(exclude=["path", "depth", "numchild", "jurisdiction"], validate_unique=True)
    if parent is None:
        node = Organisation.objects.add_root(instance=node)
    else:
        parent.refresh_from_db()  # treebeard needs the parent's current child count
        node = Organisation.objects.add_child(parent, instance=node)
    node.jurisdiction = node if kind in REVIEWING_GOVERNMENT_KINDS else reviewing_government_of(node)
    node.save(update_fields=["jurisdiction"])
    event_record(action=AuditAction.CREATE, actor=actor, obj=node)
    return node


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor=None, **changes) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise OrganisationError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = {}
    for field, value in changes.items():
        if getattr(organisation, field) != value:
            changed[field] = True
            setattr(organisation, field, value)
    if not changed:
        return organisation
    organisation.full_clean(exclude=["path", "depth", "numchild", "jurisdiction"])
    organisation.save(update_fields=[*changed, "updated_at"])
    event_record(
        action=AuditAction.UPDATE, actor=actor, obj=organisation, detail={"fields": sorted(changed)}
    )
    return organisation


@transaction.atomic
def organisation_reform(
    *,
    actor,
    predecessor: Organisation,
    successors: list[Organisation],
    kind: str,
    effective_on: datetime.date,
    reform: str,
    note: str = "",
) -> list[OrganisationSuccession]:
    """Record an institutional reform (机构改革): ``predecessor``'s functions pass to
    ``successors`` on ``effective_on``. A rename, merger or abolition ends the predecessor (it is
    made inactive with its end date, and no longer offered for new records); a split or a change
    of functions leaves it standing. Where functions moved, ``organisation_reformed`` goes out
    after commit so that the chapters flag the catalogues, breakdowns and responsibility sets of
    the organisations concerned for re-review. The caller checks the actor
    (``permissions.can_record_reform``)."""
    predecessor = Organisation.objects.select_for_update().get(pk=predecessor.pk)
    kind = SuccessionKind(kind)
    successors = list(dict.fromkeys(successors))
    if not successors:
        raise OrganisationError(_("Name the organisation that takes over the functions."))
    if not reform.strip():
        raise OrganisationError(_("Name the reform and its document."))
    if not predecessor.is_active:
        raise OrganisationError(
            _("%(name)s has already ended; record the reform from its successor.") % {"name": predecessor.name}
        )
    for successor in successors:
        if successor.pk == predecessor.pk:
            raise OrganisationError(_("An organisation cannot succeed itself."))
        if not successor.is_active:
            raise OrganisationError(_("%(name)s has ended and cannot take over functions.") % {"name": successor.name})
        if successor.jurisdiction_id != predecessor.jurisdiction_id:
            raise OrganisationError(
                _("%(name)s belongs to another jurisdiction.") % {"name": successor.name}
            )
    if kind in (SuccessionKind.RENAMED, SuccessionKind.MERGED) and len(successors) != 1:
        raise OrganisationError(_("A renamed or merged organisation has exactly one successor."))
    if OrganisationSuccession.objects.filter(
        predecessor=predecessor, successor__in=successors, kind=kind, effective_on=effective_on
    ).exists():
        raise OrganisationError(_("This reform is already on record."))

    links = OrganisationSuccession.objects.bulk_create(
        [
            OrganisationSuccession(
                predecessor=predecessor,
                successor=successor,
                kind=kind,
                effective_on=effective_on,
                reform=reform.strip(),
                note=note.strip(),
                recorded_by=actor,
            )
            for successor in successors
        ]
    )
    if kind in ENDING_KINDS:
        predecessor.is_active = False
        predecessor.ended_on = effective_on
        predecessor.save(update_fields=["is_active", "ended_on", "updated_at"])

    names = "、".join(successor.name for successor in successors)
    # Stored and sent text is in the official language, whatever the recorder's interface shows.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("%(reform)s: %(predecessor)s %(kind)s %(successors)s on %(date)s.") % {
            "reform": reform.strip(),
            "predecessor": predecessor.name,
            "kind": kind.label,
            "successors": names,
            "date": effective_on.isoformat(),
        }
    event_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=predecessor,
        message=reason,
        detail={
            "reform": kind.value,
            "successors": [successor.pk for successor in successors],
            "effective_on": effective_on.isoformat(),
            "ended": kind in ENDING_KINDS,
        },
    )
    if kind in FUNCTION_MOVING_KINDS:
        transaction.on_commit(
            functools.partial(
                organisation_reformed.send,
                sender=Organisation,
                organisation_ids=[predecessor.pk, *(successor.pk for successor in successors)],
                kind=kind.value,
                reason=reason,
                actor=actor,
            )
        )
    return links
