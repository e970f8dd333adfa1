from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role, User
from organisations.models import OfficeFunction

from .models import BasisCatalogue, InstrumentProposal, ProposalStatus


@shared_task
def notify_catalogue_change(catalogue_id: int, audience: str, reason: str = "") -> int:
    """Mail the department's editors (or the competent office's reviewers) about a catalogue's
    new state. Re-reads the state, so a repeated delivery says what is true now."""
    catalogue = BasisCatalogue.objects.select_related("department", "department__jurisdiction").filter(pk=catalogue_id).first()
    if catalogue is None:
        return 0
    if audience == "department":
        recipients = User.objects.filter(
            organisation=catalogue.department, role__in=[Role.DEPARTMENT_EDITOR, Role.DEPARTMENT_HEAD], is_active=True
        )
    elif audience == "establishment":
        recipients = User.objects.filter(
            organisation__jurisdiction=catalogue.department.jurisdiction,
            organisation__office_function=OfficeFunction.ESTABLISHMENT,
            role=Role.ESTABLISHMENT_REVIEWER,
            is_active=True,
        )
    else:
        recipients = User.objects.filter(
            organisation__jurisdiction=catalogue.department.jurisdiction,
            organisation__office_function=OfficeFunction.LEGAL_AFFAIRS,
            role=Role.OFFICE_REVIEWER,
            is_active=True,
        )
    addresses = [u.email for u in recipients if u.email]
    if not addresses:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Basis catalogue of %(department)s, version %(version)d: %(status)s") % {
            "department": catalogue.department.name,
            "version": catalogue.version,
            "status": catalogue.get_status_display(),
        }
        if audience == "establishment":
            reason = reason or _("The legal-affairs office reviews this catalogue together with your office: please give your opinion on it.")
        body = "\n\n".join(filter(None, [subject, reason, catalogue.comment]))
    return send_mail(subject, body, None, addresses)


@shared_task
def notify_proposal(proposal_id: int, audience: str) -> int:
    """Mail the legal-affairs office of a new instrument proposal ("office"), or the proposer of
    the decision on theirs ("proposer"). Re-reads the proposal, so a late delivery says what is
    true now."""
    proposal = InstrumentProposal.objects.select_related("department", "proposed_by", "instrument").filter(
        pk=proposal_id
    ).first()
    if proposal is None:
        return 0
    if audience == "office":
        if proposal.status != ProposalStatus.PENDING:
            return 0
        recipients = User.objects.filter(
            organisation__jurisdiction=proposal.department.jurisdiction,
            organisation__office_function="legal_affairs",
            role=Role.OFFICE_REVIEWER,
            is_active=True,
        )
    else:
        recipients = [proposal.proposed_by] if proposal.proposed_by.is_active else []
    addresses = [u.email for u in recipients if u.email]
    if not addresses:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Instrument proposal “%(name)s” from %(department)s: %(status)s") % {
            "name": proposal.name,
            "department": proposal.department.name,
            "status": proposal.get_status_display(),
        }
        lines = [subject]
        if proposal.instrument is not None:
            lines.append(_("Cite it as: %(name)s %(number)s") % {
                "name": proposal.instrument.name, "number": proposal.instrument.document_number})
        lines.append(proposal.reason)
        body = "\n\n".join(filter(None, lines))
    return send_mail(subject, body, None, addresses)


PREVIEW_DIR = "import-previews"


@shared_task
def purge_stale_import_previews(max_age_hours: int = 24) -> int:
    """Delete import previews nobody confirmed. A preview lives between the check and the confirm
    of one import; the session that holds its token ends after 30 idle minutes, so a day-old
    preview can no longer be confirmed by anyone."""
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    if not default_storage.exists(PREVIEW_DIR):
        return 0
    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    removed = 0
    for name in default_storage.listdir(PREVIEW_DIR)[1]:
        path = f"{PREVIEW_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
