"""Officers and their qualification: posts held, training, exams, and the enforcement
certificate with its transitions (issue, renew, suspend, revoke, expire). Each certificate
decision is a CertificateEvent row with its reason, a history row and one audit event."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from authority import permissions as authority_perms
from organisations.models import Organisation

from ..models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    ExamResult,
    Officer,
    OfficerPost,
    Post,
    PowerKind,
    TrainingKind,
    TrainingRecord,
)
from ._guard import AuthorityError

VALIDITY_YEARS = 5


def officer_holds_certificate(officer: Officer, today: datetime.date | None = None) -> bool:
    """An officer with a valid or suspended certificate that has not run out gets no new one
    (renew it instead): the issue form is offered only when this is false."""
    today = today or timezone.localdate()
    return officer.certificates.filter(
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], valid_until__gte=today
    ).exists()


def _officer_check(predicate):
    def check(actor, *, officer=None, department=None, certificate=None, placement=None, **_kwargs):
        if certificate is not None:
            officer = certificate.officer
        if placement is not None:
            officer = placement.officer
        department = department or officer.department
        return predicate(actor, department), officer or department

    return check


@guarded(_officer_check(authority_perms.can_manage_officers), who=Actor.DEPARTMENT_EDITOR)
def officer_create(*, actor, department: Organisation, name: str, gender: str = "", id_number: str = "") -> Officer:
    if not name.strip():
        raise AuthorityError(_("An officer needs a name."))
    officer = Officer.objects.create(department=department, name=name.strip(), gender=gender, id_number=id_number.strip())
    # The ID number stays out of the audit trail: it is not needed to tell what happened.
    event_record(action=AuditAction.CREATE, actor=actor, obj=officer)
    return officer


@guarded(_officer_check(authority_perms.can_manage_officers), who=Actor.DEPARTMENT_EDITOR)
def officer_link_account(*, actor, officer: Officer, account=None) -> Officer:
    """Link the officer to his own login (a department account of his department), or unlink."""
    from accounts.models import DEPARTMENT_ROLES

    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if account is not None:
        if not account.is_active or account.role not in DEPARTMENT_ROLES or account.organisation_id != officer.department_id:
            raise AuthorityError(_("Only an active account of the officer's own department can be linked."))
        if Officer.objects.filter(account=account).exclude(pk=officer.pk).exists():
            raise AuthorityError(_("This account is already linked to another officer."))
    officer.account = account
    officer.save(update_fields=["account"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=officer, detail={"account": account.pk if account else None})
    return officer


@guarded(_officer_check(authority_perms.can_manage_officers), who=Actor.DEPARTMENT_EDITOR)
def officer_place(*, actor, officer: Officer, post: Post, since: datetime.date) -> OfficerPost:
    if not post.agency.path.startswith(officer.department.path):
        raise AuthorityError(_("Post %(post)s does not belong to the officer's department.") % {"post": post})
    if officer.placements.filter(post=post, until__isnull=True).exists():
        raise AuthorityError(_("The officer already holds this post."))
    placement = OfficerPost.objects.create(officer=officer, post=post, since=since)
    event_record(action=AuditAction.CREATE, actor=actor, obj=placement, detail={"officer": officer.pk, "post": post.pk})
    return placement


@guarded(_officer_check(authority_perms.can_manage_officers), who=Actor.DEPARTMENT_EDITOR)
def officer_remove_from_post(*, actor, placement: OfficerPost, until: datetime.date | None = None) -> OfficerPost:
    placement = OfficerPost.objects.select_for_update().get(pk=placement.pk)
    if placement.until is not None:
        raise AuthorityError(_("This placement has already ended."))
    placement.until = until or timezone.localdate()
    placement.save(update_fields=["until"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=placement, detail={"until": placement.until.isoformat()})
    return placement


@guarded(_officer_check(authority_perms.can_manage_officers), who=Actor.DEPARTMENT_EDITOR)
def training_record(
    *,
    actor,
    officer: Officer,
    kind: str,
    hours: Decimal,
    completed_on: datetime.date,
    note: str = "",
    posts: list[Post] | tuple = (),
    kinds: list[PowerKind] | tuple = (),
) -> TrainingRecord:
    """Record a training with the posts and kinds of enforcement it covers (§3(三): 结合任职岗位
    和具体职权进行上岗培训). A post must be one of the officer's department's."""
    if kind not in TrainingKind.values:
        raise AuthorityError(_("Unknown kind of training."))
    if Decimal(hours) <= 0:
        raise AuthorityError(_("Training hours must be positive."))
    posts, kinds = list(posts), list(kinds)
    if not posts and not kinds:
        raise AuthorityError(_("Name the posts or the kinds of enforcement the training covers."))
    foreign = [str(post) for post in posts if not post.agency.path.startswith(officer.department.path)]
    if foreign:
        raise AuthorityError(
            _("These posts are not of %(department)s: %(posts)s.")
            % {"department": officer.department.name, "posts": "、".join(foreign)}
        )
    record = TrainingRecord.objects.create(officer=officer, kind=kind, hours=hours, completed_on=completed_on, note=note)
    record.posts.set(posts)
    record.kinds.set(kinds)
    event_record(
        action=AuditAction.CREATE, actor=actor, obj=record,
        detail={"officer": officer.pk, "kind": kind, "posts": [p.pk for p in posts], "kinds": [k.code for k in kinds]},
    )
    return record


def _require_trained_for(officer: Officer, kinds) -> None:
    """A certificate names only kinds the officer's training covers (§3(三))."""
    from ..selectors import trained_kinds

    covered = trained_kinds([officer.pk]).get(officer.pk, set())
    uncovered = sorted(kind.name for kind in kinds if kind.pk not in covered)
    if uncovered:
        raise AuthorityError(
            _("The training of %(name)s does not cover %(kinds)s: record training for these kinds of enforcement, "
              "or for a post that holds them, first.")
            % {"name": officer.name, "kinds": "、".join(uncovered)}
        )


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def exam_record(
    *, actor, officer: Officer, taken_on: datetime.date, score: Decimal, pass_mark: Decimal = Decimal(60)
) -> ExamResult:
    attempt = officer.exams.count() + 1
    result = ExamResult.objects.create(
        officer=officer, taken_on=taken_on, score=score, pass_mark=pass_mark, attempt=attempt,
        passed=Decimal(score) >= Decimal(pass_mark),
    )
    event_record(
        action=AuditAction.CREATE, actor=actor, obj=result,
        detail={"officer": officer.pk, "attempt": attempt, "passed": result.passed},
    )
    return result


