"""Authentication outcomes into the audit trail: one event per login, logout, failed attempt
and lockout.

Each failed attempt gives exactly one event: a plain failure, the lockout it tripped, or a
denied attempt on an account that was already locked. Axes announces both of the latter with
``user_locked_out``, so that receiver tells them apart and marks the request; the
``user_login_failed`` receiver then stays silent. It relies on axes' own ``user_login_failed``
receiver running first, which holds because axes precedes audit in INSTALLED_APPS.
"""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditOutcome
from .services import event_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    event_record(action=AuditAction.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        event_record(action=AuditAction.LOGOUT, actor=user)


def _was_locked_before(request) -> bool:
    """Whether axes refused this attempt because the account was locked already, rather than
    locking it because of this attempt. Axes counts the attempt before it signals; the count is
    not set at all when it refuses without counting."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return True
    return failures > get_failure_limit(request, getattr(request, "axes_credentials", None))


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    if request is not None and _was_locked_before(request):
        event_record(
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.DENIED,
            username=username or "",
            message=_("attempt while locked out"),
        )
    else:
        event_record(
            action=AuditAction.LOCKOUT,
            outcome=AuditOutcome.DENIED,
            username=username or "",
            message=_("account locked after repeated failed logins"),
        )
    if request is not None:
        request._audit_failure_recorded = True


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "_audit_failure_recorded", False):
        return
    event_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILURE,
        username=str(credentials.get("username", ""))[:150],
        message=_("wrong user name or password"),
    )
