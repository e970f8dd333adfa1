from celery import shared_task

from .services import events_purge_expired


@shared_task
def purge_expired_events() -> int:
    return events_purge_expired()
