from celery import shared_task

from .services import certificates_mark_expired


@shared_task
def mark_expired_certificates() -> int:
    """Daily: mark certificates past their validity as expired. Safe to run twice."""
    return certificates_mark_expired()
