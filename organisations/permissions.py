"""Who sees and changes the organisation tree. Built on the scoping primitives of
``accounts.permissions``."""

from django.db.models import QuerySet

from accounts.models import Role
from accounts.permissions import (
    is_business_user,
    jurisdiction_of,
    role_of,
    scope_root,
    scoped,
)

from .models import ALLOWED_CHILDREN, GOVERNMENT_KINDS, Organisation, OrganisationKind


def can_view_organisations(user) -> bool:
    return is_business_user(user)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    if not can_view_organisations(user):
        return Organisation.objects.none()
    return scoped(Organisation.objects.all(), user)


def can_change_organisation(user, organisation: Organisation) -> bool:
    """The establishment office keeps the organisation structure of its jurisdiction; a
    department keeps its own internal agencies."""
    role = role_of(user)
    root = scope_root(user)
    if root is None or not organisation.path.startswith(root.path):
        return False
    if role == Role.ESTABLISHMENT_REVIEWER:
        return organisation.pk != root.pk
    if role == Role.DEPARTMENT_EDITOR:
        return organisation.kind == OrganisationKind.AGENCY
    return False


def can_add_child(user, parent: Organisation) -> bool:
    role = role_of(user)
    root = scope_root(user)
    if root is None or not parent.path.startswith(root.path):
        return False
    if role == Role.ESTABLISHMENT_REVIEWER:
        return True
    # A department editor may add agencies under the department itself.
    return role == Role.DEPARTMENT_EDITOR and parent.pk == root.pk


def child_kinds_allowed(user, parent: Organisation) -> set[str]:
    """The kinds of organisation the user may create under ``parent``."""
    if not can_add_child(user, parent):
        return set()
    allowed = set(ALLOWED_CHILDREN[parent.kind])
    if role_of(user) == Role.DEPARTMENT_EDITOR:
        allowed &= {OrganisationKind.AGENCY}
    return allowed


def can_record_reform(user, organisation: Organisation) -> bool:
    """Institutional reforms are the establishment office's (编办) to record, for the
    organisations of its own jurisdiction (not the government itself)."""
    jurisdiction = jurisdiction_of(user)
    return (
        role_of(user) == Role.ESTABLISHMENT_REVIEWER
        and jurisdiction is not None
        and organisation.pk != jurisdiction.pk
        and organisation.jurisdiction_id == jurisdiction.pk
    )


def reform_successor_choices(organisation: Organisation) -> QuerySet[Organisation]:
    """What may take over ``organisation``'s functions: the active organisations of its
    jurisdiction of the same kind (a department's go to a department), other than the offices
    and itself."""
    return (
        Organisation.objects.filter(
            jurisdiction_id=organisation.jurisdiction_id, kind=organisation.kind, office_function="", is_active=True
        )
        .exclude(pk=organisation.pk)
        .exclude(kind__in=GOVERNMENT_KINDS)
        .order_by("path")
    )
