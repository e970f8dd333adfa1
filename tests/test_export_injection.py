"""Every spreadsheet the application hands out, with hostile text in its data: no cell is a
formula, and no text that a spreadsheet program would read as one goes out unmarked (issue 11).

The walk is over the URL configuration: a new export route that this module does not fetch
makes ``test_every_export_route_is_walked`` fail, so it cannot ship unguarded."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from tests.authority.factories import BreakdownFactory, PowerFactory
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from toolkit.spreadsheets import is_formula_like

HOSTILE = ("=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", " =HYPERLINK(\"http://x\")")
LOGIN_NAME = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(city, users, client):
    call_command("load_authority_reference", verbosity=0)
    catalogue = CatalogueFactory(department=city.dept_a)
    for position, text in enumerate(HOSTILE, start=1):
        EntryFactory(
            catalogue=catalogue, position=position, provisions="",
            instrument=InstrumentFactory(name=text + f" 条例{position}", issuing_organ=text, document_number=text),
            rights_and_duties=text,
        )
    breakdown = BreakdownFactory(department=city.dept_a)
    for text in HOSTILE:
        PowerFactory(breakdown=breakdown, name=text, accountability_grounds=text)
    # The audit trail records the user name a failed login typed: no login needed to plant it.
    client.post("/accounts/login/", {"username": LOGIN_NAME, "password": "wrong"})
    client.cookies.clear()
    return catalogue, breakdown


@pytest.fixture
def hostile_round(city, users, django_capture_on_commit_callbacks):
    """An appraisal round whose results name a department called like a formula."""
    from appraisal import services
    from appraisal.reference import reference_load
    from tests.factories import OrganisationFactory

    reference_load()
    OrganisationFactory(parent=city.city, code="C-HOSTILE", name=HOSTILE[0] + "局", subject_kind="statutory_organ")
    scheme = services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title=HOSTILE[1])
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.round_start(actor=users.city_reviewer, scheme=scheme, cut_off=datetime.date(2026, 11, 30))
    return round_


def _exports(catalogue, breakdown, users, round_=None):
    """(route pattern it answers, who asks, url, through the API) for every export."""
    round_ = round_ or SimpleNamespace(pk=1)
    return [
        ("office/appraisal/rounds/<int:pk>/results.xlsx", users.city_reviewer, f"/office/appraisal/rounds/{round_.pk}/results.xlsx", False),
        ("office/basis/catalogues/<int:pk>/export.xlsx", users.editor_a, f"/office/basis/catalogues/{catalogue.pk}/export.xlsx", False),
        ("office/basis/compilation/", users.city_reviewer, "/office/basis/compilation/?format=xlsx", False),
        ("office/authority/breakdowns/<int:pk>/export.xlsx", users.editor_a, f"/office/authority/breakdowns/{breakdown.pk}/export.xlsx", False),
        ("office/audit/export.xlsx", users.auditadmin, "/office/audit/export.xlsx", False),
        ("api/basis/catalogues/<pk>/export/", users.editor_a, f"/api/basis/catalogues/{catalogue.pk}/export/", True),
        ("api/basis/compilation/", users.city_reviewer, "/api/basis/compilation/?format=xlsx", True),
    ]


def _assert_inert(content: bytes) -> int:
    """Asserts no cell of the workbook is a formula or formula-like unmarked text; returns how
    many formula-like texts it holds (marked as text with Excel's quote prefix)."""
    marked = 0
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if is_formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    marked += 1
    return marked


def test_no_export_holds_a_live_formula(hostile, hostile_round, users, client, api_client):
    catalogue, breakdown = hostile
    for _route, user, url, api in _exports(catalogue, breakdown, users, hostile_round):
        if api:
            api_client.force_authenticate(user)
            response = api_client.get(url)
        else:
            client.force_login(user)
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
        # Each hostile text sits in several columns of the data exports; the audit trail has the
        # login, the appraisal results the department's name.
        assert _assert_inert(response.content) >= (1 if "audit" in url or "appraisal" in url else len(HOSTILE)), url


def test_the_failed_login_name_reaches_the_audit_export_as_text(hostile, users, client):
    client.force_login(users.auditadmin)
    sheet = load_workbook(io.BytesIO(client.get("/office/audit/export.xlsx").content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == LOGIN_NAME]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _serves_spreadsheet(pattern: URLPattern) -> bool:
    """An API view or action with a spreadsheet renderer (``?format=xlsx``)."""
    callback = pattern.callback
    renderers = getattr(callback, "initkwargs", {}).get("renderer_classes") or getattr(
        getattr(callback, "cls", None), "renderer_classes", ()
    )
    return any(getattr(renderer, "format", "") in ("xlsx", "csv") for renderer in renderers)


def test_every_export_route_is_walked(city, users):
    walked = {route for route, *_ in _exports(SimpleNamespace(pk=1), SimpleNamespace(pk=1), users)}
    found = set()
    for route, pattern in _routes(get_resolver()):
        if "(?P<format>" in route:
            continue  # DRF's format-suffix twin of a route already listed
        if "export" in route or route.endswith((".xlsx", ".csv")) or _serves_spreadsheet(pattern):
            found.add(route.replace("(?P<pk>[^/.]+)", "<pk>").replace("^", "").replace("$", ""))
    assert {"office/audit/export.xlsx", "api/basis/compilation/"} <= found, found
    assert found <= walked, f"export routes not walked by test_no_export_holds_a_live_formula: {found - walked}"
