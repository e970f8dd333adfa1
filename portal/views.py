"""The public portal: read without logging in. It shows only what is published (every read goes
through ``portal.selectors``).

Every page has a stable URL keyed on organisation and power codes, says when its data last
changed, and answers conditional GETs: Last-Modified is the date of the data, the ETag also
covers the language and the query string, and both come from one small query made before the
page renders (kept on the request so that the page does not repeat it)."""

from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_cookie

from authority.flowchart import procedure_svg
from authority.models import AssignmentRole
from toolkit.files import file_response
from toolkit.pagination import CappedPaginator

from . import opendata
from . import search as portal_search
from . import selectors
from .models import DataFormat, Dataset, OpenDataFile
from .selectors import DEPARTMENT_DOCUMENT_KINDS, GOVERNMENT_DOCUMENT_KINDS

PAGE_SIZE = 50


# -- Conditional GET --------------------------------------------------------------------------


def _memo(request, key, load):
    cache = request.__dict__.setdefault("_portal_states", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _site(request, *args, **kwargs):
    return _memo(request, ("site",), selectors.site_state)


def _government(request, code, *args, **kwargs):
    return _memo(request, ("government", code), lambda: selectors.government_state(code))


def _department(request, code, *args, **kwargs):
    return _memo(request, ("department", code), lambda: selectors.department_state(code))


def _variant(request) -> tuple:
    """What else a page depends on: its language and query string."""
    return (translation.get_language(), request.META.get("QUERY_STRING", ""))


def public_page(state_of):
    """Last-Modified and ETag from ``state_of(request, *args)`` (None: the view answers 404),
    with Django's ``condition`` answering 304; cacheable for a minute by anyone."""

    def etag(request, *args, **kwargs):
        state = state_of(request, *args, **kwargs)
        return state.etag(request.path, *_variant(request)) if state else None

    def last_modified(request, *args, **kwargs):
        state = state_of(request, *args, **kwargs)
        return state.last_modified if state else None

    def decorate(view):
        view = condition(etag_func=etag, last_modified_func=last_modified)(view)
        # The language may come from a cookie: shared caches must keep the variants apart.
        return vary_on_cookie(cache_control(public=True, max_age=60)(view))

    return decorate


def _department_or_404(request, code):
    state = _department(request, code)
    if state is None:
        raise Http404
    return state


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _department_context(state, tab, **extra):
    return {
        "state": state,
        "department": state.department,
        "data_as_of": state.data_as_of,
        "tab": tab,
        # Long lists link every row to a power: one reverse() here, not one per row.
        "powers_url": reverse("portal:department_powers", args=[state.department.code]),
        **extra,
    }


# -- Home and governments ---------------------------------------------------------------------


@public_page(_site)
def portal_home(request):
    page = _page(request, selectors.governments(), 100)
    return render(request, "portal/home.html", {"page": page, "data_as_of": _site(request).data_as_of})


@public_page(_government)
def government_detail(request, code: str):
    state = _government(request, code)
    if state is None:
        raise Http404
    government = state.government
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.government_departments(government, query), 100)
    return render(
        request,
        "portal/government_detail.html",
        {
            "government": government,
            "page": page,
            "q": query,
            "documents": selectors.documents_of(government, GOVERNMENT_DOCUMENT_KINDS),
            "data_as_of": state.data_as_of,
        },
    )


# -- A department -----------------------------------------------------------------------------


@public_page(_department)
def department_detail(request, code: str):
    state = _department_or_404(request, code)
    overview = selectors.department_overview(state)
    return render(request, "portal/department_detail.html", _department_context(state, "overview", overview=overview))


@public_page(_department)
def department_catalogue(request, code: str):
    state = _department_or_404(request, code)
    catalogue = selectors.published_catalogue(state)
    page = _page(request, selectors.catalogue_entries(state)) if catalogue else None
    return render(
        request,
        "portal/department_catalogue.html",
        _department_context(state, "catalogue", catalogue=catalogue, page=page),
    )


@public_page(_department)
def department_powers(request, code: str):
    state = _department_or_404(request, code)
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.department_powers(state, query)) if state.breakdown_id else None
    return render(request, "portal/power_list.html", _department_context(state, "powers", page=page, q=query))


@public_page(_department)
def power_detail(request, code: str, power_code: str):
    state = _department_or_404(request, code)
    detail = selectors.power_detail(state, power_code)
    if detail is None:
        raise Http404
    return render(
        request,
        "portal/power_detail.html",
        _department_context(
            state,
            "powers",
            detail=detail,
            power=detail.power,
            flowchart=procedure_svg(detail.steps, title=detail.power.name, public=True),
        ),
    )


