"""Authentication outcomes into the audit trail: one event per login, logout, failed attempt
and lockout."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction, AuditOutcome
from .services import event_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    event_record(action=AuditAction.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        event_record(action=AuditAction.LOGOUT, actor=user)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    event_record(
        action=AuditAction.LOCKOUT,
        outcome=AuditOutcome.DENIED,
        username=username or "",
        message="account locked after repeated failed logins",
    )
    if request is not None:
        request._audit_lockout_recorded = True


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "_audit_lockout_recorded", False):
        return  # the attempt that tripped the lockout is already on record as the lockout
    locked = request is not None and getattr(request, "axes_locked_out", False)
    event_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED if locked else AuditOutcome.FAILURE,
        username=str(credentials.get("username", ""))[:150],
        message="attempt while locked out" if locked else "wrong user name or password",
    )
