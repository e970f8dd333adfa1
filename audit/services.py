from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation

from . import context
from .models import AuditAction, AuditEvent, AuditOutcome

MINIMUM_RETENTION_DAYS = 180


def event_record(
    *,
    action: str,
    actor=None,
    outcome: str = AuditOutcome.SUCCESS,
    obj: models.Model | None = None,
    username: str = "",
    message: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. ``username`` names the account when there is no authenticated actor
    (a failed login, a lockout)."""
    ctx = context.current()
    # Lazy messages are stored in the official language, whoever triggered the event.
    with translation.override(settings.LANGUAGE_CODE):
        message = str(message)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=(actor.get_username() if actor else username)[:150],
        action=action,
        outcome=outcome,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        message=message,
        detail=detail or {},
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        path=ctx.path,
    )


def denial_record(*, actor, obj: models.Model | None = None, reason: str) -> AuditEvent:
    return event_record(
        action=AuditAction.PERMISSION_DENIED,
        actor=actor,
        outcome=AuditOutcome.DENIED,
        obj=obj,
        message=reason,
    )


def retention_cutoff(now=None):
    days = max(MINIMUM_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def events_purge_expired(*, now=None) -> int:
    """Delete events older than the retention period (never younger than 180 days)."""
    deleted, _ = AuditEvent.objects.filter(occurred_at__lt=retention_cutoff(now))._purge()
    return deleted
