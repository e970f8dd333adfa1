"""Reads of the enforcement basis that more than one screen needs. Scoping by user lives in
basis.permissions; these take a tree path or a catalogue that the caller has already scoped."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from organisations.models import Organisation
from workflow.review import ReviewStatus

from .models import BasisCatalogue, CatalogueEntry, LegalInstrument, Provision

# The versions that speak for a department towards the others: everything it has handed to the
# office, and what the office published. A draft is the department's private working copy.
CURRENT_STATUSES = (
    ReviewStatus.SUBMITTED,
    ReviewStatus.UNDER_REVIEW,
    ReviewStatus.RETURNED,
    ReviewStatus.APPROVED,
    ReviewStatus.PUBLISHED,
)


def current_catalogues(
    scope_path: str = "", *, replacing: Iterable[BasisCatalogue] = ()
) -> QuerySet[BasisCatalogue]:
    """The current catalogue of each department under ``scope_path`` ("" = everywhere): its
    latest version among CURRENT_STATUSES. Each catalogue in ``replacing`` (say, a draft being
    checked before it is submitted) stands in for its department's current one."""
    statuses = [status.value for status in CURRENT_STATUSES]
    newer = BasisCatalogue.objects.filter(
        department_id=OuterRef("department_id"), status__in=statuses, version__gt=OuterRef("version")
    )
    latest = Q(status__in=statuses) & ~Q(Exists(newer))
    replacing = list(replacing)
    if replacing:
        latest = (latest & ~Q(department_id__in=[c.department_id for c in replacing])) | Q(
            pk__in=[c.pk for c in replacing]
        )
    queryset = BasisCatalogue.objects.filter(latest)
    if scope_path:
        queryset = queryset.filter(department__path__startswith=scope_path)
    return queryset


def current_catalogue_of(department: Organisation) -> BasisCatalogue | None:
    return (
        BasisCatalogue.objects.filter(department=department, status__in=[s.value for s in CURRENT_STATUSES])
        .order_by("-version")
        .first()
    )


def latest_published(department: Organisation) -> BasisCatalogue | None:
    return (
        BasisCatalogue.objects.filter(department=department, status=ReviewStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def catalogue_versions(department: Organisation) -> QuerySet[BasisCatalogue]:
    """Every version of a department's catalogue, newest first (for the version picker of the
    comparison)."""
    return BasisCatalogue.objects.filter(department=department).order_by("-version")


def entries_with_details(catalogue_ids: Iterable[int]) -> QuerySet[CatalogueEntry]:
    """Entries with everything a listing or a comparison shows, in a constant number of
    queries (one, plus one per many-to-many)."""
    return (
        CatalogueEntry.objects.filter(catalogue_id__in=list(catalogue_ids))
        .select_related("instrument", "lead_department", "principal")
        .prefetch_related("provisions", "joint_departments", "assisting_departments")
        .order_by("catalogue_id", "position", "id")
    )


class ProvisionTextError(ValueError):
    """Provision references that cannot be read or are not in the registry; ``messages`` says
    which and why, for the user."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def provisions_from_text(instrument: LegalInstrument, text: str) -> list[Provision]:
    """The registry's provisions named in ``text`` ("第十条、第十二条第二款"), in one query.
    Shared by the entry form and the API so that both accept and refuse the same text."""
    from django.utils.translation import gettext as _

    from .numbering import parse_provisions, provision_label

    text = text.strip()
    if not text:
        return []
    try:
        references = parse_provisions(text)
    except ValueError:
        raise ProvisionTextError([_("Write provisions as 第十条 or 第十二条第二款, separated by 、.")]) from None
    wanted = [(article, paragraph or 0, item or 0) for article, paragraph, item in references]
    known = {
        (p.article, p.paragraph, p.item): p
        for p in Provision.objects.filter(instrument=instrument, article__in={w[0] for w in wanted})
    }
    missing = [
        _("%(instrument)s has no %(label)s in the registry.")
        % {"instrument": instrument.name, "label": provision_label(*position)}
        for position in wanted
        if position not in known
    ]
    if missing:
        raise ProvisionTextError(missing)
    return list(dict.fromkeys(known[position] for position in wanted))

