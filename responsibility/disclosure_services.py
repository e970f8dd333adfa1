"""Writes of the disclosure documents: ask for a department's or a government's document (a
new row for new content, queued after commit) and retry a failed render. The task renders with
``disclosure.render``; this module enqueues it, so the import runs one way: services → tasks →
disclosure."""

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import guarded
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation
from outbox.services import message_enqueue

from . import permissions as responsibility_perms
from .disclosure import DisclosureError, can_retry, content_digest, content_for, has_published_content
from .models import DisclosureDocument, DocumentStatus
from .tasks import render_disclosure_document


def _enqueue(document_id: int) -> None:
    """Ask for the render in the caller's transaction: an outbox row, sent after commit and
    again by the relay while the broker refuses it, so a request is never lost."""
    message_enqueue(task=render_disclosure_document.name, args=[document_id])


def request_render(organisation: Organisation, kind: str, actor=None) -> DisclosureDocument:
    """The document for what ``organisation`` publishes now: the existing row when the content
    has not changed (nothing is rendered again), else a new row with the next version number,
    queued for rendering after commit. A failed row for the same content is queued again."""
    with translation.override(settings.LANGUAGE_CODE):
        content = content_for(organisation, kind)
    if not has_published_content(content):
        raise DisclosureError(_("Nothing has been published yet, so there is nothing to disclose."))
    digest = content_digest(content)
    with transaction.atomic():
        # The organisation's row serialises requests: two publications at once cannot take the
        # same version number or make two rows for one content.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        document = DisclosureDocument.objects.filter(organisation=organisation, kind=kind, content_hash=digest).first()
        if document is None:
            latest = DisclosureDocument.objects.filter(organisation=organisation, kind=kind).aggregate(v=Max("version"))["v"]
            document = DisclosureDocument.objects.create(
                organisation=organisation,
                kind=kind,
                version=(latest or 0) + 1,
                content_hash=digest,
                data_as_of=timezone.now(),
                requested_by=actor if actor is not None and actor.is_authenticated else None,
            )
        elif document.status == DocumentStatus.FAILED:
            DisclosureDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED)
            document.status = DocumentStatus.QUEUED
        else:
            return document
        _enqueue(document.pk)
    return document


@guarded(lambda actor, *, organisation, kind: (responsibility_perms.can_render_disclosure(actor, organisation), organisation))
def document_request(*, actor, organisation: Organisation, kind: str) -> DisclosureDocument:
    """The office's or the department's "render now"."""
    document = request_render(organisation, kind, actor=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=document, detail={"kind": kind, "status": document.status})
    return document


@guarded(lambda actor, *, document: (responsibility_perms.can_render_disclosure(actor, document.organisation), document))
def document_retry(*, actor, document: DisclosureDocument) -> DisclosureDocument:
    """Queue a failed (or dead) render again; the same row, the same version."""
    document = DisclosureDocument.objects.select_for_update().get(pk=document.pk)
    if not can_retry(document):
        raise DisclosureError(_("Only a failed render can be retried."))
    source = document.status
    document.status = DocumentStatus.QUEUED
    document.save(update_fields=["status"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=document, detail={"from": source, "to": DocumentStatus.QUEUED})
    _enqueue(document.pk)
    return document
