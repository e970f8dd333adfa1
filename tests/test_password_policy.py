"""Password policy: no return to any of the last five passwords, and every rule explained in
Chinese."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.models import PasswordHistory, Role

from .factories import PASSWORD

PASSWORD_URL = "/accounts/password/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _new(n: int) -> str:
    return f"Fresh-Passw0rd-{n:04d}"


def _change(user, password):
    password_validation.validate_password(password, user)
    services.user_change_password(user=user, new_password=password)


def test_the_last_five_passwords_are_refused(users):
    user = users.editor_a
    for n in range(1, 5):
        _change(user, _new(n))
    # Current: _new(4); the last five are PASSWORD and _new(1) … _new(4).
    for old in (PASSWORD, _new(1), _new(3), _new(4)):
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password(old, user)
        assert "password_reused" in [error.code for error in refused.value.error_list]
    _change(user, _new(5))
    # PASSWORD is now six passwords back: allowed again, and only five hashes are kept.
    password_validation.validate_password(PASSWORD, user)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert all(row.password.startswith(("md5$", "pbkdf2", "argon2")) for row in PasswordHistory.objects.all())


def test_the_password_change_page_refuses_the_current_password(login, users):
    client = login(users.editor_a)
    response = client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 200
    assert "password_reused" in [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password1": _new(1), "new_password2": _new(1)}).status_code == 302


def test_every_way_of_setting_a_password_records_it(users, city):
    """An account is made without a password; its holder's first one (through the one-time link)
    and every later change are on the history."""
    created = services.user_create(
        actor=users.sysadmin, username="newcomer", email="newcomer@example.gov.cn",
        role=Role.DEPARTMENT_EDITOR, organisation=city.dept_a,
    )
    assert PasswordHistory.objects.filter(user=created).count() == 0
    services.user_set_initial_password(user=created, new_password=_new(7))
    services.user_change_password(user=created, new_password=_new(8))
    assert PasswordHistory.objects.filter(user=created).count() == 2
    for reused in (_new(7), _new(8)):
        with pytest.raises(ValidationError):
            password_validation.validate_password(reused, created)


# Each failing password trips one configured validator (the user's attributes for the first).
FAILING = {
    "UserAttributeSimilarityValidator": "zhangsan-Example1",
    "MinimumLengthValidator": "Ab1!",
    "CommonPasswordValidator": "password",
    "NumericPasswordValidator": "12345678901234",
    "CharacterClassValidator": "abcdefghijklmnopq",
    "PasswordHistoryValidator": PASSWORD,
}


def test_the_scan_covers_every_configured_validator():
    configured = {type(v).__name__ for v in password_validation.get_default_password_validators()}
    assert configured == set(FAILING)


@pytest.mark.parametrize("validator", sorted(FAILING))
def test_every_password_rule_speaks_chinese(users, validator):
    user = users.editor_a
    user.username, user.email = "zhangsan", "zhangsan@example.com"
    instance = next(v for v in password_validation.get_default_password_validators() if type(v).__name__ == validator)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            instance.validate(FAILING[validator], user)
        messages = refused.value.messages + [instance.get_help_text()]
    for message in messages:
        assert CJK.search(message), message
        assert not re.search(r"[A-Za-z]{3,}(\s+[A-Za-z]{2,}){2,}", message), message
