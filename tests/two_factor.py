"""Second-factor helpers for tests: a confirmed TOTP device, its codes, a verified session."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import has_second_factor, requires_two_factor


def needs_second_factor(user) -> bool:
    return requires_two_factor(user) or has_second_factor(user)


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def totp_code(key: bytes, *, steps_ahead: int = 0, step: int = 30) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later: the next
    code, which the device accepts within its tolerance of one period)."""
    totp = TOTP(key, step=step)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():06d}"


def usable_code(device: TOTPDevice) -> str:
    """A code the device accepts now, even if the test has used this period's code already
    (devices refuse a period's code twice) or has given it wrong codes (throttling)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return totp_code(device.bin_key)


def verify_session(client, user) -> None:
    """Mark a test client's session as having passed the second factor, as django_otp.login
    does at the verify step (for clients signed in with force_login)."""
    device = confirmed_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def pass_second_factor(client, user) -> None:
    """The step after the password, for a client signed in through the login form (nothing to do
    for a user who needs no second factor)."""
    if not needs_second_factor(user):
        return
    response = client.post("/accounts/two-factor/verify/", {"code": usable_code(confirmed_device(user))})
    assert response.status_code == 302, response.content[:500]
