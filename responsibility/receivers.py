"""Receivers of other layers' signals: a department's publication asks for its disclosure
documents; an amended instrument or a reform that moves functions flags the responsibility sets
resting on them for re-review."""

import logging
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q

from authority.receivers import breakdowns_citing
from organisations.models import OrganisationKind
from workflow.revision import CURRENT_STATUSES, versions_flag_for_revision

from .disclosure import (
    DEPARTMENT_KINDS,
    DisclosureError,
    harfbuzz_subsetter_available,
    site_url_is_local,
    subsetter_warning,
)
from .disclosure_services import request_render
from .models import ResponsibilitySet

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


def on_instrument_amended(sender, instrument_id, reason, provision_ids=None, actor=None, **kwargs) -> None:
    """Receiver of basis.signals.instrument_amended (sent after commit): the sets with a
    responsibility tied (by power code) to a power of the same department that rests on the
    instrument, in a current breakdown."""
    from authority.models import PowerItem

    powers = (
        PowerItem.objects.filter(
            breakdown__in=breakdowns_citing(instrument_id, provision_ids).filter(status__in=CURRENT_STATUSES)
        )
        .filter(**({"provisions__in": provision_ids} if provision_ids else {"provisions__instrument_id": instrument_id}))
        .values_list("breakdown__department_id", "code")
        .distinct()
    )
    by_department: dict[int, set[str]] = {}
    for department_id, code in powers:
        by_department.setdefault(department_id, set()).add(code)
    if not by_department:
        return
    tied = reduce(
        or_,
        (
            Q(department_id=department_id, responsibilities__power_code__in=codes)
            for department_id, codes in by_department.items()
        ),
    )
    versions_flag_for_revision(
        queryset=ResponsibilitySet.objects.filter(tied), reason=reason, actor=actor, detail={"instrument": instrument_id}
    )


def on_organisation_reformed(sender, organisation_ids, reason, actor=None, **kwargs) -> None:
    """Receiver of organisations.signals.organisation_reformed (sent after commit): the sets of
    the departments concerned, and those with a responsibility held by one of their agencies."""
    concerned = ResponsibilitySet.objects.filter(
        Q(department_id__in=organisation_ids) | Q(responsibilities__agency_id__in=organisation_ids)
    )
    versions_flag_for_revision(
        queryset=concerned, reason=reason, actor=actor, detail={"reform_of": organisation_ids}
    )


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
