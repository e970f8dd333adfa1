"""No uploaded file is served by its path: config/urls.py has no /media/ route in any mode, the
DEBUG settings of `make run` included (issue 11)."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLconf as `make run` builds it: DEBUG on, a real MEDIA_ROOT with a file in it."""
    (tmp_path / "catalogue-entries").mkdir()
    (tmp_path / "catalogue-entries" / "食品安全法全文.pdf").write_bytes(b"%PDF-1.7 unpublished")
    settings.MEDIA_ROOT = tmp_path
    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_an_unpublished_entrys_attachment_is_not_served_by_its_path_under_debug(client, debug_urls):
    response = client.get("/media/catalogue-entries/食品安全法全文.pdf")
    assert response.status_code == 404
    assert b"unpublished" not in response.content

