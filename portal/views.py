"""The public portal: read without logging in. It shows only what is published."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from config.pagination import CappedPaginator

from basis.models import CatalogueEntry
from basis.selectors_public import published_catalogues, published_entries_search
from organisations.models import Organisation, OrganisationKind


def portal_home(request):
    governments = Organisation.objects.filter(
        kind__in=[OrganisationKind.CITY, OrganisationKind.COUNTY], is_active=True
    ).order_by("path")
    return render(request, "portal/home.html", {"governments": governments})


def catalogue_index(request):
    """Published catalogues by government and department."""
    catalogues = (
        published_catalogues()
        .select_related("department", "department__jurisdiction")
        .annotate(entry_count=Count("entries"))
        .order_by("department__path")
    )
    government = request.GET.get("government", "")
    if government:
        catalogues = catalogues.filter(department__jurisdiction__code=government)
    governments = Organisation.objects.filter(kind__in=[OrganisationKind.CITY, OrganisationKind.COUNTY]).order_by("path")
    page = Paginator(catalogues, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/catalogue_index.html",
        {"page": page, "governments": governments, "government": government},
    )


def catalogue_search(request):
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        results = published_entries_search(query).order_by("catalogue__department__path", "position")
        page = CappedPaginator(results, 30).get_page(request.GET.get("page"))
    return render(request, "portal/catalogue_search.html", {"q": query, "page": page})


def department_catalogue(request, code: str):
    department = get_object_or_404(Organisation, code=code, kind=OrganisationKind.DEPARTMENT)
    catalogue = (
        published_catalogues()
        .filter(department=department)
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=CatalogueEntry.objects.select_related("instrument", "lead_department").prefetch_related(
                    "provisions", "joint_departments", "assisting_departments"
                ),
            )
        )
        .order_by("-version")
        .first()
    )
    return render(request, "portal/department_catalogue.html", {"department": department, "catalogue": catalogue})
