"""Hardening seen from the browser: a Content-Security-Policy on every page with no inline
script, and no caching of back-office answers."""

import re

import pytest
from django.conf import settings

TEMPLATE_DIRS = [settings.BASE_DIR / "templates"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def _templates():
    for root in TEMPLATE_DIRS:
        yield from sorted(root.rglob("*.html"))


def test_the_scan_catches_what_it_looks_for():
    assert INLINE_SCRIPT.search('<p><script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert HANDLER_ATTRIBUTE.search('<button type="button" onclick="window.print()">')
    assert not HANDLER_ATTRIBUTE.search('<form data-confirm="x" action="/">')


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_templates_have_no_inline_script(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it into static/js/"
    assert not HANDLER_ATTRIBUTE.search(text), "on…= handler: wire it in static/js/app.js by a data- attribute"
    assert not JAVASCRIPT_URL.search(text), "javascript: URL"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _assert_strict(response, path):
    assert response.status_code == 200, path
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], path
    assert "'unsafe-inline'" not in policy["style-src-elem"] or path == "/api/docs/", path


@pytest.fixture
def office(login, users):
    return login(users.city_reviewer)


OFFICE_PAGES = ["/office/", "/office/organisations/", "/office/basis/instruments/", "/accounts/password/", "/api/organisations/"]


def test_back_office_pages_carry_the_policy_and_are_not_stored(office):
    for path in OFFICE_PAGES:
        response = office.get(path)
        _assert_strict(response, path)
        assert "no-store" in response["Cache-Control"], path


def test_login_page_and_api_docs(client):
    login = client.get("/accounts/login/")
    _assert_strict(login, "/accounts/login/")
    assert "no-store" in login["Cache-Control"]

    docs = client.get("/api/docs/")
    _assert_strict(docs, "/api/docs/")
    page = docs.content.decode()
    assert not INLINE_SCRIPT.search(page), "Swagger UI must load its start-up code as a file"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_public_api_and_schema_may_be_cached(office):
    for path in ("/api/public/catalogues/", "/api/schema/"):
        response = office.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_pages_still_render_with_their_scripts(office):
    """Browser-free: the page's script is our own file, and the print button works through it."""
    page = office.get("/office/").content.decode()
    assert '<script src="/static/js/app.js" defer></script>' in page
    assert "[data-print]" in (settings.BASE_DIR / "static" / "js" / "app.js").read_text()
    assert office.get("/static/js/app.js").status_code == 200