@public_page(_department)
def department_posts(request, code: str):
    state = _department_or_404(request, code)
    page = _page(request, selectors.department_posts(state), 20) if state.breakdown_id else None
    if page is not None:
        # A post may handle hundreds of powers: the list is joined here in one pass, which
        # renders many times faster than a template loop over every row.
        roles = {value: str(label) for value, label in AssignmentRole.choices}
        base = reverse("portal:department_powers", args=[code])
        handled = selectors.powers_of_posts(state, [post.pk for post in page.object_list])
        for post in page.object_list:
            post.power_count = len(handled[post.pk])
            post.powers_html = format_html_join(
                "",
                '<li><a href="{}{}/">{}</a> <span class="muted">({})</span></li>',
                ((base, quote(power_code, safe=""), name, roles.get(role, role)) for power_code, name, role in handled[post.pk]),
            )
    return render(request, "portal/post_list.html", _department_context(state, "posts", page=page))


@public_page(_department)
def department_officers(request, code: str):
    state = _department_or_404(request, code)
    query = request.GET.get("q", "").strip()[:50]
    page = _page(request, selectors.department_officers(state, query))
    return render(request, "portal/officer_list.html", _department_context(state, "officers", page=page, q=query))


@public_page(_department)
def department_responsibilities(request, code: str):
    state = _department_or_404(request, code)
    page = None
    if state.responsibility_set_id:
        page = _page(request, selectors.department_responsibilities(state), 100)
        names = selectors.power_names(state, [r.power_code for r in page.object_list])
        department = state.department
        groups = []
        for item in page.object_list:
            item.power_name = names.get(item.power_code, "")
            label = selectors.holder_label(item, department)
            if not groups or groups[-1][0] != label:
                groups.append((label, item.get_level_display(), []))
            groups[-1][2].append(item)
    else:
        groups = []
    return render(
        request,
        "portal/responsibility_list.html",
        _department_context(state, "responsibilities", page=page, groups=groups),
    )


@public_page(_department)
def department_standards(request, code: str):
    state = _department_or_404(request, code)
    page = None
    if state.responsibility_set_id:
        page = _page(request, selectors.department_standards(state), 20)
        names = selectors.power_names(state, [s.power_code for s in page.object_list])
        for standard in page.object_list:
            standard.power_name = names.get(standard.power_code, "")
    return render(request, "portal/standard_list.html", _department_context(state, "standards", page=page))


# -- Disclosure documents ---------------------------------------------------------------------


