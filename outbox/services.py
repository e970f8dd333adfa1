"""Writing and relaying outbox messages.

``message_enqueue`` is called inside the transaction of the change that needs the job; after
commit the message is sent at once. If the broker is down then, the row stays unsent (with the
error) and ``messages_relay`` — the beat job ``outbox.tasks.relay``, or ``manage.py relay_outbox``
from cron — sends it later. A row is locked with ``SKIP LOCKED`` while it is sent, so two relays
never send the same row at once; a message may still arrive twice (sent, then the commit that
marks it sent is lost), so every task sent this way must be idempotent.

Without a broker (eager Celery, the embedded default) the task runs in-process after the row is
marked sent, outside the relay's transaction, as ``transaction.on_commit(task.delay)`` did.
"""

import functools
import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 100


def relay_after() -> timedelta:
    """How old an unsent message must be before the relay takes it: younger ones are still
    being sent by the request that wrote them."""
    return timedelta(seconds=getattr(settings, "OUTBOX_RELAY_AFTER_SECONDS", 10))


def message_enqueue(*, task: str, args=(), kwargs=None) -> OutboxMessage:
    """Record the job in the current transaction and send it once that commits."""
    message = OutboxMessage.objects.create(task=task, args=list(args), kwargs=dict(kwargs or {}))
    transaction.on_commit(functools.partial(message_send, message_id=message.pk))
    return message


def _send(message: OutboxMessage) -> None:
    if message.task not in current_app.tasks:
        # Outside a worker the apps' tasks modules are imported only when something imports
        # them; this imports them all (autodiscovery), as a worker does at start.
        current_app.loader.import_default_modules()
    current_app.tasks[message.task].apply_async(args=message.args, kwargs=message.kwargs)


def _deliver(queryset) -> tuple[int, int]:
    """Send the unsent messages of ``queryset`` that no other relay holds; (sent, failed). Stops
    at the first broker failure: the broker is down for the rest too."""
    eager = current_app.conf.task_always_eager
    sent, failed, run_here = 0, 0, []
    with transaction.atomic():
        for message in queryset.filter(sent_at__isnull=True).select_for_update(skip_locked=True)[:BATCH]:
            message.attempts += 1
            if eager:
                run_here.append(message)
            else:
                try:
                    _send(message)
                except Exception as error:  # noqa: BLE001 - recorded on the row, sent again later
                    logger.warning("outbox %s (%s) not sent: %s", message.pk, message.task, error)
                    message.last_error = f"{type(error).__name__}: {error}"[:2000]
                    message.save(update_fields=["attempts", "last_error"])
                    failed += 1
                    if isinstance(error, (BrokerError, OSError)):
                        break  # the broker is down for the rest too
                    continue  # this row alone is wrong (an unknown task): it must not block the others
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
    for message in run_here:
        _send(message)
    return sent, failed


def message_send(*, message_id: int) -> bool:
    """Send one message now (after the commit that wrote it); False if the broker refused it,
    in which case it waits for the relay. Never raises for a broker failure: the change that
    asked for the job has committed and its user must not see an error."""
    sent, _failed = _deliver(OutboxMessage.objects.filter(pk=message_id))
    return bool(sent)


def messages_relay() -> tuple[int, int]:
    """Send what is still unsent and older than ``relay_after()``; (sent, failed)."""
    cutoff = timezone.now() - relay_after()
    return _deliver(OutboxMessage.objects.filter(created_at__lte=cutoff).order_by("pk"))


def messages_purge_sent(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete sent messages past ``older_than``: they are kept a while to answer questions."""
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
