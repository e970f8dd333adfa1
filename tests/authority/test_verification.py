"""The public verification page: the listed fields and nothing else, unknown numbers said so,
and a per-address budget of lookups."""

import datetime

import time

import pytest
import time_machine
from django.test import override_settings

from authority.models import CertificateStatus

from .factories import CertificateFactory, OfficerFactory, kind

PHONE = "13800138000"
ID_NUMBER = "110101199001011234"


@pytest.fixture
def certificate(city):
    officer = OfficerFactory(department=city.dept_a, name="王明", id_number=ID_NUMBER, gender="male")
    return CertificateFactory(
        officer=officer, number="SC2026000123", area="测试市行政区域", kinds=[kind("penalty"), kind("coercion")],
        valid_until=datetime.date(2030, 6, 30), reason=f"内部备注 {PHONE}",
    )


def _body(response):
    return response.content.decode()


def test_shows_the_listed_fields(client, certificate, city):
    response = client.get(f"/verify/{certificate.number}/")
    assert response.status_code == 200
    body = _body(response)
    for text in ("SC2026000123", "王明", city.dept_a.name, "测试市人民政府", "测试市行政区域", "行政处罚", "行政强制", "2030-06-30", 'data-status="valid"'):
        assert text in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_reveals_nothing_else(client, certificate):
    body = _body(client.get(f"/verify/{certificate.number}/"))
    assert ID_NUMBER not in body and ID_NUMBER[-4:] + "<" not in body
    assert PHONE not in body and "内部备注" not in body  # the decision's reason is internal
    assert f"/office/authority/officers/{certificate.officer_id}" not in body
    assert "/office/" not in body.replace('href="/office/"', "")  # only the staff-login link


def test_form_lookup(client, certificate):
    response = client.get("/verify/", {"number": " SC2026000123 "})
    assert response.status_code == 200 and "王明" in _body(response)
    assert client.get("/verify/").status_code == 200


@pytest.mark.parametrize("number", ["SC2026000124", "SC2026", "%27%20OR%201=1", "x" * 33])
def test_unknown_number_says_so(client, certificate, number):
    response = client.get("/verify/", {"number": number})
    assert response.status_code == 404
    assert "王明" not in _body(response)
    assert 'data-result="unknown"' in _body(response)


@pytest.mark.parametrize("status", [CertificateStatus.SUSPENDED, CertificateStatus.REVOKED, CertificateStatus.EXPIRED])
def test_status_shown(client, certificate, status):
    certificate.status = status
    certificate.save()
    assert f'data-status="{status}"' in _body(client.get(f"/verify/{certificate.number}/"))


def test_expired_by_date_shows_as_expired(client, certificate):
    certificate.valid_until = datetime.date.today() - datetime.timedelta(days=1)
    certificate.save()
    body = _body(client.get(f"/verify/{certificate.number}/"))
    assert 'data-status="expired"' in body and 'data-status="valid"' not in body


@pytest.fixture
def one_window():
    """The limit counts per fixed minute: the requests of a test stay inside one, however slow
    the machine, instead of straddling a boundary (where the count starts again)."""
    start = datetime.datetime.fromtimestamp((time.time() // 60) * 60 + 1, tz=datetime.UTC)
    with time_machine.travel(start, tick=False):
        yield


@pytest.mark.usefixtures("one_window")
def test_rate_limited_per_address(client, certificate):
    for n in range(20):
        assert client.get(f"/verify/SC{n:010d}/", REMOTE_ADDR="10.0.0.1").status_code == 404
    limited = client.get(f"/verify/{certificate.number}/", REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "王明" not in _body(limited) and 'data-result="limited"' in _body(limited)
    # A forwarded-for header written by the client does not buy a new budget.
    assert client.get(f"/verify/{certificate.number}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429
    assert client.get(f"/verify/{certificate.number}/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_no_public_listing(client, certificate):
    for path in ("/verify/list/", "/api/public/certificates/", "/api/public/officers/"):
        assert client.get(path).status_code == 404
    assert client.get("/office/authority/officers/").status_code == 302  # login required
    for path in ("/api/authority/certificates/", "/api/authority/officers/"):
        assert client.get(path).status_code in (401, 403)


def test_qr_code_opens_the_verification_page(client, login, users, certificate):
    login(users.editor_a)
    response = client.get(f"/office/authority/certificates/{certificate.pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")
    import segno

    expected = segno.make(f"http://testserver/verify/{certificate.number}/", error="m")
    buffer = __import__("io").BytesIO()
    expected.save(buffer, kind="svg", scale=4, xmldecl=False, title=certificate.number)
    assert response.content == buffer.getvalue()


@pytest.mark.usefixtures("one_window")
def test_rate_limit_message_is_chinese_for_a_chinese_visitor(certificate):
    import re

    from django.test import Client

    visitor = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", REMOTE_ADDR="10.0.0.9")
    for _ in range(20):
        visitor.get(f"/verify/{certificate.number}/")
    limited = visitor.get(f"/verify/{certificate.number}/")
    assert limited.status_code == 429
    message = re.search(r'data-result="limited">([^<]*)<', limited.content.decode()).group(1)
    assert re.search(r"[\u4e00-\u9fff]", message) and "Too many" not in message


@pytest.mark.usefixtures("one_window")
@override_settings(TRUSTED_PROXIES=["172.18.0.0/16"])
def test_rate_limit_buckets_by_the_client_behind_a_trusted_proxy(client, certificate):
    """Behind the proxy every request comes from it; each visitor still has their own budget,
    and a visitor cannot buy a new one by writing the header themselves."""
    via_proxy = {"REMOTE_ADDR": "172.18.0.5"}
    for n in range(20):
        client.get(f"/verify/SC{n:010d}/", HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy)
    url = f"/verify/{certificate.number}/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", **via_proxy).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8", **via_proxy).status_code == 200
    # Not from the proxy: the forged header is ignored and the peer's own budget counts.
    for n in range(20):
        client.get(f"/verify/SC{n:010d}/", REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert client.get(url, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_two_queries_for_a_known_number_and_one_for_an_unknown(client, certificate, django_assert_num_queries):
    """The certificate with its holder, department and government in one query, its kinds in
    another; only the columns shown are read (issue 17)."""
    client.get("/verify/SC2026000123/", REMOTE_ADDR="10.0.0.1")  # compiled on the first request
    with django_assert_num_queries(2):
        body = _body(client.get("/verify/SC2026000123/", REMOTE_ADDR="10.0.0.2"))
    assert "王明" in body and "测试市行政区域" in body and "2030-06-30" in body
    with django_assert_num_queries(1):
        assert client.get("/verify/SC-NOT-THERE/", REMOTE_ADDR="10.0.0.3").status_code == 404
