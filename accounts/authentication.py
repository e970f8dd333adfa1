"""Token authentication for department systems: django-rest-knox's hashed, expiring tokens, and
the same account rules as the login form. A token is no way around a lockout, a disabled account,
an account without an approved role or an expired password: each is refused here, on record."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .middleware import password_expired
from .permissions import refuse
from .selectors import locked_usernames


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user = auth_token.user
        if not user.is_active:
            self._refuse(user, _("This account is disabled."), exceptions.AuthenticationFailed)
        if locked_usernames(user.get_username()):
            self._refuse(
                user,
                _("This account is locked after too many failed logins; ask the security administrator to unlock it."),
                exceptions.AuthenticationFailed,
            )
        if not user.role:
            self._refuse(user, _("This account has no approved role yet."), exceptions.PermissionDenied)
        if password_expired(user):
            self._refuse(
                user, _("Your password has expired: change it in the web interface."), exceptions.PermissionDenied
            )
        return user, auth_token

    @staticmethod
    def _refuse(user, reason, exception_class):
        # Through the one choke point, so the refusal is on the audit trail; raised again as
        # DRF's exception so that DRF answers 401/403 and treats the request as anonymous.
        try:
            refuse(user, reason=reason)
        except DjangoPermissionDenied:
            raise exception_class(reason) from None
