"""Two-factor sign-in: the gate for each role, enrolment, codes (TOTP and recovery), throttling,
the audit trail, and the security administrator's reset.

These tests sign in through the login form with the password only (``_password``), so that
the session starts unverified, as a browser's does."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import RECOVERY_CODE_COUNT
from audit.models import AuditAction, AuditEvent, AuditOutcome

from .factories import PASSWORD
from .two_factor import confirmed_device, pass_second_factor, totp_code, usable_code

ENROL = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
HOME = "/office/"
REQUIRED = ["sysadmin", "secadmin", "auditadmin", "city_reviewer", "county_reviewer", "establishment"]
OPTIONAL = ["editor_a", "head_a"]


def _password(client, user) -> Client:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def _failures(user, outcome=AuditOutcome.FAILURE):
    return list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=user, outcome=outcome).values_list(
            "detail", flat=True
        )
    )


def _enrol(client, user) -> list[str]:
    """Enrol through the page, as a person with an authenticator app would: the recovery codes."""
    page = client.get(ENROL).content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    response = client.post(ENROL, {"code": totp_code(b32decode(secret))})
    assert response.status_code == 200
    return response.context["codes"]


# -- The gate, role by role ----------------------------------------------------------------------


@pytest.mark.parametrize("role", REQUIRED)
def test_required_role_without_a_device_is_sent_to_enrolment(client, users, role):
    user = getattr(users, role)
    _password(client, user)
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Foffice%2F"
    assert client.get("/accounts/password/").status_code == 302  # not even the password change
    page = client.get(ENROL)
    assert page.status_code == 200
    assert b"<svg" in page.content and b'data-secret="' in page.content


@pytest.mark.parametrize("role", REQUIRED + OPTIONAL)
def test_user_with_a_device_but_an_unverified_session_is_sent_to_verify(client, users, role):
    user = getattr(users, role)
    confirmed_device(user)
    _password(client, user)
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Foffice%2F"
    # Enrolment cannot replace a device before the code step.
    assert client.get(ENROL)["Location"] == VERIFY


@pytest.mark.parametrize("role", REQUIRED + OPTIONAL)
def test_verified_session_passes(client, users, role):
    user = getattr(users, role)
    _password(client, user)
    pass_second_factor(client, user)
    response = client.get("/office/", follow=True)
    assert response.status_code == 200
    assert ENROL not in str(response.redirect_chain) and VERIFY not in str(response.redirect_chain)


@pytest.mark.parametrize("role", OPTIONAL)
def test_department_user_without_a_device_passes(client, users, role):
    user = getattr(users, role)
    _password(client, user)
    response = client.get("/office/", follow=True)
    assert response.status_code == 200
    assert ENROL not in str(response.redirect_chain) and VERIFY not in str(response.redirect_chain)


def test_session_api_is_gated_and_says_so(client, users):
    _password(client, users.sysadmin)
    response = client.get("/api/users/")
    assert response.status_code == 403
    assert "detail" in response.json()
    # A refusal like any other: on the audit trail.
    from audit.models import AuditAction, AuditEvent

    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=users.sysadmin).exists()
    pass_second_factor(client, users.sysadmin)
    assert client.get("/api/users/").status_code == 200


def test_the_public_portal_stays_open_before_the_second_factor(client, users):
    """The gate guards the back office, the account pages and the API; the public site is
    anyone's, a half-signed-in reviewer's too."""
    _password(client, users.city_reviewer)
    assert client.get("/").status_code == 200
    assert client.get("/api/public/catalogues/").status_code == 200
    assert client.get("/office/")["Location"].startswith(ENROL)


def test_second_factor_comes_before_the_password_change(client, users):
    users.secadmin.must_change_password = True
    users.secadmin.save(update_fields=["must_change_password"])
    _password(client, users.secadmin)
    assert client.get("/office/")["Location"].startswith(ENROL)
    _enrol(client, users.secadmin)
    assert client.get("/office/")["Location"].startswith("/accounts/password/")


# -- Enrolment -----------------------------------------------------------------------------------


def test_enrolment_confirms_the_device_and_shows_ten_recovery_codes_once(client, users):
    reviewer = users.city_reviewer
    _password(client, reviewer)
    codes = _enrol(client, reviewer)

    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=reviewer).count() == RECOVERY_CODE_COUNT
    assert client.get("/office/").status_code == 200
    page = client.get(ENROL)  # the page now says it is on, and shows no code
    assert not any(code.encode() in page.content for code in codes)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, actor=reviewer, object_id=str(reviewer.pk))
    assert event.detail == {"second_factor": "enrolled", "recovery_codes": RECOVERY_CODE_COUNT}


def test_wrong_code_at_enrolment_is_refused_and_recorded(client, users):
    _password(client, users.auditadmin)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=users.auditadmin, confirmed=True).exists()
    assert _failures(users.auditadmin) == [{"factor": "totp"}]


def test_optional_user_may_enrol_and_is_then_asked_for_a_code(client, users):
    editor = users.editor_a
    _password(client, editor)
    _enrol(client, editor)
    client.post("/accounts/logout/")
    _password(client, editor)
    assert client.get("/office/")["Location"].startswith(VERIFY)


# -- Codes -----------------------------------------------------------------------------------------


def test_recovery_code_works_once(client, users):
    admin = users.secadmin
    _password(client, admin)
    code = _enrol(client, admin)[0]
    client.post("/accounts/logout/")

    _password(client, admin)
    assert client.post(VERIFY, {"code": code.upper()})["Location"] == HOME
    assert client.get("/office/").status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == RECOVERY_CODE_COUNT - 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=admin, detail__factor="recovery").count() == 1
    client.post("/accounts/logout/")

    _password(client, admin)
    StaticDevice.objects.filter(user=admin).update(throttling_failure_count=0)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/office/")["Location"].startswith(VERIFY)
    assert _failures(admin) == [{"factor": "recovery"}]


def test_wrong_codes_are_refused_recorded_and_throttled(client, users):
    reviewer = users.establishment
    device = confirmed_device(reviewer)
    _password(client, reviewer)

    response = client.post(VERIFY, {"code": "123456" if usable_code(device) != "123456" else "654321"})
    assert response.status_code == 200 and response.context["form"].errors
    assert _failures(reviewer) == [{"factor": "totp"}]

    # Straight after a wrong code even the right one is refused: the device is throttled.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = client.post(VERIFY, {"code": totp_code(device.bin_key)})
    assert response.status_code == 200
    assert _failures(reviewer, AuditOutcome.DENIED) == [{"factor": "totp"}]
    assert client.get("/office/")["Location"].startswith(VERIFY)

    # Once the delay has passed, the right code gets in.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert client.post(VERIFY, {"code": totp_code(device.bin_key)})["Location"] == HOME
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_code_is_not_accepted_twice(client, users):
    reviewer = users.city_reviewer
    device = confirmed_device(reviewer)
    code = usable_code(device)
    _password(client, reviewer)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = _password(Client(), reviewer)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200 and response.context["form"].errors


def test_verify_keeps_next_but_only_on_this_site(client, users):
    device = confirmed_device(users.sysadmin)
    _password(client, users.sysadmin)
    response = client.post(VERIFY, {"code": usable_code(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


# -- Reset -----------------------------------------------------------------------------------------


def test_security_admin_resets_a_second_factor_on_record(client, users):
    reviewer = users.city_reviewer
    victim = Client()
    _password(victim, reviewer)
    _enrol(victim, reviewer)
    assert victim.get("/office/").status_code == 200

    admin = _password(client, users.secadmin)
    pass_second_factor(admin, users.secadmin)
    assert b"reset-second-factor" in admin.get("/accounts/users/").content
    assert admin.post(f"/accounts/users/{reviewer.pk}/reset-second-factor/").status_code == 302

    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, actor=users.secadmin, object_id=str(reviewer.pk))
    assert event.detail == {"second_factor": "reset", "devices_deleted": 2}
    # The reviewer's session loses its second factor at once: enrol again.
    assert victim.get("/office/")["Location"].startswith(ENROL)


@pytest.mark.parametrize("role", ["sysadmin", "auditadmin", "city_reviewer", "editor_a"])
def test_others_may_not_reset_a_second_factor(client, users, role):
    actor = getattr(users, role)
    target = users.county_reviewer
    confirmed_device(target)
    client.force_login(actor)
    assert client.post(f"/accounts/users/{target.pk}/reset-second-factor/").status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=actor).count() == 1


def test_nobody_resets_his_own_second_factor(client, users):
    admin = users.secadmin
    client.force_login(admin)
    assert client.post(f"/accounts/users/{admin.pk}/reset-second-factor/").status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=admin).count() == 1
