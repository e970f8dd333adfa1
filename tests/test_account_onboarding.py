"""三员分立 at account creation: the system administrator makes a business account but never
knows its password and cannot give it a role on his own. The holder chooses the password through
a one-time mailed link; the security administrator approves the role."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services
from accounts.models import Role, RoleRequest, RoleRequestStatus, User
from audit.models import AuditAction, AuditEvent, AuditOutcome

LOGIN_URL = "/accounts/login/"
CHOSEN_BY_ADMIN = "Chosen-By-Admin-42"
OWNERS = "Owners-Own-Passw0rd"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _link(mail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/set/\S+/)", mail.body).group(1)


def _create(client, users, city, capture, **extra):
    client.force_login(users.sysadmin)
    data = {
        "username": "mole", "password": CHOSEN_BY_ADMIN, "email": "mole@example.gov.cn", "full_name": "王五",
        "role": Role.OFFICE_REVIEWER, "organisation": city.city_office.pk, "is_active": "on", **extra,
    }
    with capture(execute=True):
        response = client.post("/accounts/users/new/", data, follow=True)
    client.logout()
    return response


def _set_password(client, path, password):
    response = client.get(path, follow=True)
    if not response.context["validlink"]:
        return response
    return client.post(response.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_system_admin_cannot_log_in_as_an_office_reviewer_he_creates(
    client, users, city, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(users.sysadmin)
    assert "password" not in client.get("/accounts/users/new/").context["form"].fields
    client.logout()
    response = _create(client, users, city, django_capture_on_commit_callbacks)
    mole = User.objects.get(username="mole")
    assert not mole.has_usable_password()
    assert mole.role == "" and mole.organisation is None
    # The link goes to the holder's address alone and is shown nowhere to the administrator.
    assert [mail.to for mail in mailoutbox] == [["mole@example.gov.cn"]]
    assert _link(mailoutbox[0]).encode() not in response.content
    # The attack: log in with the password the administrator chose.
    client.post(LOGIN_URL, {"username": "mole", "password": CHOSEN_BY_ADMIN})
    assert not _signed_in(client)
    # Even once the holder has chosen a password, there is no role until the security
    # administrator approves it.
    _set_password(client, _link(mailoutbox[0]), OWNERS)
    client.post(LOGIN_URL, {"username": "mole", "password": OWNERS})
    assert not _signed_in(client)
    role_request = RoleRequest.objects.get(user=mole, status=RoleRequestStatus.PENDING)
    assert role_request.requested_by == users.sysadmin
    services.role_request_approve(actor=users.secadmin, role_request=role_request)
    mole.refresh_from_db()
    assert (mole.role, mole.organisation) == (Role.OFFICE_REVIEWER, city.city_office)
    client.post(LOGIN_URL, {"username": "mole", "password": OWNERS})
    assert _signed_in(client)


def test_create_requires_an_email_address(client, users, city, django_capture_on_commit_callbacks):
    response = _create(client, users, city, django_capture_on_commit_callbacks, email="")
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="mole").exists()


def test_set_password_link_works_once(client, users, city, django_capture_on_commit_callbacks, mailoutbox):
    _create(client, users, city, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    assert _set_password(client, link, OWNERS).status_code == 302
    mole = User.objects.get(username="mole")
    assert mole.check_password(OWNERS) and not mole.must_change_password and mole.password_changed_at
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE, object_id=str(mole.pk)).count() == 1
    again = _set_password(client, link, "Another-Passw0rd-9")
    assert again.context["validlink"] is False
    mole.refresh_from_db()
    assert mole.check_password(OWNERS)


def test_set_password_link_expires(client, users, city, django_capture_on_commit_callbacks, mailoutbox, settings):
    _create(client, users, city, django_capture_on_commit_callbacks)
    # A day's margin: the token generator counts in naive local time, time_machine in UTC.
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)):
        response = _set_password(client, _link(mailoutbox[0]), OWNERS)
    assert response.context["validlink"] is False
    assert not User.objects.get(username="mole").has_usable_password()


@pytest.mark.parametrize("weak", ["Ab1!xyz", "qzwvmplkrtxb47", "Password1234"])
def test_set_password_link_applies_the_password_policy(
    client, users, city, django_capture_on_commit_callbacks, mailoutbox, weak
):
    _create(client, users, city, django_capture_on_commit_callbacks)
    response = _set_password(client, _link(mailoutbox[0]), weak)
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    assert not User.objects.get(username="mole").has_usable_password()


def test_role_change_waits_for_the_security_admin(client, users, city):
    client.force_login(users.sysadmin)
    data = {"full_name": users.editor_b.full_name, "email": "", "role": Role.DEPARTMENT_HEAD,
            "organisation": city.dept_b.pk, "is_active": "on"}
    assert client.post(f"/accounts/users/{users.editor_b.pk}/", data).status_code == 302
    users.editor_b.refresh_from_db()
    assert users.editor_b.role == Role.DEPARTMENT_EDITOR
    role_request = RoleRequest.objects.get(user=users.editor_b, status=RoleRequestStatus.PENDING)
    # The system administrator may neither see the queue nor approve, in any way.
    assert client.get("/accounts/role-requests/").status_code == 403
    assert client.post(f"/accounts/role-requests/{role_request.pk}/approve/").status_code == 403
    with pytest.raises(Exception):
        services.role_request_approve(actor=users.sysadmin, role_request=role_request)
    users.editor_b.refresh_from_db()
    assert users.editor_b.role == Role.DEPARTMENT_EDITOR
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED, outcome=AuditOutcome.DENIED, actor=users.sysadmin
    ).count() == 3
    # The security administrator sees it in the queue and approves it, on record.
    client.force_login(users.secadmin)
    assert "editor_b" in client.get("/accounts/role-requests/").content.decode()
    assert client.post(f"/accounts/role-requests/{role_request.pk}/approve/").status_code == 302
    users.editor_b.refresh_from_db()
    assert users.editor_b.role == Role.DEPARTMENT_HEAD
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION, object_id=str(role_request.pk))
    assert event.actor == users.secadmin and event.detail["to"] == RoleRequestStatus.APPROVED


def test_security_admin_refuses_a_role(client, users, city):
    services.user_update(actor=users.sysadmin, user=users.editor_b, role=Role.DEPARTMENT_HEAD)
    role_request = RoleRequest.objects.get(user=users.editor_b)
    client.force_login(users.secadmin)
    assert client.post(f"/accounts/role-requests/{role_request.pk}/refuse/").status_code == 302
    role_request.refresh_from_db()
    users.editor_b.refresh_from_db()
    assert role_request.status == RoleRequestStatus.REFUSED and role_request.decided_by == users.secadmin
    assert users.editor_b.role == Role.DEPARTMENT_EDITOR
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(role_request.pk)).exists()
    # Decided once: a second decision is refused.
    client.post(f"/accounts/role-requests/{role_request.pk}/approve/")
    users.editor_b.refresh_from_db()
    assert users.editor_b.role == Role.DEPARTMENT_EDITOR


def test_role_change_through_the_api_waits_too(api_client, users, city):
    api_client.force_authenticate(users.sysadmin)
    response = api_client.patch(f"/api/users/{users.editor_b.pk}/", {"role": Role.DEPARTMENT_HEAD}, format="json")
    assert response.status_code == 200 and response.json()["role"] == Role.DEPARTMENT_EDITOR
    assert RoleRequest.objects.filter(user=users.editor_b, role=Role.DEPARTMENT_HEAD, status=RoleRequestStatus.PENDING).exists()
