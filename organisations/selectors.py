"""Reads of the organisation tree. Scoping by user lives in organisations.permissions."""

from django.db.models import QuerySet

from .models import GOVERNMENT_KINDS, REVIEWING_GOVERNMENT_KINDS, Organisation, OrganisationKind


def organisation_subtree(root: Organisation) -> QuerySet[Organisation]:
    """The root and everything below it, in tree order."""
    return Organisation.objects.filter(path__startswith=root.path)


def reviewing_government_of(organisation: Organisation) -> Organisation | None:
    """The nearest city or county government at or above ``organisation``."""
    if organisation.kind in REVIEWING_GOVERNMENT_KINDS:
        return organisation
    return (
        Organisation.objects.filter(
            path__in=_ancestor_paths(organisation), kind__in=REVIEWING_GOVERNMENT_KINDS
        )
        .order_by("-depth")
        .first()
    )


def government_of(organisation: Organisation) -> Organisation | None:
    """The nearest government (of any level) at or above ``organisation``."""
    if organisation.kind in GOVERNMENT_KINDS:
        return organisation
    return (
        Organisation.objects.filter(path__in=_ancestor_paths(organisation), kind__in=GOVERNMENT_KINDS)
        .order_by("-depth")
        .first()
    )


def department_of(organisation: Organisation) -> Organisation | None:
    """The top-level department that ``organisation`` belongs to (itself if it is one)."""
    if organisation.kind not in (OrganisationKind.DEPARTMENT, OrganisationKind.AGENCY):
        return None
    return (
        Organisation.objects.filter(
            path__in=_ancestor_paths(organisation) + [organisation.path],
            kind=OrganisationKind.DEPARTMENT,
        )
        .order_by("depth")
        .first()
    )


def office_of(government: Organisation, function: str) -> Organisation | None:
    return Organisation.objects.filter(
        path__startswith=government.path,
        depth=government.depth + 1,
        office_function=function,
    ).first()


def _ancestor_paths(organisation: Organisation) -> list[str]:
    step = Organisation.steplen
    return [organisation.path[:i] for i in range(step, len(organisation.path), step)]


def with_parent_id(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate ``parent_id`` (derived from the materialised path) in the same query."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Length, Substr

    parent = Organisation.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organisation.steplen)
    ).values("id")[:1]
    return queryset.annotate(parent_id=Subquery(parent))
