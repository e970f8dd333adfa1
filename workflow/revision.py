"""Flagging reviewed versions for revision: a change outside the version (an instrument amended,
a department reformed) that its department must answer with a new version. The flag is cleared
by publishing the next version (each chapter's ``*_publish`` service)."""

from django.db import models, transaction

from .review import OPEN_STATUSES, ReviewStatus

# The versions a change can still affect: those in the works and the one in force, never the
# superseded ones (history stays as it was).
CURRENT_STATUSES = (*(status.value for status in OPEN_STATUSES), ReviewStatus.PUBLISHED.value)


def versions_flag_for_revision(*, queryset: models.QuerySet, reason: str, actor=None, detail=None) -> list[int]:
    """Mark the current versions among ``queryset`` (a ReviewedVersion model with
    ``needs_revision`` and ``revision_reason``) as needing revision, appending ``reason`` (in
    the official language) once, with an audit event for each. Returns the ids flagged."""
    from audit.models import AuditAction
    from audit.services import event_record

    model = queryset.model
    with transaction.atomic():
        ids = sorted(set(queryset.filter(status__in=CURRENT_STATUSES).values_list("pk", flat=True)))
        for version in model.objects.select_for_update().filter(pk__in=ids).select_related("department"):
            reasons = [line for line in version.revision_reason.splitlines() if line]
            if reason not in reasons:
                reasons.append(reason)
            version.needs_revision = True
            version.revision_reason = "\n".join(reasons)
            version.save(update_fields=["needs_revision", "revision_reason", "updated_at"])
            event_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=version,
                message=reason,
                detail={"needs_revision": True, **(detail or {})},
            )
    return ids
