"""三员分立: the system administrator manages business accounts but can neither make himself
nor anyone else an administrator, nor touch the other administrators' accounts."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent


@pytest.mark.parametrize("target_key", ["sysadmin", "secadmin", "auditadmin"])
def test_system_admin_cannot_change_administrator_accounts(api_client, client, users, target_key):
    target = getattr(users, target_key)
    api_client.force_authenticate(users.sysadmin)
    response = api_client.patch(f"/api/users/{target.pk}/", {"full_name": "改名"}, format="json")
    assert response.status_code == 403
    client.force_login(users.sysadmin)
    assert client.get(f"/accounts/users/{target.pk}/").status_code == 403
    target.refresh_from_db()
    assert target.full_name != "改名"


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_no_one_is_promoted_to_administrator(api_client, users, role):
    api_client.force_authenticate(users.sysadmin)
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    response = api_client.patch(f"/api/users/{users.editor_a.pk}/", {"role": role, "organisation": None}, format="json")
    assert response.status_code == 403
    assert User.objects.get(pk=users.editor_a.pk).role == Role.DEPARTMENT_EDITOR
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_create_form_offers_no_administrator_role(client, users):
    client.force_login(users.sysadmin)
    response = client.post(
        "/accounts/users/new/",
        {"username": "sneaky", "password": "Xy-9876543210ab", "role": Role.AUDIT_ADMIN, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()
    roles = {value for value, _label in response.context["form"].fields["role"].choices}
    assert roles.isdisjoint({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def test_role_must_fit_the_organisation_in_the_api_too(api_client, users, city):
    api_client.force_authenticate(users.sysadmin)
    response = api_client.patch(f"/api/users/{users.editor_a.pk}/", {"organisation": city.city_office.pk}, format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()
    assert User.objects.get(pk=users.editor_a.pk).organisation == city.dept_a


def test_create_administrator_command(db, monkeypatch):
    monkeypatch.setenv("ADMIN_PW", "Install-Time-Pw-42")
    call_command("create_administrator", "audit_admin", "auditor1", "--password-from-env", "ADMIN_PW")
    auditor = User.objects.get(username="auditor1")
    assert auditor.role == Role.AUDIT_ADMIN and auditor.must_change_password
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(auditor.pk)).count() == 1
    monkeypatch.setenv("WEAK", "short")
    with pytest.raises(CommandError):
        call_command("create_administrator", "security_admin", "sec2", "--password-from-env", "WEAK")
    assert not User.objects.filter(username="sec2").exists()
