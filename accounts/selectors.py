from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.utils import timezone


def locked_usernames() -> set[str]:
    """Accounts currently locked out by axes (failures at the limit within the cool-off)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def password_expired_q() -> Q:
    """Accounts whose holder must change the password at next login (see the middleware)."""
    cutoff = timezone.now() - settings.PASSWORD_MAX_AGE
    return Q(must_change_password=True) | Q(password_changed_at__isnull=True) | Q(password_changed_at__lt=cutoff)
