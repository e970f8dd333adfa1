"""Authentication security (MLPS level 3): lockout, idle timeout, session fixation, password
rules, forced password change and the production cookie settings."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts import services
from accounts.models import Role, User
from accounts.selectors import locked_usernames
from audit.models import AuditAction, AuditEvent, AuditOutcome

from .factories import PASSWORD
from .two_factor import pass_second_factor

LOGIN_URL = "/accounts/login/"
PASSWORD_URL = "/accounts/password/"
EXPIRED_URL = "/accounts/password/?expired=1"
WRONG = "Wrong-Passw0rd-2026"
ZH_CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def _attempt(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _events(username):
    return list(
        AuditEvent.objects.filter(actor_username=username)
        .order_by("id")
        .values_list("action", "outcome")
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _lock(client, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _attempt(client, username, WRONG)
    return response


# --- Lockout -------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_thirty_minutes(client, users):
    username = users.editor_a.username
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for attempt in range(1, 5):
            response = _attempt(client, username, WRONG)
            assert response.status_code == 200
            assert response.context["form"].errors
            assert _events(username) == [(AuditAction.LOGIN_FAILED, AuditOutcome.FAILURE)] * attempt

        response = _attempt(client, username, WRONG)
        assert response.status_code == 429  # axes' AXES_HTTP_RESPONSE_CODE
        assert _events(username)[4:] == [(AuditAction.LOCKOUT, AuditOutcome.DENIED)]
        assert username in locked_usernames()

        # The right password does not get a locked account in: the attempt is refused and
        # recorded as a denied login, not as a second lockout.
        response = _attempt(client, username, PASSWORD)
        assert response.status_code == 429
        assert "accounts/locked_out.html" in {t.name for t in response.templates}
        assert '<html lang="zh-hans">' in response.content.decode()
        assert _zh("Account locked") in response.content.decode()
        if ZH_CATALOGUE.exists():
            assert _zh("Account locked") != "Account locked"
        assert not _signed_in(client)
        assert _events(username)[5:] == [(AuditAction.LOGIN_FAILED, AuditOutcome.DENIED)]

        traveller.shift(timedelta(minutes=29))
        assert username in locked_usernames()

        traveller.shift(timedelta(minutes=1, seconds=1))
        assert username not in locked_usernames()
        response = _attempt(client, username, PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)
        assert _events(username)[6:] == [(AuditAction.LOGIN, AuditOutcome.SUCCESS)]


def test_security_admin_unlock_lifts_the_lockout_at_once(client, users):
    target = users.editor_a
    assert _lock(client, target.username).status_code == 429

    admin = Client()
    assert _attempt(admin, users.secadmin.username, PASSWORD).status_code == 302
    pass_second_factor(admin, users.secadmin)
    response = admin.post(f"/accounts/users/{target.pk}/unlock/")
    assert response.status_code == 302

    unlock = AuditEvent.objects.get(action=AuditAction.UNLOCK)
    assert (unlock.actor, unlock.object_type, unlock.object_id) == (users.secadmin, "accounts.user", str(target.pk))
    assert unlock.detail["attempts_cleared"] >= 1
    assert target.username not in locked_usernames()
    assert _attempt(client, target.username, PASSWORD).status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize(
    "role", ["city_reviewer", "establishment", "editor_b", "head_a", "sysadmin", "auditadmin"]
)
def test_only_the_security_admin_may_unlock(client, users, role):
    target = users.editor_a
    _lock(client, target.username)
    actor = getattr(users, role)

    other = Client()
    assert _attempt(other, actor.username, PASSWORD).status_code == 302
    pass_second_factor(other, actor)
    response = other.post(f"/accounts/users/{target.pk}/unlock/")

    assert response.status_code == 403
    assert target.username in locked_usernames()
    assert not AuditEvent.objects.filter(action=AuditAction.UNLOCK).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED, actor=actor, outcome=AuditOutcome.DENIED
    ).count() == 1


def test_failures_spread_over_several_browsers_still_lock_the_account(users):
    """Axes counts failures per user name across addresses and browsers; the lock shown to the
    security administrator must agree."""
    username = users.editor_a.username
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _attempt(Client(HTTP_USER_AGENT=f"browser-{n}", REMOTE_ADDR=f"10.0.0.{n + 1}"), username, WRONG)
    assert response.status_code == 429
    assert username in locked_usernames()
    assert _attempt(Client(), username, PASSWORD).status_code == 429


# --- Sessions ------------------------------------------------------------------------------


def test_idle_session_ends_after_thirty_minutes(login, users):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = login(users.editor_a)

        traveller.shift(timedelta(minutes=29))
        assert client.get("/office/").status_code == 200
        # 58 minutes after login: alive only because the last request extended it.
        traveller.shift(timedelta(minutes=29))
        assert client.get("/office/").status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/office/")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_URL}?next=/office/"


def test_login_issues_a_new_session_key(client, users):
    planted = client.session  # a session the visitor (or an attacker) holds before logging in
    planted["probe"] = True
    planted.save()
    before = planted.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before

    assert _attempt(client, users.editor_a.username, PASSWORD).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = before
    assert attacker.get("/office/").status_code == 302


# --- Password rules ------------------------------------------------------------------------

PASSWORD_CASES = [
    pytest.param("Ab1!xyz", "password_too_short", id="under-12"),
    pytest.param("qzwvmplkrtxb47", "password_too_uniform", id="12-two-classes"),
    pytest.param("Qzwvmplkrtxb47", None, id="three-classes"),
    pytest.param("Qzwv-mplkrtxb47", None, id="four-classes"),
    pytest.param("Editor_a2026", "password_too_similar", id="like-username"),
    pytest.param("Password1234", "password_too_common", id="common"),
]


@pytest.mark.parametrize(("password", "refused_as"), PASSWORD_CASES)
def test_password_rules(users, password, refused_as):
    if refused_as is None:
        validate_password(password, users.editor_a)
        return
    with pytest.raises(ValidationError) as refused:
        validate_password(password, users.editor_a)
    assert refused_as in {error.code for error in refused.value.error_list}


@pytest.mark.parametrize(("password", "refused_as"), PASSWORD_CASES)
def test_password_rules_in_the_change_form(login, users, password, refused_as):
    client = login(users.editor_a)
    response = client.post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    )
    users.editor_a.refresh_from_db()
    if refused_as is None:
        assert response.status_code == 302
        assert users.editor_a.check_password(password)
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["new_password2"]
        assert users.editor_a.check_password(PASSWORD)


# --- Forced change after expiry ------------------------------------------------------------


def _age_password(user, days):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def expired_client(login, users):
    _age_password(users.editor_a, 91)
    return login(users.editor_a)


@pytest.mark.parametrize(
    "path", ["/office/", "/office/organisations/", "/office/audit/", "/accounts/users/", "/"]
)
def test_expired_password_sends_every_page_to_the_change_form(expired_client, path):
    response = expired_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == EXPIRED_URL


def test_expired_password_still_reaches_change_form_logout_and_static(expired_client):
    response = expired_client.get(EXPIRED_URL)
    assert response.status_code == 200
    assert response.context["expired"] is True
    # A fresh client, so that WhiteNoise starts with finders on: the test settings collect no
    # static files.
    with override_settings(WHITENOISE_USE_FINDERS=True):
        browser = Client()
        browser.cookies = expired_client.cookies
        assert browser.get("/static/css/app.css").status_code == 200
    response = expired_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not _signed_in(expired_client)


def test_expired_password_api_with_session_is_refused_as_json(expired_client):
    response = expired_client.get("/api/organisations/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_changing_an_expired_password_opens_the_office(expired_client, users):
    new = "Qzwv-mplkrtxb47"
    with time_machine.travel(timezone.now(), tick=False):
        response = expired_client.post(
            EXPIRED_URL, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302
        changed_at = timezone.now()
    assert expired_client.get("/office/").status_code == 200
    user = User.objects.get(pk=users.editor_a.pk)
    assert user.must_change_password is False
    assert user.password_changed_at == changed_at
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=user).count() == 1


def test_password_89_days_old_is_not_expired(login, users):
    _age_password(users.editor_a, 89)
    client = login(users.editor_a)
    assert client.get("/office/").status_code == 200


def test_account_created_by_the_system_admin_has_no_password_to_sign_in_with(client, city, users):
    """Its holder chooses one through the mailed link (tests/test_account_onboarding.py)."""
    newcomer = services.user_create(
        actor=users.sysadmin,
        username="newcomer",
        email="newcomer@example.gov.cn",
        role=Role.DEPARTMENT_EDITOR,
        organisation=city.dept_b,
        full_name="王小明",
    )
    assert not newcomer.has_usable_password() and newcomer.role == ""
    assert _attempt(client, "newcomer", "").status_code == 200
    assert not _signed_in(client)


# --- Production settings -------------------------------------------------------------------

_SETTINGS_PROBE = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST", "DEBUG",
)}))
"""


