"""Receivers of other layers' signals: a department's publication asks for its disclosure
documents."""

import logging

from django.conf import settings

from organisations.models import OrganisationKind

from .disclosure import (
    DEPARTMENT_KINDS,
    DisclosureError,
    harfbuzz_subsetter_available,
    site_url_is_local,
    subsetter_warning,
)
from .disclosure_services import request_render

logger = logging.getLogger(__name__)


def on_version_published(sender, version, **kwargs) -> None:
    """Receiver of workflow.review.version_published (sent after commit): a department's newly
    published catalogue, breakdown or responsibility set asks for its booklet and bulletin sheet.
    An unchanged content finds its ready document and renders nothing."""
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


def on_worker_ready(sender=None, **kwargs) -> None:
    """Receiver of Celery's worker_ready: the worker renders the PDFs, so its start-up log says
    loudly what makes them slow or wrong (the subsetter missing, SITE_URL left local)."""
    if harfbuzz_subsetter_available():
        logger.info("disclosure PDFs: fonts are subset with HarfBuzz")
    else:
        banner = "!" * 78
        logger.error("%s\n%s\n%s", banner, subsetter_warning(), banner)
    if site_url_is_local():
        logger.warning("SITE_URL is %s: the bulletin sheets' QR codes point at this machine", settings.SITE_URL)
