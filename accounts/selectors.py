from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone


def locked_usernames(username: str | None = None) -> set[str]:
    """Accounts currently locked out by axes (or just ``username``, if it is). Axes keeps one row
    per user name, address and browser and locks on their sum within the cool-off, so this sums
    the same way."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since)
    if username is not None:
        attempts = attempts.filter(username=username)
    return set(
        attempts.order_by()
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def password_expired_q() -> Q:
    """Accounts whose holder must change the password at next login (see the middleware)."""
    cutoff = timezone.now() - settings.PASSWORD_MAX_AGE
    return Q(must_change_password=True) | Q(password_changed_at__isnull=True) | Q(password_changed_at__lt=cutoff)


def role_requests_pending():
    from .models import RoleRequest, RoleRequestStatus

    return RoleRequest.objects.filter(status=RoleRequestStatus.PENDING).select_related(
        "user", "organisation", "requested_by"
    )
