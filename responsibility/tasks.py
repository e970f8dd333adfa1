"""Background work of the responsibility app: rendering the disclosure documents."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .disclosure import render, seconds_until_stale


@shared_task(
    bind=True,
    acks_late=True,
    # A worker process killed mid-render (OOM, a deploy) puts the message back at once …
    reject_on_worker_lost=True,
    # Only a lost database is worth another try: any other failure is recorded on the row, with
    # its reason, by disclosure.render, and waits for the office's Retry.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def render_disclosure_document(self, document_id: int) -> str | None:
    """Render one disclosure document. A second delivery (acks_late, a retry, the outbox's
    relay) finds the row ready and does nothing; one that finds it being rendered comes back
    when that render would count as dead, so a render lost with its worker is not lost with the
    message too (… and the claim keeps a live one from being rendered twice)."""
    document = render(document_id)
    if document is not None:
        return document.status
    wait = seconds_until_stale(document_id)
    # In-process (eager) a retry would run again at once, and for ever.
    if wait is not None and not self.request.is_eager:
        raise self.retry(countdown=wait + 1, max_retries=None)
    return None
