"""What the public sees of the enforcement basis: published catalogues only, never a draft."""

from django.db.models import Q, QuerySet

from toolkit.search import substring_lookup
from workflow.review import ReviewStatus

from .models import BasisCatalogue, CatalogueEntry, LegalInstrument


def published_catalogues() -> QuerySet[BasisCatalogue]:
    return BasisCatalogue.objects.filter(status=ReviewStatus.PUBLISHED)


def published_entries_search(query: str) -> QuerySet[CatalogueEntry]:
    """Substring search over published entries: instrument, department, rights and duties.

    Exact substrings at every length: one- and two-character Chinese queries match everything
    that contains them, served on PostgreSQL by n-gram indexes (trigram ones from three).
    Instruments and departments are matched first in their own small tables, so the entries
    table is filtered by id lists and one text column; ordered by (catalogue, position), which
    an index serves, so a page of a common term stops after its rows instead of sorting all.
    Published is a condition on the catalogue the rows join anyway (select_related), not a
    subquery: one relation fewer for the planner, whose planning was most of a page's SQL time."""
    published = BasisCatalogue.objects.filter(status=ReviewStatus.PUBLISHED)
    query = query.strip()
    if query:
        # contains / icontains, served on PostgreSQL by the trigram indexes from three characters
        # and by the n-gram indexes below that (toolkit/search.py).
        lookup = substring_lookup(query)
        instruments = list(LegalInstrument.objects.filter(**{f"name__{lookup}": query}).values_list("pk", flat=True))
        catalogues = list(
            published.filter(**{f"department__name__{lookup}": query}).values_list("pk", flat=True)
        )
        entries = CatalogueEntry.objects.filter(catalogue__status=ReviewStatus.PUBLISHED).filter(
            Q(instrument__in=instruments)
            | Q(catalogue__in=catalogues)
            | Q(**{f"rights_and_duties__{lookup}": query})
        )
    else:
        entries = CatalogueEntry.objects.filter(catalogue__status=ReviewStatus.PUBLISHED)
    return (
        entries.order_by("catalogue_id", "position")
        .select_related("instrument", "catalogue__department")
        .prefetch_related("provisions")
    )
