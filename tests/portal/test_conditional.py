"""Conditional GET: every public page sends ETag and Last-Modified (the date of its data) and
answers 304 when neither has changed; a publication or another language changes the answer."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date

from tests.authority.factories import CertificateFactory, OfficerFactory
from tests.basis.factories import CatalogueFactory
from workflow.review import ReviewStatus


def _paths(city, published):
    return [*published.pages, *published.public, "/search/?q=职权", "/catalogues/search/?q=测试"]


def test_every_page_sends_validators_and_cache_control(client, city, published):
    for path in _paths(city, published):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["ETag"] and response["Last-Modified"], path
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"], path


def test_304_with_the_etag(client, city, published):
    for path in _paths(city, published):
        etag = client.get(path)["ETag"]
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, path
        assert response.content == b"" and response["ETag"] == etag


def test_304_with_if_modified_since(client, city, published):
    for path in _paths(city, published):
        last_modified = client.get(path)["Last-Modified"]
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304, path
        earlier = http_date((timezone.now() - datetime.timedelta(days=1)).timestamp())
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200, path


def test_last_modified_is_the_date_of_the_data(client, city, published):
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    published.breakdown.published_at = moment
    published.breakdown.save(update_fields=["published_at"])
    response = client.get(published.pages[0])
    assert response["Last-Modified"] == http_date(moment.timestamp())


def test_a_new_publication_changes_the_etag(client, city, published):
    path = published.pages[1]
    etag = client.get(path)["ETag"]
    published.catalogue.status = ReviewStatus.SUPERSEDED
    published.catalogue.save(update_fields=["status"])
    CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_new_certificate_changes_the_officers_page(client, city, published):
    path = published.pages[5]
    etag = client.get(path)["ETag"]
    CertificateFactory(officer=OfficerFactory(department=city.dept_a, name="新来的"))
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "新来的" in response.content.decode()


def test_another_language_is_another_variant(client, city, published):
    path = published.pages[0]
    response = client.get(path)
    assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
    chinese = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200


@pytest.mark.parametrize("query", ["?page=2", "?q=未经许可"])
def test_the_query_string_is_part_of_the_etag(client, published, query):
    path = published.pages[2]
    assert client.get(path)["ETag"] != client.get(path + query)["ETag"]


def test_renaming_a_post_or_an_agency_changes_the_etag(client, city, published):
    path = published.pages[4]
    etag = client.get(path)["ETag"]
    published.post.name = "案件审核岗"
    published.post.save()
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "案件审核岗" in response.content.decode()
    etag = client.get(published.pages[0])["ETag"]
    city.agency_a.name = "法规科"
    city.agency_a.save()
    response = client.get(published.pages[0], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "法规科" in response.content.decode()


def test_ending_a_placement_changes_the_officers_page(client, city, published):
    path = published.pages[5]
    etag = client.get(path)["ETag"]
    placement = published.officer.placements.get()
    placement.until = timezone.localdate() - datetime.timedelta(days=1)
    placement.save()
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "案件办理岗" not in response.content.decode()


def test_the_site_state_is_the_newest_publication_of_any_kind_in_one_query(city, published, django_assert_num_queries):
    from portal.selectors import site_state

    later = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    for record in (published.catalogue, published.breakdown, published.rset):
        record.published_at = later
        record.save(update_fields=["published_at"])
        with django_assert_num_queries(1):
            state = site_state()
        assert state.data_as_of == later
        later += datetime.timedelta(hours=1)
    # A newer version still in review does not count.
    published.breakdown.status = ReviewStatus.UNDER_REVIEW
    published.breakdown.published_at = later + datetime.timedelta(days=1)
    published.breakdown.save(update_fields=["status", "published_at"])
    assert site_state().data_as_of == later - datetime.timedelta(hours=1)
