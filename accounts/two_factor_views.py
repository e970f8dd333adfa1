"""The second step of signing in, enrolment of a TOTP device, and the security administrator's
reset. The gate that sends people here is ``accounts.middleware.SecondFactorMiddleware``."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from . import permissions as perms
from .two_factor import (
    has_second_factor,
    requires_two_factor,
    second_factor_reset,
    second_factor_verify,
    totp_device_confirm,
    totp_device_create,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _signed_in(request, device):
    """The session now holds both factors: a new session key, as at the password step."""
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@login_required
def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(user):
        return redirect("accounts:two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            _signed_in(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("Wrong code, or too soon after a wrong one: wait a moment and try again."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def two_factor_enrol(request):
    """Scan the QR code (or type the secret), confirm with a code: the device is on and the ten
    recovery codes are shown, this once."""
    user = request.user
    if has_second_factor(user):
        if not user.is_verified():
            return redirect("accounts:two_factor_verify")
        remaining = StaticToken.objects.filter(device__user=user).count()
        return render(request, "accounts/two_factor_enrol.html", {"enrolled": True, "remaining": remaining})
    device = totp_device_create(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=user, token=form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            _signed_in(request, device)
            return render(
                request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("code", _("Wrong code, or too soon after a wrong one: wait a moment and try again."))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "required": requires_two_factor(user),
            "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code")),
            "secret": secret,
            "secret_grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def user_second_factor_reset(request, pk: int):
    perms.require(request.user, perms.can_set_security_policy(request.user), who=perms.Actor.SECURITY_ADMIN)
    target = perms.get_visible_or_404(request.user, perms.users_visible_to(request.user), pk=pk)
    second_factor_reset(actor=request.user, user=target)
    messages.success(request, _("%(name)s must enrol a second factor again at next login.") % {"name": target.username})
    return redirect("accounts:user_list")