# -- Certificates -----------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _certificate_event(actor, certificate: Certificate, action: str, source: str, reason: str = "") -> None:
    CertificateEvent.objects.create(
        certificate=certificate, actor=actor, action=action, from_status=source,
        to_status=certificate.status, reason=reason,
    )
    event_record(
        action=AuditAction.CREATE if action == "issue" else AuditAction.TRANSITION,
        actor=actor,
        obj=certificate,
        message=reason,
        detail={"action": action, "from": source, "to": certificate.status},
    )


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def certificate_issue(
    *,
    actor,
    officer: Officer,
    number: str,
    area: str,
    kinds: list[PowerKind],
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Certificate:
    """Issue a certificate, only after pre-post training and a passed exam (§3(三))."""
    officer = Officer.objects.select_for_update().select_related("department").get(pk=officer.pk)
    missing = []
    if not officer.trainings.filter(kind=TrainingKind.PRE_POST).exists():
        missing.append(_("no pre-post training is on record"))
    if not officer.exams.filter(passed=True).exists():
        missing.append(_("no passed exam is on record"))
    if missing:
        raise AuthorityError(
            _("A certificate cannot be issued to %(name)s: %(missing)s.")
            % {"name": officer.name, "missing": "；".join(missing)}
        )
    if officer_holds_certificate(officer):
        raise AuthorityError(_("%(name)s already holds a certificate; renew it instead.") % {"name": officer.name})
    number = number.strip()
    if not number:
        raise AuthorityError(_("A certificate needs a number."))
    if Certificate.objects.filter(number=number).exists():
        raise AuthorityError(_("Certificate number %(number)s is already taken.") % {"number": number})
    if not kinds:
        raise AuthorityError(_("Name at least one kind of enforcement."))
    _require_trained_for(officer, kinds)
    valid_from = valid_from or timezone.localdate()
    valid_until = valid_until or add_years(valid_from, VALIDITY_YEARS) - datetime.timedelta(days=1)
    if valid_until < valid_from:
        raise AuthorityError(_("The certificate would expire before it is valid."))
    certificate = Certificate.objects.create(
        number=number,
        officer=officer,
        issuing_government=officer.department.jurisdiction,
        area=area.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    certificate.kinds.set(kinds)
    _certificate_event(actor, certificate, "issue", "")
    return certificate


def _lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("officer").get(pk=certificate.pk)


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise AuthorityError(_("Give the reason for this decision."))
    return reason.strip()


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def certificate_renew(*, actor, certificate: Certificate, reason: str = "") -> Certificate:
    """Extend a valid or expired certificate by another five years after a new passed exam."""
    certificate = _lock(certificate)
    source = certificate.status
    if not certificate.can_renew():
        raise AuthorityError(
            _("A %(status)s certificate cannot be renewed.") % {"status": certificate.get_current_status_display()}
        )
    if not certificate.officer.exams.filter(passed=True, taken_on__gt=certificate.valid_from).exists():
        raise AuthorityError(_("Renewal needs an exam passed since the certificate was last issued or renewed."))
    _require_trained_for(certificate.officer, certificate.kinds.all())
    today = timezone.localdate()
    certificate.valid_from = max(today, certificate.valid_until + datetime.timedelta(days=1))
    if certificate.valid_until < today:
        certificate.valid_from = today
    certificate.valid_until = add_years(certificate.valid_from, VALIDITY_YEARS) - datetime.timedelta(days=1)
    certificate.status = CertificateStatus.VALID
    certificate.reason = reason.strip()
    certificate.save(update_fields=["valid_from", "valid_until", "status", "reason", "updated_at"])
    _certificate_event(actor, certificate, "renew", source, reason.strip())
    return certificate


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def certificate_suspend(*, actor, certificate: Certificate, reason: str) -> Certificate:
    reason = _require_reason(reason)
    certificate = _lock(certificate)
    if not certificate.can_suspend():
        raise AuthorityError(
            _("Only a valid certificate can be suspended; this one is %(status)s.")
            % {"status": certificate.get_current_status_display()}
        )
    return _set_status(actor, certificate, CertificateStatus.SUSPENDED, "suspend", reason)


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def certificate_reinstate(*, actor, certificate: Certificate, reason: str) -> Certificate:
    reason = _require_reason(reason)
    certificate = _lock(certificate)
    if not certificate.can_reinstate():
        raise AuthorityError(_("Only a suspended certificate can be reinstated."))
    return _set_status(actor, certificate, CertificateStatus.VALID, "reinstate", reason)


@guarded(_officer_check(authority_perms.can_manage_certificates), who=Actor.OFFICE)
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke the qualification (取消执法资格). Final: the certificate verifies as revoked, counts
    for no post and cannot be renewed or reinstated."""
    reason = _require_reason(reason)
    certificate = _lock(certificate)
    if not certificate.can_revoke():
        raise AuthorityError(_("This certificate is already revoked."))
    return _set_status(actor, certificate, CertificateStatus.REVOKED, "revoke", reason)


def _set_status(actor, certificate: Certificate, target: str, action: str, reason: str) -> Certificate:
    source = certificate.status
    certificate.status = target
    certificate.reason = reason
    certificate.save(update_fields=["status", "reason", "updated_at"])
    _certificate_event(actor, certificate, action, source, reason)
    return certificate


def certificates_mark_expired(*, today: datetime.date | None = None) -> int:
    """Mark valid certificates past their validity as expired (the daily job). Idempotent: a
    second run finds nothing left to mark."""
    today = today or timezone.localdate()
    marked = 0
    with transaction.atomic():
        due = Certificate.objects.select_for_update().filter(
            Q(status=CertificateStatus.VALID) & Q(valid_until__lt=today)
        )
        for certificate in due:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("Validity ended on %(date)s.") % {"date": certificate.valid_until.isoformat()}
            _set_status(None, certificate, CertificateStatus.EXPIRED, "expire", reason)
            marked += 1
    return marked
