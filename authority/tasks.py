from celery import shared_task

from .services import certificates_end_suspensions, certificates_mark_expired


@shared_task
def mark_expired_certificates() -> int:
    """Daily: mark certificates past their validity as expired. Safe to run twice."""
    return certificates_mark_expired()


@shared_task
def end_certificate_suspensions() -> int:
    """Daily: reinstate certificates whose suspension period has run out. Safe to run twice."""
    return certificates_end_suspensions()
