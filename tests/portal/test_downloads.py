"""Disclosure PDFs: the latest READY document, or a READY version by number; never a queued,
rendering or failed one; a friendly 404 otherwise."""

from urllib.parse import quote

import pytest

from responsibility.models import DocumentStatus

from .conftest import PDF, document


def _body(response):
    return b"".join(response.streaming_content)


def test_latest_ready_booklet_is_served_inline_with_a_chinese_filename(client, city, published):
    document(city.dept_a, "booklet", 1, content=PDF + b"v1")
    document(city.dept_a, "booklet", 2, content=PDF + b"v2")
    document(city.dept_a, "booklet", 3, status=DocumentStatus.RENDERING)
    document(city.dept_a, "booklet", 4, status=DocumentStatus.FAILED)
    response = client.get(f"/departments/{city.dept_a.code}/disclosure/booklet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _body(response).endswith(b"v2")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert 'filename="booklet-v2.pdf"' in disposition
    # The Chinese name: the department's name and the kind (in Chinese once translated).
    assert "filename*=utf-8''" + quote(f"{city.dept_a.name}-") in disposition and disposition.endswith(quote("-v2.pdf"))


def test_older_versions_stay_available(client, city, published):
    document(city.dept_a, "booklet", 1, content=PDF + b"v1")
    document(city.dept_a, "booklet", 2, content=PDF + b"v2")
    response = client.get(f"/departments/{city.dept_a.code}/disclosure/booklet/v1.pdf")
    assert response.status_code == 200 and _body(response).endswith(b"v1")


@pytest.mark.parametrize("status", [DocumentStatus.QUEUED, DocumentStatus.RENDERING, DocumentStatus.FAILED])
def test_a_document_that_is_not_ready_is_never_served(client, city, published, status):
    document(city.dept_a, "bulletin", 1, status=status)
    for path in (
        f"/departments/{city.dept_a.code}/disclosure/bulletin.pdf",
        f"/departments/{city.dept_a.code}/disclosure/bulletin/v1.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("text/html")
        assert "Document not available" in response.content.decode()


def test_no_document_is_a_friendly_404(client, city):
    response = client.get(f"/departments/{city.dept_b.code}/disclosure/booklet.pdf")
    assert response.status_code == 404 and city.dept_b.name in response.content.decode()
    assert client.get(f"/departments/{city.dept_b.code}/disclosure/compilation.pdf").status_code == 404
    assert client.get(f"/departments/{city.dept_b.code}/disclosure/other.pdf").status_code == 404


def test_government_compilation(client, city):
    document(city.city, "compilation", 1, content=PDF + b"c1")
    document(city.county_x, "compilation", 1, status=DocumentStatus.QUEUED)
    response = client.get(f"/governments/{city.city.code}/disclosure/compilation.pdf")
    assert response.status_code == 200 and _body(response).endswith(b"c1")
    assert client.get(f"/governments/{city.city.code}/disclosure/compilation/v1.pdf").status_code == 200
    assert client.get(f"/governments/{city.county_x.code}/disclosure/compilation.pdf").status_code == 404
    page = client.get(f"/governments/{city.city.code}/").content.decode()
    assert f"/governments/{city.city.code}/disclosure/compilation.pdf" in page
    assert "/disclosure/compilation.pdf" not in client.get(f"/governments/{city.county_x.code}/").content.decode()
