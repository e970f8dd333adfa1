"""A detail route with an id that is no id (``/api/basis/catalogues/abc/``) is "not found", never
a server error, on every API detail route and every page whose route takes an id (issue 11)."""

import re

import pytest
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.permissions import get_visible_or_404
from organisations.models import Organisation
from tests.basis.factories import CatalogueFactory

NOT_AN_ID = ("abc", "1.5", "０", "1e3", "%20")


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _api_detail_urls(value: str) -> list[str]:
    """Every API route with a free-form id, the other ids of the route set to 1."""
    urls = []
    for route in _routes(get_resolver()):
        if not route.startswith("api/^") or "(?P<format>" in route or "(?P<pk>[^/.]+)" not in route:
            continue
        path = route.removeprefix("api/^").removesuffix("$").replace("(?P<pk>[^/.]+)", value)
        urls.append("/api/" + re.sub(r"\(\?P<\w+>\[0-9\]\+\)", "1", path))
    return urls


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_lookup_with_a_value_that_is_not_an_id_is_not_found(city, value):
    with pytest.raises(Http404):
        get_visible_or_404(None, Organisation.objects.all(), pk=value)


@pytest.mark.parametrize("role", ["city_reviewer", "editor_a", "sysadmin"])
def test_every_api_detail_route_answers_404_for_a_word(api_client, users, role):
    api_client.force_authenticate(getattr(users, role))
    urls = _api_detail_urls("abc")
    assert "/api/basis/catalogues/abc/" in urls and len(urls) > 20
    answers = {url: api_client.get(url).status_code for url in urls}
    assert {url: status for url, status in answers.items() if status >= 500} == {}
    # A role that may not use a route at all is refused before the lookup (403); the others
    # look and find nothing.
    assert set(answers.values()) <= {403, 404, 405}, answers


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_catalogue_detail_with_no_id(api_client, users, value):
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.get(f"/api/basis/catalogues/{value}/").status_code == 404


def test_html_routes_take_only_numeric_ids():
    """The pages match ids with ``<int:…>`` (or a digits pattern), so a word never reaches a
    view: the URL does not resolve, which is a 404."""
    loose = [
        route for route in _routes(get_resolver())
        if not route.startswith("api/") and re.search(r"<(?:str:)?\w*pk>|<\w*_id>|\(\?P<\w*(?:pk|id)>\[\^", route)
    ]
    assert loose == []


def test_pages_that_take_an_id_from_the_query_or_the_form_answer_404_for_a_word(client, city, users):
    """Ids that pages read from the query string or a form go through the same lookup."""
    catalogue = CatalogueFactory(department=city.dept_a)
    client.force_login(users.editor_a)
    assert client.get(f"/office/basis/catalogues/{catalogue.pk}/diff/?against=abc").status_code == 404
    client.force_login(users.city_reviewer)
    assert client.post("/office/disclosure/render/", {"organisation": "abc", "kind": "booklet"}).status_code == 404
