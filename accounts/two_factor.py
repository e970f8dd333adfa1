"""Two-factor sign-in (MLPS level 3 asks two factors of the administrators): a TOTP device per
user, and a static device holding ten single-use recovery codes.

Who must: the three administrators and the offices' reviewers. Anyone else may enrol; once a
user has a confirmed device, every sign-in asks for a code. The gate is
``accounts.middleware.SecondFactorMiddleware``; the pages are ``two_factor_views``.

Kept apart from ``services.py`` because it is one subject with its own policy, reads and writes;
the services follow the same rules (keyword-only, atomic, audited).
"""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction, AuditOutcome
from audit.services import event_record

from . import permissions as perms
from .models import ADMIN_ROLES, OFFICE_ROLES, User

RECOVERY_CODE_COUNT = 10
# Recovery codes are django-otp's static tokens: 8 characters of lower-case base32.
_TOTP_CODE = re.compile(r"^\d{6}$")


def requires_two_factor(user) -> bool:
    return perms.role_of(user) in ADMIN_ROLES | OFFICE_ROLES


def totp_device_of(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


# -- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def totp_device_create(*, user: User) -> TOTPDevice:
    """The device being enrolled: a fresh secret, not yet confirmed. Reloading the enrolment
    page keeps the same secret, so that a code typed from the first scan still works."""
    device = totp_device_of(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the user's new device with a code it shows, and issue the recovery codes (the
    only time they are readable). None if the code is wrong, which is put on record."""
    confirmed = _totp_device_confirm(user=user, token=token)
    if confirmed is None:
        _failure_record(user=user, factor="totp", message=_("wrong code while enrolling a second factor"))
    return confirmed


@transaction.atomic
def _totp_device_confirm(*, user: User, token: str):
    user = User.objects.select_for_update().get(pk=user.pk)
    if has_second_factor(user):
        return None  # enrolled meanwhile, in another session
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_normalise(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    event_record(
        action=AuditAction.UPDATE,
        actor=user,
        obj=user,
        message=_("second factor enrolled"),
        detail={"second_factor": "enrolled", "recovery_codes": RECOVERY_CODE_COUNT},
    )
    return device, codes


def second_factor_verify(*, user: User, token: str):
    """The device that accepts ``token`` (a TOTP code, or a recovery code, which is then used
    up), or None. Every refusal is put on record; a device that was given wrong codes refuses
    even the right one for a while (django-otp's throttling), and says so."""
    code = _normalise(token)
    factor = "totp" if _TOTP_CODE.match(code) else "recovery"
    with transaction.atomic():
        model = TOTPDevice if factor == "totp" else StaticDevice
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            allowed, accepted = True, False
        else:
            allowed, _detail = device.verify_is_allowed()
            accepted = allowed and device.verify_token(code)
    if accepted:
        event_record(
            action=AuditAction.LOGIN, actor=user, message=_("second factor verified"), detail={"factor": factor}
        )
        return device
    if allowed:
        _failure_record(user=user, factor=factor, message=_("wrong second-factor code"))
    else:
        _failure_record(
            user=user, factor=factor, message=_("second-factor code refused: too many wrong codes"), throttled=True
        )
    return None


def second_factor_reset(*, actor, user: User) -> int:
    """Remove the user's devices (a lost phone, used-up codes): the next sign-in enrols anew."""
    perms.require(
        actor, perms.can_reset_second_factor(actor, user), obj=user, reason=_("may not reset this second factor"),
        who=perms.Actor.SECURITY_ADMIN,
    )
    return _second_factor_reset(actor=actor, user=user)


@transaction.atomic
def _second_factor_reset(*, actor, user: User) -> int:
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        deleted += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    event_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=user,
        message=_("second factor reset"),
        detail={"second_factor": "reset", "devices_deleted": deleted},
    )
    return deleted


def _failure_record(*, user: User, factor: str, message, throttled: bool = False) -> None:
    event_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED if throttled else AuditOutcome.FAILURE,
        actor=user,
        message=message,
        detail={"factor": factor},
    )
