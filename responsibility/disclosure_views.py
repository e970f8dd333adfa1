"""Back-office screens of the disclosure documents: the list in the user's scope, a document's
status page (polled while it renders), Retry, download, and "render now"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from organisations import permissions as org_perms
from organisations.models import Organisation
from responsibility import permissions as responsibility_perms
from toolkit.files import file_response

from . import disclosure, disclosure_services
from .models import DisclosureDocument, DocumentKind, DocumentStatus


def _visible(request):
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    return responsibility_perms.disclosure_documents_visible_to(request.user).select_related("organisation")


def _document(request, pk: int) -> DisclosureDocument:
    return perms.get_visible_or_404(request.user, _visible(request), pk=pk)


def render_targets(user) -> list[tuple[Organisation, list[tuple[str, str]]]]:
    """What the user may ask to render: a department its own booklet and sheet; a legal-affairs
    office every department it reviews, and its government's compilation."""
    government = perms.jurisdiction_of(user)
    candidates = list(perms.departments_in_scope(user).order_by("path"))
    if government is not None:
        candidates.insert(0, government)
    targets = []
    for organisation in candidates:
        if not responsibility_perms.can_render_disclosure(user, organisation):
            continue
        if organisation.is_government:
            kinds = [(DocumentKind.COMPILATION.value, DocumentKind.COMPILATION.label)]
        else:
            kinds = [(k.value, k.label) for k in disclosure.DEPARTMENT_KINDS]
        targets.append((organisation, kinds))
    return targets


@login_required
def document_list(request):
    documents = _visible(request).order_by("organisation__path", "kind", "-version")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    organisation = request.GET.get("organisation", "").strip()
    if status in DocumentStatus.values:
        documents = documents.filter(status=status)
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    if organisation:
        documents = documents.filter(Q(organisation__name__icontains=organisation) | Q(organisation__code=organisation))
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(request, "disclosure/office_list.html", {
        "page": page,
        "status": status,
        "kind": kind,
        "organisation": organisation,
        "statuses": DocumentStatus.choices,
        "kinds": DocumentKind.choices,
        "targets": render_targets(request.user),
    })


def _status_payload(document: DisclosureDocument) -> dict:
    return {
        "id": document.pk,
        "status": document.status,
        "status_display": str(document.get_status_display()),
        "error": document.error,
        "attempts": document.attempts,
        "pages": document.pages,
        "size": document.size,
        "done": document.status in (DocumentStatus.READY, DocumentStatus.FAILED),
        "download": reverse("disclosure:download", args=[document.pk]) if document.status == DocumentStatus.READY else "",
    }


@login_required
def document_detail(request, pk: int):
    document = _document(request, pk)
    versions = (
        _visible(request)
        .filter(organisation=document.organisation, kind=document.kind)
        .order_by("-version")
    )
    return render(request, "disclosure/office_detail.html", {
        "document": document,
        "versions": versions,
        "in_progress": document.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING),
        "can_retry": disclosure.can_retry(document) and responsibility_perms.can_render_disclosure(request.user, document.organisation),
        "status_url": reverse("disclosure:status", args=[document.pk]),
    })


@login_required
def document_status(request, pk: int):
    """The status page's poll: a few fields as JSON."""
    return JsonResponse(_status_payload(_document(request, pk)))


@login_required
@require_POST
def document_retry(request, pk: int):
    document = _document(request, pk)
    perms.require(request.user, responsibility_perms.can_render_disclosure(request.user, document.organisation), obj=document)
    try:
        disclosure_services.document_retry(actor=request.user, document=document)
    except disclosure.DisclosureError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document is queued for rendering again."))
    return redirect("disclosure:detail", pk=document.pk)


@login_required
@require_POST
def document_request(request):
    """"Render now" for one organisation and kind."""
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    kind = request.POST.get("kind", "")
    organisation = perms.get_visible_or_404(
        request.user, org_perms.organisations_visible_to(request.user), pk=request.POST.get("organisation") or 0
    )
    if kind not in DocumentKind.values:
        raise Http404
    try:
        document = disclosure_services.document_request(actor=request.user, organisation=organisation, kind=kind)
    except disclosure.DisclosureError as error:
        messages.error(request, str(error))
        return redirect("disclosure:list")
    return redirect("disclosure:detail", pk=document.pk)


@login_required
def document_download(request, pk: int):
    document = _document(request, pk)
    if document.status != DocumentStatus.READY or not document.file:
        raise Http404
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=document)
    filename = f"{document.organisation.code}-{document.kind}-v{document.version}.pdf"
    return file_response(document.file, filename=filename, content_type="application/pdf")
