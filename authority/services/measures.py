"""The effects of an accountability decision on authority's records, and their undoing when an
appeal succeeds. The accountability chapter acts on certificates and placements only through
these services, inside its own decision's transaction: a refusal here (the certificate changed
since the case saw it) rolls the whole decision back.

``expected_updated_at`` is the version check: the certificate's ``updated_at`` as the case saw
it when the measure was proposed. The row is locked (select_for_update) and compared; any
decision taken on it meanwhile refuses the effect."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from authority import permissions as authority_perms

from ..models import Certificate, CertificateStatus, OfficerPost
from ._guard import AuthorityError
from .officers import _certificate_event, _officer_check, _require_reason

_office = _officer_check(authority_perms.can_manage_certificates)


def _lock_unchanged(certificate: Certificate, expected_updated_at: datetime.datetime | None) -> Certificate:
    locked = Certificate.objects.select_for_update().select_related("officer").get(pk=certificate.pk)
    if expected_updated_at is not None and locked.updated_at != expected_updated_at:
        raise AuthorityError(
            _("Certificate %(number)s has changed since the case was prepared (it is now %(status)s); review the measure again.")
            % {"number": locked.number, "status": locked.get_current_status_display()}
        )
    return locked


def _save_status(actor, certificate: Certificate, target: str, action: str, reason: str, until=None) -> Certificate:
    source = certificate.status
    certificate.status = target
    certificate.reason = reason
    certificate.suspended_until = until
    certificate.save(update_fields=["status", "reason", "suspended_until", "updated_at"])
    _certificate_event(actor, certificate, action, source, reason)
    return certificate


@guarded(_office, who=Actor.OFFICE)
def certificate_suspend_for_period(
    *, actor, certificate: Certificate, reason: str, until: datetime.date | None,
    expected_updated_at: datetime.datetime | None = None,
) -> Certificate:
    """Suspend a valid certificate until ``until`` (暂扣执法证件), or with no end day (离岗培训:
    reinstated once the training is on record)."""
    reason = _require_reason(reason)
    certificate = _lock_unchanged(certificate, expected_updated_at)
    if not certificate.can_suspend():
        raise AuthorityError(
            _("Only a valid certificate can be suspended; %(number)s is %(status)s.")
            % {"number": certificate.number, "status": certificate.get_current_status_display()}
        )
    if until is not None and until <= timezone.localdate():
        raise AuthorityError(_("A suspension must end after today."))
    return _save_status(actor, certificate, CertificateStatus.SUSPENDED, "suspend", reason, until)


@guarded(_office, who=Actor.OFFICE)
def certificate_revoke_checked(
    *, actor, certificate: Certificate, reason: str, expected_updated_at: datetime.datetime | None = None
) -> Certificate:
    """Revoke (取消执法资格) a certificate that has not changed since the case saw it."""
    reason = _require_reason(reason)
    certificate = _lock_unchanged(certificate, expected_updated_at)
    if not certificate.can_revoke():
        raise AuthorityError(_("Certificate %(number)s is already revoked.") % {"number": certificate.number})
    return _save_status(actor, certificate, CertificateStatus.REVOKED, "revoke", reason)


@guarded(_office, who=Actor.OFFICE)
def certificate_reinstate_after_suspension(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """End a suspension (the period is over, or the training is done)."""
    reason = _require_reason(reason)
    certificate = _lock_unchanged(certificate, None)
    if not certificate.can_reinstate():
        raise AuthorityError(_("Only a suspended certificate can be reinstated."))
    return _save_status(actor, certificate, CertificateStatus.VALID, "reinstate", reason)


@guarded(_office, who=Actor.OFFICE)
def certificate_decision_undo(
    *, actor, certificate: Certificate, decided_status: str, restore_status: str, reason: str
) -> Certificate:
    """Undo a suspension or revocation that an appeal has set aside: the certificate goes back
    to the status it had before, provided it still has the status the decision gave it."""
    reason = _require_reason(reason)
    certificate = _lock_unchanged(certificate, None)
    if certificate.status != decided_status:
        raise AuthorityError(
            _("Certificate %(number)s is no longer %(status)s; its status cannot be restored automatically.")
            % {"number": certificate.number, "status": CertificateStatus(decided_status).label}
        )
    return _save_status(actor, certificate, restore_status, "reinstate", reason)


@guarded(_office, who=Actor.OFFICE)
def placement_end(*, actor, placement: OfficerPost, reason: str, until: datetime.date | None = None) -> OfficerPost:
    """End a post placement by decision (调离执法岗位)."""
    reason = _require_reason(reason)
    placement = OfficerPost.objects.select_for_update().get(pk=placement.pk)
    if placement.until is not None:
        raise AuthorityError(_("This placement has already ended."))
    placement.until = until or timezone.localdate()
    placement.save(update_fields=["until"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=placement, message=reason,
                 detail={"until": placement.until.isoformat(), "by": "decision"})
    return placement


@guarded(_office, who=Actor.OFFICE)
def placement_restore(*, actor, placement: OfficerPost, ended_on: datetime.date, reason: str) -> OfficerPost:
    """Reopen a placement a decision ended, when an appeal sets the decision aside."""
    reason = _require_reason(reason)
    placement = OfficerPost.objects.select_for_update().get(pk=placement.pk)
    if placement.until != ended_on:
        raise AuthorityError(_("This placement has changed since the decision; restore it by hand."))
    placement.until = None
    placement.save(update_fields=["until"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=placement, message=reason, detail={"until": None, "by": "appeal"})
    return placement


def certificates_end_suspensions(*, today: datetime.date | None = None) -> int:
    """Reinstate certificates whose suspension period has run out (the daily job). Suspensions
    without an end day wait for their decision's condition and are left alone."""
    today = today or timezone.localdate()
    ended = 0
    with transaction.atomic():
        due = Certificate.objects.select_for_update().filter(
            status=CertificateStatus.SUSPENDED, suspended_until__isnull=False, suspended_until__lte=today
        )
        for certificate in due:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("The suspension ended on %(date)s.") % {"date": certificate.suspended_until.isoformat()}
            _save_status(None, certificate, CertificateStatus.VALID, "reinstate", reason)
            ended += 1
    return ended
