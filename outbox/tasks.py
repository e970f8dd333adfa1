from celery import shared_task

from .services import messages_purge_sent, messages_relay


@shared_task(ignore_result=True)
def relay() -> tuple[int, int]:
    """The beat job: send the messages the broker refused when they were written."""
    return messages_relay()


@shared_task(ignore_result=True)
def purge_sent() -> int:
    return messages_purge_sent()
