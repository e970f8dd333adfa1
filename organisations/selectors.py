"""Reads of the organisation tree. Scoping by user lives in organisations.permissions."""

from django.db.models import QuerySet

from .models import (
    GOVERNMENT_KINDS,
    REVIEWING_GOVERNMENT_KINDS,
    Organisation,
    OrganisationKind,
)


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


def successions_of(organisation: Organisation):
    """The reform links from ``organisation`` to its successors, newest first."""
    return organisation.successions.select_related("successor", "recorded_by")


def predecessions_of(organisation: Organisation):
    """The reform links from the organisations ``organisation`` succeeded, newest first."""
    return organisation.precursors.select_related("predecessor", "recorded_by")


def current_successors(organisation: Organisation, *, limit: int = 10) -> list[Organisation]:
    """The active organisations that now hold an ended organisation's functions, following the
    chain (a bureau renamed, then merged): empty when there is no active successor on record."""
    from .models import OrganisationSuccession

    found, seen, frontier = [], {organisation.pk}, [organisation.pk]
    while frontier and len(seen) <= limit * 4:
        links = (
            OrganisationSuccession.objects.filter(predecessor_id__in=frontier)
            .select_related("successor")
            .order_by("-effective_on", "id")
        )
        frontier = []
        for link in links:
            successor = link.successor
            if successor.pk in seen:
                continue
            seen.add(successor.pk)
            if successor.is_active:
                found.append(successor)
            else:
                frontier.append(successor.pk)
    return found[:limit]


def ended_note(organisation: Organisation) -> str:
    """What a reader is told beside an ended organisation's name: "已于2019-03-01撤销，职能划入
    市市场监督管理局" (or 更名为 for a rename); "" for an active one."""
    from django.utils.translation import gettext as _

    from .models import SuccessionKind

    if organisation.is_active:
        return ""
    date = organisation.ended_on.isoformat() if organisation.ended_on else "—"
    successors = current_successors(organisation)
    if not successors:
        return _("Abolished on %(date)s") % {"date": date}
    names = "、".join(successor.name for successor in successors)
    latest = organisation.successions.order_by("-effective_on", "-id").first()
    if latest.kind == SuccessionKind.RENAMED and len(successors) == 1:
        return _("Renamed %(successors)s on %(date)s") % {"date": date, "successors": names}
    return _("Abolished on %(date)s; functions transferred to %(successors)s") % {"date": date, "successors": names}
