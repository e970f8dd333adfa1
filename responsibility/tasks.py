"""Background work of the responsibility app: rendering the disclosure documents."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .disclosure import render


@shared_task(
    acks_late=True,
    # Only a lost database is worth another try: any other failure is recorded on the row, with
    # its reason, by disclosure.render, and waits for the office's Retry.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def render_disclosure_document(document_id: int) -> str | None:
    """Render one disclosure document. A second delivery (acks_late, a retry) finds the row
    ready or being rendered and does nothing."""
    document = render(document_id)
    return document.status if document is not None else None
