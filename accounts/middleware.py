from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

# Paths a user with an expired password may still reach: the change form itself, logging out,
# the language switch and static assets.
_EXEMPT_NAMES = ("accounts:password_change", "accounts:logout", "set_language")


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