def _document_response(request, organisation, kind, version):
    version = int(version) if version is not None else None
    document = selectors.ready_document(organisation, kind, version)
    if document is None:
        return render(
            request,
            "portal/document_missing.html",
            {"organisation": organisation, "kind_label": dict(selectors.DocumentKind.choices)[kind], "version": version},
            status=404,
        )
    with translation.override("zh-hans"):
        label = str(selectors.DocumentKind(kind).label)
    # The Chinese name (RFC 5987) for every current browser, an ASCII one for old clients.
    response = file_response(
        document.file,
        filename=f"{organisation.name}-{label}-v{document.version}.pdf",
        fallback=f"{kind}-v{document.version}.pdf",
        as_attachment=False,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "public, max-age=60" if version is None else "public, max-age=86400"
    return response


def department_document(request, code: str, kind: str, version: int | None = None):
    if kind not in DEPARTMENT_DOCUMENT_KINDS:
        raise Http404
    state = _department_or_404(request, code)
    return _document_response(request, state.department, kind, version)


def government_document(request, code: str, kind: str = "compilation", version: int | None = None):
    if kind not in GOVERNMENT_DOCUMENT_KINDS:
        raise Http404
    state = _government(request, code)
    if state is None:
        raise Http404
    return _document_response(request, state.government, kind, version)


# -- Search -----------------------------------------------------------------------------------


@public_page(_site)
def search(request):
    """One search over every published kind of record (``portal.search``), one tab each with its
    count; the tab shown is ``in`` (powers by default), paginated."""
    query = portal_search.clean_query(request.GET.get("q", ""))
    scope = request.GET.get("in")
    if scope not in portal_search.TAB_KEYS:
        scope = "powers"
    too_short = bool(query) and len(query) < portal_search.MIN_LENGTH
    page, tabs = None, []
    if query and not too_short:
        counts = portal_search.counts(query)
        tabs = [(tab.key, tab.label, counts[tab.key]) for tab in portal_search.TABS]
        results = portal_search.SEARCHES[scope](query, many=counts[scope] > portal_search.CAP)
        paginator = CappedPaginator(results, 30)
        paginator.cap = portal_search.CAP
        page = paginator.get_page(request.GET.get("page"))
        if scope == "responsibilities":
            for item in page.object_list:
                item.holder = selectors.holder_label(item, item.responsibility_set.department)
        elif scope == "posts":
            departments = portal_search.post_departments(post.pk for post in page.object_list)
            for post in page.object_list:
                post.department_code, post.department_name = departments.get(post.pk, ("", ""))
    return render(
        request,
        "portal/search.html",
        {
            "q": query,
            "scope": scope,
            "tabs": tabs,
            "cap": portal_search.CAP,
            "too_short": too_short,
            "min_length": portal_search.MIN_LENGTH,
            "page": page,
            "data_as_of": _site(request).data_as_of,
        },
    )


# -- The published catalogues (issue 3) -------------------------------------------------------


@public_page(_site)
def catalogue_index(request):
    """Published catalogues by government and department."""
    catalogues = (
        selectors.published_catalogues()
        .select_related("department", "department__jurisdiction")
        .annotate(entry_count=Count("entries"))
        .order_by("department__path")
    )
    government = request.GET.get("government", "")
    if government:
        catalogues = catalogues.filter(department__jurisdiction__code=government)
    governments = selectors.governments()
    page = Paginator(catalogues, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/catalogue_index.html",
        {"page": page, "governments": governments, "government": government, "data_as_of": _site(request).data_as_of},
    )


@public_page(_site)
def catalogue_search(request):
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        results = selectors.published_entries_search(query).order_by("catalogue__department__path", "position")
        page = CappedPaginator(results, 30).get_page(request.GET.get("page"))
    return render(
        request, "portal/catalogue_search.html", {"q": query, "page": page, "data_as_of": _site(request).data_as_of}
    )


# -- Certificate verification -----------------------------------------------------------------
# What the public may learn from a certificate number: its status, the holder's name, department,
# area and kinds of enforcement, and until when. Nothing else, and only a few lookups a minute
# per address. (A department's pages list its valid officers by name, post and number only;
# nowhere public lists suspended, revoked or expired certificates.)

import re

from django.views.decorators.cache import never_cache

from authority import ratelimit
from authority.selectors import certificate_for_verification

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


# -- Open data (issue 13) ---------------------------------------------------------------------


@vary_on_cookie
@cache_control(public=True, max_age=60)
def open_data(request):
    """Per government, each dataset with its format links, size and when it was generated."""
    files = {}
    for data_file in OpenDataFile.objects.order_by("dataset", "format"):
        files.setdefault(data_file.government_id, {}).setdefault(data_file.dataset, {})[data_file.format] = data_file
    governments = []
    for government in opendata.public_governments():
        mine = files.get(government.pk, {})
        datasets = []
        for dataset in Dataset:
            formats = [mine.get(dataset, {}).get(f) for f in DataFormat]
            present = [f for f in formats if f is not None]
            datasets.append(
                {
                    "dataset": dataset,
                    "label": dataset.label,
                    "files": present,
                    "rows": present[0].rows if present else None,
                    "generated_at": max((f.generated_at for f in present), default=None),
                }
            )
        governments.append((government, datasets))
    return render(
        request,
        "portal/open_data.html",
        {"governments": governments, "licence": opendata.LICENCE, "data_as_of": _site(request).data_as_of},
    )


@public_page(_site)
def open_data_dictionary(request):
    datasets = [(dataset, dataset.label, opendata.COLUMNS[dataset]) for dataset in Dataset]
    return render(
        request,
        "portal/open_data_dictionary.html",
        {"datasets": datasets, "licence": opendata.LICENCE, "formats": DataFormat.choices},
    )


def _open_data_file(request, code, dataset, data_format):
    def load():
        return (
            OpenDataFile.objects.filter(
                government__code=code, government__kind__in=selectors.PUBLIC_GOVERNMENT_KINDS,
                government__is_active=True, dataset=dataset, format=data_format,
            )
            .select_related("government")
            .first()
        )

    return _memo(request, ("open-data", code, dataset, data_format), load)


@condition(
    etag_func=lambda request, **kwargs: getattr(_open_data_file(request, **kwargs), "sha256", None),
    last_modified_func=lambda request, **kwargs: getattr(_open_data_file(request, **kwargs), "generated_at", None),
)
def open_data_download(request, code: str, dataset: str, data_format: str):
    """One file; its ETag is the sha256 of its content, its Last-Modified when it was written, and
    a conditional GET that matches either is answered 304 without reading the file."""
    data_file = _open_data_file(request, code, dataset, data_format)
    if data_file is None:
        raise Http404
    response = file_response(
        data_file.file,
        filename=opendata.file_name(data_file),
        content_type=opendata.CONTENT_TYPES[data_file.format],
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


# -- Accountability: published decisions (通报) and commendations ---------------------------------


@vary_on_cookie
@cache_control(public=True, max_age=60)
def accountability_notices(request):
    """What the offices chose to publish: commendations, and the decisions they circulate
    (通报批评). Cases themselves are never public; only the published summary is shown."""
    from accountability.selectors import published_commendations, published_decisions

    tab = request.GET.get("tab", "commendations")
    if tab not in ("commendations", "decisions"):
        tab = "commendations"
    rows = published_commendations() if tab == "commendations" else published_decisions()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/accountability.html", {"page": page, "tab": tab})
