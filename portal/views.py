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


# -- Certificate verification -----------------------------------------------------------------
# What the public may learn from a certificate number: its status, the holder's name, department,
# area and kinds of enforcement, and until when. Nothing else, and only a few lookups a minute
# per address; there is no list of certificates or officers anywhere public.

import re  # noqa: E402

from django.views.decorators.cache import never_cache  # noqa: E402

from authority import ratelimit  # noqa: E402
from authority.selectors import certificate_for_verification  # noqa: E402

_CERTIFICATE_NUMBER = re.compile(r"^[0-9A-Za-z\-]{1,32}$")


def _verification(request, number: str):
    number = number.strip()
    if not ratelimit.take(request):
        response = render(
            request,
            "portal/certificate_verify.html",
            {"number": number, "limited": True},
            status=429,
        )
        response["Retry-After"] = str(ratelimit.VERIFY_WINDOW_SECONDS)
        return response
    result = certificate_for_verification(number) if _CERTIFICATE_NUMBER.match(number) else None
    response = render(
        request,
        "portal/certificate_verify.html",
        {"number": number, "result": result, "searched": True},
        status=200 if result else 404,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def certificate_verify(request):
    number = request.GET.get("number", "")
    if not number.strip():
        return render(request, "portal/certificate_verify.html", {"number": ""})
    return _verification(request, number)


@never_cache
def certificate_verify_number(request, number: str):
    """The page the QR code on a certificate opens."""
    return _verification(request, number)
