"""The client's address behind the reverse proxy (toolkit.client): X-Forwarded-For counts only
when the request comes from a trusted proxy, and the audit trail and axes use the same answer."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from audit.models import AuditAction, AuditEvent
from toolkit.client import client_address

from .factories import PASSWORD

PROXY = "172.18.0.5"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=["172.18.0.0/16", "10.9.9.9"])


def _address(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_default_trusts_no_one():
    assert settings.TRUSTED_PROXIES == []
    assert _address(PROXY, "203.0.113.7") == PROXY


@BEHIND_PROXY
@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        # Whatever the client wrote left of the proxy's entry is not believed.
        (PROXY, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # A chain of trusted proxies: the rightmost untrusted hop is the client.
        (PROXY, "6.6.6.6, 203.0.113.7, 10.9.9.9", "203.0.113.7"),
        (PROXY, " 2001:db8::1 ", "2001:db8::1"),
        (PROXY, "203.0.113.7:51234", "203.0.113.7"),
        # No header or a garbled one: the proxy is all we know.
        (PROXY, None, PROXY),
        (PROXY, "not-an-address", PROXY),
        # From an untrusted peer a forged header is ignored.
        ("198.51.100.20", "203.0.113.7", "198.51.100.20"),
        ("", "203.0.113.7", None),
    ],
)
def test_client_address(remote_addr, forwarded, expected):
    assert _address(remote_addr, forwarded) == expected


def _fail_login(username, **meta):
    Client(**meta).post("/accounts/login/", {"username": username, "password": "Wrong-Passw0rd-2026"})


@BEHIND_PROXY
def test_audit_and_axes_record_the_client_behind_a_trusted_proxy(users):
    username = users.editor_a.username
    _fail_login(username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")

    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED, actor_username=username)
    assert event.ip_address == "203.0.113.7"
    assert AccessAttempt.objects.get(username=username).ip_address == "203.0.113.7"

    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).ip_address == "203.0.113.8"


@BEHIND_PROXY
def test_audit_and_axes_ignore_a_forged_header_from_an_untrusted_address(users):
    username = users.editor_a.username
    _fail_login(username, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip_address == "198.51.100.20"
    assert AccessAttempt.objects.get(username=username).ip_address == "198.51.100.20"
