"""What the public sees of the enforcement basis: published catalogues only, never a draft."""

from django.db.models import Q, QuerySet

from .models import BasisCatalogue, CatalogueEntry
from .workflow import ReviewStatus


def published_catalogues() -> QuerySet[BasisCatalogue]:
    return BasisCatalogue.objects.filter(status=ReviewStatus.PUBLISHED)


def published_entries_search(query: str) -> QuerySet[CatalogueEntry]:
    """Substring search over published entries: instrument, department, rights and duties.

    Plain ``icontains`` so that one- and two-character Chinese queries still match everything
    (trigram indexes serve three characters and more on PostgreSQL; shorter patterns scan)."""
    entries = CatalogueEntry.objects.filter(catalogue__status=ReviewStatus.PUBLISHED)
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(instrument__name__icontains=query)
            | Q(catalogue__department__name__icontains=query)
            | Q(rights_and_duties__icontains=query)
        )
    return entries.select_related("instrument", "catalogue__department").prefetch_related("provisions")
