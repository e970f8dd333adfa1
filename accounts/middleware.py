import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

# Paths a user with an expired password may still reach: the change form itself, logging out,
# the language switch and static assets.
_EXEMPT_NAMES = (
    "accounts:password_change",
    "accounts:logout",
    "accounts:two_factor_verify",
    "accounts:two_factor_enrol",
    "set_language",
)


def password_expired(user) -> bool:
    if user.must_change_password or user.password_changed_at is None:
        return True
    return timezone.now() - user.password_changed_at > settings.PASSWORD_MAX_AGE


class PasswordExpiryMiddleware:
    """A signed-in browser user whose password is older than PASSWORD_MAX_AGE, or was set by an
    administrator, must change it before doing anything else."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and password_expired(user):
            if self._exempt is None:
                self._exempt = tuple(reverse(name) for name in _EXEMPT_NAMES)
            path = request.path
            if not (path.startswith(self._exempt) or path.startswith(settings.STATIC_URL)):
                if path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"detail": _("Your password has expired: change it in the web interface.")}, status=403
                    )
                return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return self.get_response(request)


# Paths a signed-in user may reach before the second factor: the two-factor pages themselves,
# the login page (which sends a signed-in user on), logging out, the language switch.
_SECOND_FACTOR_EXEMPT_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor_verify",
    "accounts:two_factor_enrol",
    "set_language",
)
# Remembered in the session: this sign-in found a user for whom two factors are optional and who
# has no device, so later requests need not ask the database again (enrolling verifies the
# session anyway). Roles that require two factors are checked on every request.
_NO_DEVICE_SESSION_KEY = "accounts_second_factor_optional"


# Where the second factor is asked for: the back office, the account pages and the API.
_SECOND_FACTOR_GUARDED = ("/office/", "/accounts/", "/api/")


class SecondFactorMiddleware:
    """After the password, a user with a confirmed TOTP device must give a code (or a recovery
    code) before anything else; a user whose role requires two factors but who has no device
    must enrol one first. Browser sessions and the API with session authentication alike; token
    authentication (department systems) is resolved later by DRF and is not concerned.

    Needs django-otp's OTPMiddleware before it, for ``request.user.is_verified()``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            path = request.path
            if self._exempt is None:
                self._exempt = tuple(reverse(name) for name in _SECOND_FACTOR_EXEMPT_NAMES)
            # The public portal (everything outside the back office, the account pages and the
            # non-public API) is open to anyone, half-signed-in staff included.
            guarded_path = path.startswith(_SECOND_FACTOR_GUARDED) and not path.startswith("/api/public/")
            if guarded_path and not (path.startswith(self._exempt) or path.startswith(settings.STATIC_URL)):
                step = self._step(request, user)
                if step is not None:
                    return self._refuse(request, step)
        return self.get_response(request)

    @staticmethod
    def _step(request, user) -> str | None:
        from .two_factor import has_second_factor, requires_two_factor

        if requires_two_factor(user):
            return "accounts:two_factor_verify" if has_second_factor(user) else "accounts:two_factor_enrol"
        if request.session.get(_NO_DEVICE_SESSION_KEY) == user.pk:
            return None
        if has_second_factor(user):
            return "accounts:two_factor_verify"
        request.session[_NO_DEVICE_SESSION_KEY] = user.pk
        return None

    @staticmethod
    def _refuse(request, step: str):
        if request.path.startswith("/api/"):
            from django.core.exceptions import PermissionDenied
            from django.http import JsonResponse

            from .permissions import refuse

            message = _("Two-factor sign-in is not complete: finish it in the web interface.")
            try:
                refuse(request.user, reason=message)  # on the audit trail, like every denial
            except PermissionDenied:
                return JsonResponse({"detail": message}, status=403)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{reverse(step)}?{query}" if query else reverse(step))


# -- The idle timeout ---------------------------------------------------------------------------

# When the session's expiry was last pushed forward (seconds since the epoch), kept in the session.
_REFRESHED_SESSION_KEY = "accounts_session_refreshed"


class IdleTimeoutSessionMiddleware(SessionMiddleware):
    """Django's session middleware, with the idle timeout (SESSION_SAVE_EVERY_REQUEST: the session
    lives SESSION_COOKIE_AGE from the last request) pushed forward at most once every
    SESSION_REFRESH_SECONDS. Saving on every request wrote the session row (an UPDATE and a
    commit) on every page; now a session expires between SESSION_COOKIE_AGE minus that interval
    and SESSION_COOKIE_AGE after the last request, never later. A session changed by the request
    is saved at once, as before."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or not settings.SESSION_SAVE_EVERY_REQUEST:
            return super().process_response(request, response)
        accessed, now = session.accessed, int(time.time())
        # Only a session the request has read already (a signed-in user's): looking into one it
        # never touched would load it for nothing.
        if accessed and not session.modified and not session.is_empty():
            refreshed = session.get(_REFRESHED_SESSION_KEY)
            if refreshed is not None and 0 <= now - refreshed < settings.SESSION_REFRESH_SECONDS:
                # What Django does for a session it does not save: vary on the cookie.
                patch_vary_headers(response, ("Cookie",))
                return response
        if not session.is_empty() and response.status_code < 500:
            session[_REFRESHED_SESSION_KEY] = now  # the save below writes it
        return super().process_response(request, response)
