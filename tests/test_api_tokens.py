"""API tokens for department systems (django-rest-knox, accounts.ApiToken): stored hashed, named,
expiring, and refused for an account that could not sign in through the login form."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from knox.crypto import hash_token

from accounts.models import ApiToken, User
from audit.models import AuditAction, AuditEvent

API_URL = "/api/organisations/"


@pytest.fixture
def token(users):
    out = StringIO()
    call_command("api_token_issue", users.editor_a.username, "--name", "市场监管局执法系统", "--days", "30", stdout=out)
    return out.getvalue().splitlines()[1]


# Session authentication comes first in REST_FRAMEWORK and sends no WWW-Authenticate header, so
# DRF answers a failed token with 403 rather than 401; the message says why.
LOCKED = "This account is locked after too many failed logins; ask the security administrator to unlock it."
DISABLED = "This account is disabled."
EXPIRED = "Your password has expired: change it in the web interface."


def _refused(response, msgid: str | None = None) -> bool:
    with translation.override("zh-hans"):
        expected = translation.gettext(msgid) if msgid else None
    return response.status_code in (401, 403) and (expected is None or response.json()["detail"] == expected)


def _get(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client.get(API_URL)


def test_token_works(api_client, token):
    assert _get(api_client, token).status_code == 200


def test_token_is_stored_hashed_with_name_and_expiry(users, token):
    row = ApiToken.objects.get(user=users.editor_a)
    assert row.name == "市场监管局执法系统"
    assert timedelta(days=29) < row.expiry - timezone.now() <= timedelta(days=30)
    assert row.digest == hash_token(token) and token not in row.digest
    stored = [str(value) for value in ApiToken.objects.values_list("digest", "token_key", "name").get()]
    assert all(token not in value for value in stored)


def test_locked_account_token_is_refused(client, api_client, users, token):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": users.editor_a.username, "password": "Wrong-Passw0rd-2026"})
    assert _refused(_get(api_client, token), LOCKED)
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=users.editor_a).exists()


def test_deactivated_account_token_is_refused(api_client, users, token):
    User.objects.filter(pk=users.editor_a.pk).update(is_active=False)
    assert _refused(_get(api_client, token), DISABLED)


def test_account_without_an_approved_role_token_is_refused(api_client, users, token):
    User.objects.filter(pk=users.editor_a.pk).update(role="")
    assert _refused(_get(api_client, token), "This account has no approved role yet.")


@pytest.mark.parametrize("change", [{"must_change_password": True}, {"days_old": 91}])
def test_expired_password_token_is_refused(api_client, users, token, change):
    if "days_old" in change:
        User.objects.filter(pk=users.editor_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    else:
        User.objects.filter(pk=users.editor_a.pk).update(**change)
    assert _refused(_get(api_client, token), EXPIRED)


def test_expired_token_is_refused(api_client, users, token):
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        User.objects.filter(pk=users.editor_a.pk).update(password_changed_at=timezone.now())
        assert _refused(_get(api_client, token))
    assert not ApiToken.objects.exists()  # knox deletes an expired token when it is presented


def test_unknown_token_is_refused(api_client, token):
    assert _refused(_get(api_client, token[:-4] + "0000"))


def test_token_command_refuses_unknown_or_disabled_accounts(users):
    with pytest.raises(CommandError):
        call_command("api_token_issue", "nobody", "--name", "x", stdout=StringIO())
    User.objects.filter(pk=users.editor_b.pk).update(is_active=False)
    with pytest.raises(CommandError):
        call_command("api_token_issue", users.editor_b.username, "--name", "x", stdout=StringIO())


def test_drf_plain_tokens_are_gone():
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
