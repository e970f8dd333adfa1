import functools

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts import permissions as perms
from basis.workflow import WorkflowError


class AuthorityError(WorkflowError):
    """A write refused for a reason the user can act on (shown as is)."""


def guarded(check):
    """Check the actor before the service's transaction opens, then run the service atomically,
    as basis.services.guarded does: a denial recorded inside the transaction would be rolled
    back with it. ``check(actor, **kwargs)`` returns (allowed, the object of the attempt)."""

    def decorate(service):
        atomic_service = transaction.atomic(service)

        @functools.wraps(service)
        def run(*, actor, **kwargs):
            allowed, obj = check(actor, **kwargs)
            perms.require(actor, allowed, obj=obj, reason=gettext_lazy("not permitted for this record"))
            return atomic_service(actor=actor, **kwargs)

        return run

    return decorate
