"""Receivers of the chapters' signals: a publication or a certificate change asks, through the
outbox, for the open-data files of the government concerned to be rebuilt. The request is also
a row (``OpenDataRequest``), so that the jobs of many changes queued together make one build
(``tasks.build_open_data``)."""

import logging

from authority.models import Officer
from outbox.services import message_enqueue

from .models import OpenDataRequest

logger = logging.getLogger(__name__)

BUILD_TASK = "portal.tasks.build_open_data"


def _request_build(government_id) -> None:
    if government_id:
        OpenDataRequest.objects.create(government_id=government_id)
        message_enqueue(task=BUILD_TASK, args=[government_id], kwargs={"coalesce": True})


def on_version_published(sender, version, **kwargs) -> None:
    """workflow.review.version_published (sent after commit): a catalogue, breakdown or
    responsibility set of a department went public."""
    try:
        _request_build(version.department.jurisdiction_id)
    except Exception:
        # The publication has committed: a failure to queue must not turn it into an error page.
        # The daily rebuild (portal.tasks.rebuild_open_data) catches up.
        logger.exception("could not request the open data of %s", version.department.code)


def on_certificate_saved(sender, instance, **kwargs) -> None:
    """post_save of authority.Certificate: an issue, renewal, suspension, revocation or expiry
    changes the register of valid certificates. Enqueued in the same transaction."""
    government_id = (
        Officer.objects.filter(pk=instance.officer_id).values_list("department__jurisdiction_id", flat=True).first()
    )
    _request_build(government_id)
