"""A notification is its recipient's alone: nobody else, whatever his role, sees or marks it."""

from django.db.models import QuerySet

from .models import Notification


def notifications_visible_to(user) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    """One query, on the partial index of unread rows."""
    return notifications_visible_to(user).filter(read_at__isnull=True).count()
