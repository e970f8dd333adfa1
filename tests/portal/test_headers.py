"""Public pages may be cached by proxies (they answer ETag/304): an anonymous visit must not
leave a cookie behind, or a cache could serve one visitor's CSRF token to the next."""

import pytest
from django.test import Client


@pytest.fixture
def public_paths(city, published):
    return ["/", f"/departments/{city.dept_a.code}/", published.pages[0], f"/departments/{city.dept_a.code}/powers/{published.power.code}/"]


def test_anonymous_portal_pages_set_no_cookie(client, public_paths):
    for path in public_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, (path, list(response.cookies))
        # Vary: Cookie stays, rightly: the language cookie chooses the page's language.
        assert "csrfmiddlewaretoken" not in response.content.decode(), path
        assert "script-src 'self'" in response["Content-Security-Policy"], path


def test_the_language_switch_works_without_a_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
