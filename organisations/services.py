"""Writes to the organisation tree. Each service records one audit event; field history is kept
by django-simple-history."""

from django.db import transaction
from rest_framework import status

from audit.models import AuditAction
from audit.services import event_record
from toolkit.errors import DomainError

from .models import ALLOWED_CHILDREN, REVIEWING_GOVERNMENT_KINDS, Organisation
from .selectors import reviewing_government_of


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