def _production_settings(**env):
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", _SETTINGS_PROBE],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_cookies_are_secure():
    result = _production_settings(DJANGO_SECRET_KEY="production-test-key-" + "x" * 40)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_AGE"] == 1800
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert values["DEBUG"] is False


def test_production_refuses_to_start_without_a_secret_key():
    result = _production_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _session_writes(client, path="/office/"):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in captured if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]


def test_idle_timeout_is_written_at_most_once_a_minute(login, users):
    """SESSION_SAVE_EVERY_REQUEST stays the rule, but a page that changes nothing in the session
    writes it only when its last refresh is SESSION_REFRESH_SECONDS old (issue 17)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = login(users.editor_a)
        _session_writes(client)
        traveller.shift(timedelta(seconds=5))
        assert _session_writes(client) == []
        traveller.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS))
        assert len(_session_writes(client)) == 1
        assert _session_writes(client) == []
        # The expiry counts from that refresh: just inside the idle time, still signed in ...
        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 1))
        assert client.get("/office/").status_code == 200
        # ... and idle for longer than SESSION_COOKIE_AGE, signed out.
        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        assert client.get("/office/").status_code == 302


def test_a_changed_session_is_written_at_once(db, rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from accounts.middleware import IdleTimeoutSessionMiddleware

    middleware = IdleTimeoutSessionMiddleware(lambda request: HttpResponse())
    request = rf.get("/office/")
    request.session = SessionStore()
    request.session["accounts_session_refreshed"] = int(time.time())  # refreshed a moment ago
    request.session.save()
    key = request.session.session_key
    request.session = SessionStore(key)
    request.session["probe"] = "changed"
    middleware.process_response(request, HttpResponse())
    assert SessionStore(key).load()["probe"] == "changed"
    # Nothing changed and refreshed a moment ago: not written, but still varied on the cookie.
    Session.objects.filter(session_key=key).update(session_data=SessionStore().encode({"accounts_session_refreshed": int(time.time())}))
    request.session = SessionStore(key)
    request.session.get("probe")
    before = Session.objects.get(session_key=key).expire_date
    response = middleware.process_response(request, HttpResponse())
    assert Session.objects.get(session_key=key).expire_date == before
    assert "Cookie" in response["Vary"]
