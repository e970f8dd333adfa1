"""Receivers of other layers' signals: a department's publication asks for its disclosure
documents."""

import logging

from organisations.models import OrganisationKind

from .disclosure import DEPARTMENT_KINDS, DisclosureError
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


def on_compilation_links(sender, user, governments, **kwargs) -> list[tuple[str, str]]:
    """Receiver of basis.signals.compilation_links: the newest ready compilation PDF of each
    government the page shows, among the documents the user may see."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from . import permissions as responsibility_perms
    from .models import DocumentKind, DocumentStatus

    if not responsibility_perms.can_view_responsibilities(user):
        return []
    documents = responsibility_perms.disclosure_documents_visible_to(user).filter(
        kind=DocumentKind.COMPILATION, status=DocumentStatus.READY, organisation__in=governments
    ).select_related("organisation").order_by("organisation__path", "-version")
    links, seen = [], set()
    for document in documents:
        if document.organisation_id in seen or not document.file:
            continue
        seen.add(document.organisation_id)
        label = _("Compilation PDF of %(government)s (v%(version)s)") % {
            "government": document.organisation.name, "version": document.version,
        }
        links.append((label, reverse("disclosure:download", args=[document.pk])))
    return links
