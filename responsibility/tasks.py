"""Background work of the responsibility app: rendering the disclosure documents, and asking for
them when a department publishes."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


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
    from .disclosure import render

    document = render(document_id)
    return document.status if document is not None else None


def on_version_published(sender, version, **kwargs) -> None:
    """Receiver of basis.workflow.version_published (sent after commit): a department's newly
    published catalogue, breakdown or responsibility set asks for its booklet and bulletin sheet.
    An unchanged content finds its ready document and renders nothing."""
    from organisations.models import OrganisationKind

    from .disclosure import DEPARTMENT_KINDS, DisclosureError, request_render

    department = version.department
    if department.kind != OrganisationKind.DEPARTMENT:
        return
    for kind in DEPARTMENT_KINDS:
        try:
            request_render(department, kind)
        except DisclosureError as error:
            logger.info("no %s for %s: %s", kind, department.code, error)
        except Exception:
            # The publication has committed; a failure to queue its document must not turn the
            # reviewer's answer into an error page. The office can render it from the list.
            logger.exception("could not request the %s of %s", kind, department.code)
