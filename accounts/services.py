import functools

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.services import event_record

from toolkit.errors import DomainError

from . import permissions as perms
from .models import RoleRequest, RoleRequestStatus, User
from .tokens import initial_password_path

EDITABLE_FIELDS = ("full_name", "email", "role", "organisation", "is_active")


def user_create(*, actor, username: str, email: str, role: str, organisation=None, **fields) -> User:
    """An account made by the system administrator, without a password and without a role: its
    holder chooses the password through a one-time link mailed to ``email`` (the administrator
    never sees it), and the role waits for the security administrator's approval (三员分立).
    Checked before the transaction, so that a refusal stays on record."""
    perms.require(actor, role in perms.assignable_roles(actor), reason=_("may not give this role"))
    return _user_create(actor=actor, username=username, email=email, role=role, organisation=organisation, **fields)


@transaction.atomic
def _user_create(*, actor, username, email, role, organisation, **fields) -> User:
    if not email:
        raise ValidationError({"email": _("The set-password link goes to this address; it is required.")})
    user = User(username=username, email=email, **fields)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _role_request_create(actor=actor, user=user, role=role, organisation=organisation)
    event_record(
        action=AuditAction.CREATE, actor=actor, obj=user,
        detail={"requested_role": role, "organisation": getattr(organisation, "pk", None)},
    )
    transaction.on_commit(functools.partial(_initial_password_mail_send, user_id=user.pk))
    return user


def _initial_password_mail_send(*, user_id: int) -> None:
    """Mail the holder the one-time link. Made after the commit, from the stored account, so the
    token matches the password hash it will be checked against."""
    user = User.objects.get(pk=user_id)
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/initial_password.txt",
            {"user": user, "link": settings.SITE_URL + initial_password_path(user), "site_name": settings.SITE_NAME},
        )
        subject = str(_("Choose the password of your account"))
    send_mail(subject, body, None, [user.email])


def _role_request_create(*, actor, user: User, role: str, organisation) -> RoleRequest:
    """A role (with its organisation) for the security administrator to approve; it replaces a
    request still waiting for the same account. The caller puts it on record."""
    probe = User(username=user.username, role=role, organisation=organisation)
    probe.clean()  # the role must fit the organisation, as on the account itself
    pending = RoleRequest.objects.filter(user=user, status=RoleRequestStatus.PENDING).first()
    if pending is not None and (pending.role, pending.organisation) == (role, organisation):
        return pending
    RoleRequest.objects.filter(user=user, status=RoleRequestStatus.PENDING).update(status=RoleRequestStatus.SUPERSEDED)
    return RoleRequest.objects.create(user=user, role=role, organisation=organisation, requested_by=actor)


def user_update(*, actor, user: User, **changes) -> User:
    perms.require(actor, perms.can_change_user(actor, user), obj=user, reason=_("may not change this account"), who=perms.Actor.SYSTEM_ADMIN)
    if "role" in changes:
        perms.require(actor, changes["role"] in perms.assignable_roles(actor), obj=user, reason=_("may not give this role"))
    return _user_update(actor=actor, user=user, **changes)


@transaction.atomic
def _user_update(*, actor, user: User, **changes) -> User:
    """Name, address and the active flag change at once; a new role or organisation becomes a
    request for the security administrator, and the account keeps its present ones until then."""
    user = User.objects.select_for_update().get(pk=user.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    role = changes.pop("role", user.role)
    organisation = changes.pop("organisation", user.organisation)
    if role != user.role or organisation != user.organisation:
        role_request = _role_request_create(actor=actor, user=user, role=role, organisation=organisation)
        event_record(
            action=AuditAction.CREATE, actor=actor, obj=role_request,
            detail={"user": user.pk, "role": role, "organisation": getattr(organisation, "pk", None)},
        )
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.full_clean()
        user.save(update_fields=changed)
        event_record(action=AuditAction.UPDATE, actor=actor, obj=user, detail={"fields": sorted(changed)})
    return user


def _check_role_decision(actor, *, role_request: RoleRequest, **_kwargs):
    allowed = perms.can_decide_role_requests(actor) and role_request.requested_by_id != actor.pk
    return allowed, role_request


@perms.guarded(_check_role_decision, reason=_("may not decide role requests"))
def role_request_approve(*, actor, role_request: RoleRequest) -> RoleRequest:
    """The security administrator's approval: the account gets the role and organisation."""
    role_request = _role_request_lock_pending(role_request)
    user = User.objects.select_for_update().get(pk=role_request.user_id)
    user.role, user.organisation = role_request.role, role_request.organisation
    user.full_clean()
    user.save(update_fields=["role", "organisation"])
    return _role_request_decide(actor=actor, role_request=role_request, status=RoleRequestStatus.APPROVED)


@perms.guarded(_check_role_decision, reason=_("may not decide role requests"))
def role_request_refuse(*, actor, role_request: RoleRequest) -> RoleRequest:
    role_request = _role_request_lock_pending(role_request)
    return _role_request_decide(actor=actor, role_request=role_request, status=RoleRequestStatus.REFUSED)


def _role_request_lock_pending(role_request: RoleRequest) -> RoleRequest:
    role_request = RoleRequest.objects.select_for_update().get(pk=role_request.pk)
    if role_request.status != RoleRequestStatus.PENDING:
        raise DomainError(_("This role request has been decided already."))
    return role_request


def _role_request_decide(*, actor, role_request: RoleRequest, status: str) -> RoleRequest:
    role_request.status, role_request.decided_by, role_request.decided_at = status, actor, timezone.now()
    role_request.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(
        action=AuditAction.TRANSITION, actor=actor, obj=role_request,
        detail={"from": RoleRequestStatus.PENDING, "to": status, "user": role_request.user_id, "role": role_request.role},
    )
    return role_request


@transaction.atomic
def user_set_initial_password(*, user: User, new_password: str) -> User:
    """The holder chooses the first password through the one-time link (the form has checked the
    link and the password policy); using it changes the password hash, which ends the link."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    event_record(action=AuditAction.PASSWORD_CHANGE, actor=user, obj=user, message="initial password")
    return user


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> User:
    """The holder changes their own password (validated by the form before this)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    event_record(action=AuditAction.PASSWORD_CHANGE, actor=user, obj=user)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> int:
    """Lift a lockout before its 30 minutes are up (the security administrator's task)."""
    cleared = axes_reset(username=user.get_username())
    event_record(action=AuditAction.UNLOCK, actor=actor, obj=user, detail={"attempts_cleared": cleared})
    return cleared


@transaction.atomic
def user_require_password_change(*, actor, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    event_record(
        action=AuditAction.UPDATE, actor=actor, obj=user, detail={"fields": ["must_change_password"]}
    )
    return user
