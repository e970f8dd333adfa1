from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone


def locked_usernames() -> set[str]:
    """Accounts currently locked out by axes. Axes keeps one row per user name, address and
    browser and locks on their sum within the cool-off, so this sums the same way."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .order_by()
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def password_expired_q() -> Q:
    """Accounts whose holder must change the password at next login (see the middleware)."""
    cutoff = timezone.now() - settings.PASSWORD_MAX_AGE
    return Q(must_change_password=True) | Q(password_changed_at__isnull=True) | Q(password_changed_at__lt=cutoff)
