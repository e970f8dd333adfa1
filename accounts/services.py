from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.services import event_record

from . import permissions as perms
from .models import User

EDITABLE_FIELDS = ("full_name", "email", "role", "organisation", "is_active")


def user_create(*, actor, username: str, password: str, role: str, organisation=None, **fields) -> User:
    """An account made by the system administrator; its holder must change the password at the
    first login. Checked before the transaction, so that a refusal stays on record."""
    perms.require(actor, role in perms.assignable_roles(actor), reason=_("may not give this role"))
    return _user_create(actor=actor, username=username, password=password, role=role, organisation=organisation, **fields)


@transaction.atomic
def _user_create(*, actor, username, password, role, organisation, **fields) -> User:
    user = User(username=username, role=role, organisation=organisation, **fields)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.full_clean()
    user.save()
    event_record(action=AuditAction.CREATE, actor=actor, obj=user)
    return user


def user_update(*, actor, user: User, **changes) -> User:
    perms.require(actor, perms.can_change_user(actor, user), obj=user, reason=_("may not change this account"))
    if "role" in changes:
        perms.require(actor, changes["role"] in perms.assignable_roles(actor), obj=user, reason=_("may not give this role"))
    return _user_update(actor=actor, user=user, **changes)


@transaction.atomic
def _user_update(*, actor, user: User, **changes) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.full_clean()
        user.save(update_fields=changed)
        event_record(action=AuditAction.UPDATE, actor=actor, obj=user, detail={"fields": sorted(changed)})
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
