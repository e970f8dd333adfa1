"""Back-office screens for the enforcement basis: a department's catalogue editor, the office's
review queue and decisions, the registry of instruments, deadlines and the compilation."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from basis import permissions as basis_perms
from organisations.models import Organisation
from toolkit.files import file_response
from workflow.review import ReviewStatus, Transition, WorkflowError, allowed_transitions

from . import queues, services
from .forms import AmendmentForm, CommentForm, DeadlineForm, EntryForm, InstrumentForm, ReturnForm, UploadForm
from .signals import compilation_links
from .models import BasisCatalogue, LegalInstrument, ManagementCategory, ReviewComment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _catalogue(request, pk: int) -> BasisCatalogue:
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    visible = basis_perms.catalogues_visible_to(request.user).select_related("department", "department__jurisdiction")
    return perms.get_visible_or_404(request.user, visible, pk=pk)


def entries_of(catalogue: BasisCatalogue, query: str = ""):
    entries = catalogue.entries.select_related("instrument", "lead_department", "principal").prefetch_related(
        "provisions", "joint_departments", "assisting_departments",
        Prefetch("comments", queryset=ReviewComment.objects.select_related("author")),
    )
    if query:
        entries = entries.filter(
            Q(instrument__name__icontains=query) | Q(rights_and_duties__icontains=query)
        )
    return entries


@login_required
def catalogue_list(request):
    """A department's versions, or the office's review queue."""
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    queryset = basis_perms.catalogues_visible_to(request.user).select_related("department").annotate(
        entry_count=Count("entries")
    )
    status = request.GET.get("status", "")
    queue = request.GET.get("queue", "")
    if queue in queues.CATALOGUE_QUEUES or queue == queues.CONFLICTS_QUEUE:
        # A home page tile's list: the same function counted the tile.
        queryset = queues.catalogue_queue(queryset, queue, government=perms.jurisdiction_of(request.user))
    elif status in ReviewStatus.values:
        queryset = queryset.filter(status=status)
    elif perms.can_use_office_functions(request.user):
        queryset = queryset.filter(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED])
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(department__name__icontains=query)
    sort = request.GET.get("sort", "submitted_at")
    sorts = {"submitted_at": "submitted_at", "department": "department__path", "status": "status", "-updated_at": "-updated_at"}
    queryset = queryset.order_by(sorts.get(sort, "submitted_at"), "department__path", "-version")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    counts = _conflict_counts([c.pk for c in page.object_list])
    for catalogue in page.object_list:
        catalogue.conflicts = counts.get(catalogue.pk, 0)
    department = perms.department_of(request.user)
    deadline = services.deadline_for(department) if department else None
    return render(
        request,
        "basis/catalogue_list.html",
        {
            "page": page,
            "status": status,
            "queue": queue if queue in QUEUE_LABELS else "",
            "queue_label": QUEUE_LABELS.get(queue, ""),
            "queue_government": perms.jurisdiction_of(request.user) if queue in QUEUE_LABELS else None,
            "statuses": ReviewStatus.choices,
            "q": query,
            "sort": sort,
            "department": department,
            "deadline": deadline,
            "can_start": department is not None and basis_perms.can_start_catalogue(request.user, department),
            "is_office": perms.can_use_office_functions(request.user),
        },
    )


QUEUE_LABELS = {
    "awaiting_review": gettext_lazy("Catalogues awaiting review"),
    "awaiting_publication": gettext_lazy("Approved catalogues awaiting publication"),
    "to_fix": gettext_lazy("Catalogue versions to complete or fix"),
    "flagged": gettext_lazy("Catalogues flagged for revision"),
    "conflicts": gettext_lazy("Current catalogues with conflict findings"),
}


@login_required
def catalogue_progress(request):
    """Who has submitted a catalogue and who is late, department by department: the office's
    own jurisdiction, against the deadline it set."""
    government = perms.jurisdiction_of(request.user)
    perms.require(request.user, basis_perms.can_view_submission_progress(request.user), who=perms.Actor.OFFICE)
    deadline = services.deadline_for_government(government)
    rows = queues.submission_progress(
        perms.departments_in_scope(request.user).filter(jurisdiction=government), deadline
    )
    state = request.GET.get("state", "")
    shown = queues.progress_filtered(rows, state)
    states = [
        ("", _("All departments")),
        (queues.ProgressState.NOT_SUBMITTED, _("Not submitted")),
        (queues.ProgressState.LATE, _("Late")),
    ]
    return render(
        request,
        "basis/catalogue_progress.html",
        {"rows": shown, "total": len(rows), "state": state, "states": states, "deadline": deadline,
         "government": government, "now": timezone.now()},
    )


def _conflict_counts(ids):
    from .checks import cached_conflict_counts

    return cached_conflict_counts(ids)


@login_required
@require_POST
def catalogue_start(request):
    department = perms.department_of(request.user)
    perms.require(request.user, department is not None and basis_perms.can_start_catalogue(request.user, department),
                  who=perms.Actor.DEPARTMENT_EDITOR)
    try:
        catalogue = services.catalogue_start(actor=request.user, department=department)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("basis:catalogue_list")
    messages.success(request, _("Version %(v)d started.") % {"v": catalogue.version})
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
def catalogue_detail(request, pk: int):
    catalogue = _catalogue(request, pk)
    query = request.GET.get("q", "").strip()
    entries = Paginator(entries_of(catalogue, query), 50).get_page(request.GET.get("page"))
    from .checks import cached_findings_for_catalogue

    user = request.user
    actions = []
    for name in allowed_transitions(catalogue.status):
        allowed = basis_perms.can_submit_catalogue if name == Transition.SUBMIT else basis_perms.can_decide_catalogue
        if allowed(user, catalogue):
            actions.append({"name": name, "label": Transition(name).label})
    versions = BasisCatalogue.objects.filter(department=catalogue.department).filter(
        pk__in=basis_perms.catalogues_visible_to(user).values("pk")
    ).order_by("-version")
    return render(
        request,
        "basis/catalogue_detail.html",
        {
            "catalogue": catalogue,
            "entries": entries,
            "page": entries,
            "q": query,
            "findings": cached_findings_for_catalogue(catalogue),
            "actions": actions,
            "can_edit": basis_perms.can_edit_catalogue(user, catalogue),
            "can_comment": basis_perms.can_comment_catalogue(user, catalogue) and catalogue.status == ReviewStatus.UNDER_REVIEW,
            "events": catalogue.events.select_related("actor"),
            "general_comments": catalogue.comments.filter(entry__isnull=True).select_related("author"),
            "versions": versions,
            "return_form": ReturnForm(),
            "deadline": services.deadline_for(catalogue.department),
        },
    )


@login_required
@require_POST
def catalogue_transition(request, pk: int, name: str):
    catalogue = _catalogue(request, pk)
    handlers = {
        Transition.SUBMIT: lambda: services.catalogue_submit(actor=request.user, catalogue=catalogue),
        Transition.START_REVIEW: lambda: services.catalogue_start_review(actor=request.user, catalogue=catalogue),
        Transition.RETURN: lambda: services.catalogue_return(
            actor=request.user, catalogue=catalogue, comment=request.POST.get("comment", "")
        ),
        Transition.APPROVE: lambda: services.catalogue_approve(actor=request.user, catalogue=catalogue),
        Transition.PUBLISH: lambda: services.catalogue_publish(actor=request.user, catalogue=catalogue),
    }
    if name not in handlers:
        return HttpResponse(status=404)
    try:
        updated = handlers[name]()
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The catalogue is now %(status)s.") % {"status": updated.get_status_display()})
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
@require_POST
def catalogue_comment(request, pk: int):
    catalogue = _catalogue(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        entry = None
        if form.cleaned_data.get("entry"):
            entry = catalogue.entries.filter(pk=form.cleaned_data["entry"]).first()
        try:
            services.comment_add(actor=request.user, catalogue=catalogue, body=form.cleaned_data["body"], entry=entry)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("The comment is empty."))
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
def entry_edit(request, pk: int, entry_id: int | None = None):
    catalogue = _catalogue(request, pk)
    perms.require(request.user, basis_perms.can_edit_catalogue(request.user, catalogue), obj=catalogue,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    entry = perms.get_visible_or_404(request.user, catalogue.entries.all(), pk=entry_id) if entry_id else None
    initial = EntryForm.initial_for(entry) if entry else {"lead_department": catalogue.department_id}
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial, department=catalogue.department)
    if request.method == "POST" and form.is_valid():
        try:
            if entry is None:
                services.entry_create(actor=request.user, catalogue=catalogue, data=form.entry_data())
            else:
                services.entry_update(actor=request.user, entry=entry, data=form.entry_data())
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Entry saved."))
            return redirect("basis:catalogue_detail", pk=catalogue.pk)
    return render(request, "basis/entry_form.html", {"form": form, "catalogue": catalogue, "entry": entry})


@login_required
@require_POST
def entry_delete(request, pk: int, entry_id: int):
    catalogue = _catalogue(request, pk)
    perms.require(request.user, basis_perms.can_edit_catalogue(request.user, catalogue), obj=catalogue,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    entry = perms.get_visible_or_404(request.user, catalogue.entries.all(), pk=entry_id)
    try:
        services.entry_delete(actor=request.user, entry=entry)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Entry deleted."))
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
def entry_attachment(request, pk: int, entry_id: int):
    """The electronic text attached to an entry, to those who may see the catalogue (404 to
    anyone else, a draft's included), on record as an export."""
    catalogue = _catalogue(request, pk)
    entry = perms.get_visible_or_404(request.user, catalogue.entries.exclude(attachment=""), pk=entry_id)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=entry, detail={"attachment": entry.attachment.name})
    return file_response(entry.attachment, filename=entry.attachment_name)


_PREVIEW_KEY = "basis_import_preview_%d"


def _preview_path(token: str) -> str:
    from .tasks import PREVIEW_DIR  # purged when stale by basis.tasks.purge_stale_import_previews

    return f"{PREVIEW_DIR}/{token}.json"


def _preview_store(request, key: str, preview) -> None:
    """Keep the preview on the server between the check and the confirm. It goes to a file with
    only its token in the session: a 10,000-row preview is megabytes, and the session is saved
    on every request."""
    _preview_drop(request, key)
    token = uuid.uuid4().hex
    default_storage.save(_preview_path(token), ContentFile(preview.to_json().encode("utf-8")))
    request.session[key] = token


def _preview_load(request, key: str):
    from .spreadsheets import ImportPreview

    token = request.session.get(key)
    if not token or not default_storage.exists(_preview_path(token)):
        return None
    with default_storage.open(_preview_path(token)) as stored:
        return ImportPreview.from_json(stored.read().decode("utf-8"))


def _preview_drop(request, key: str) -> None:
    token = request.session.pop(key, None)
    if token and default_storage.exists(_preview_path(token)):
        default_storage.delete(_preview_path(token))


@login_required
def catalogue_import(request, pk: int):
    """Upload → preview (nothing saved) → confirm (all rows at once, or none)."""
    from .spreadsheets import UploadRefused, import_confirm, parse_catalogue_upload

    catalogue = _catalogue(request, pk)
    perms.require(request.user, basis_perms.can_edit_catalogue(request.user, catalogue), obj=catalogue,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    key = _PREVIEW_KEY % catalogue.pk
    form = UploadForm()
    preview = None
    if request.method == "POST" and "confirm" in request.POST:
        stored = _preview_load(request, key)
        if stored is None:
            messages.error(request, _("The preview has expired: upload the file again."))
            return redirect("basis:catalogue_import", pk=catalogue.pk)
        try:
            count = import_confirm(actor=request.user, catalogue=catalogue, preview=stored)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("basis:catalogue_import", pk=catalogue.pk)
        _preview_drop(request, key)
        messages.success(request, _("%(count)d entries imported.") % {"count": count})
        return redirect("basis:catalogue_detail", pk=catalogue.pk)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                preview = parse_catalogue_upload(form.cleaned_data["file"], department=catalogue.department)
            except UploadRefused as error:
                form.add_error("file", error.messages)
            else:
                if preview.is_clean:
                    _preview_store(request, key, preview)
                else:
                    _preview_drop(request, key)
    rows = preview.entry_data() if preview is not None and preview.is_clean else []
    for row in rows:
        row.category_label = ManagementCategory(row.category).label
    return render(
        request, "basis/catalogue_import.html", {"catalogue": catalogue, "form": form, "preview": preview, "rows": rows}
    )


@login_required
def catalogue_export(request, pk: int):
    from .spreadsheets import catalogue_to_xlsx

    catalogue = _catalogue(request, pk)
    content = catalogue_to_xlsx(catalogue)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=catalogue)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"catalogue-{catalogue.department.code}-v{catalogue.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def catalogue_diff(request, pk: int):
    from .diff import catalogue_diff as compute_diff

    catalogue = _catalogue(request, pk)
    others = basis_perms.catalogues_visible_to(request.user).filter(department=catalogue.department).exclude(pk=catalogue.pk)
    against_id = request.GET.get("against") or (catalogue.based_on_id and str(catalogue.based_on_id))
    against = perms.get_visible_or_404(request.user, others, pk=against_id) if against_id else None
    diff = None
    if against is not None:
        old, new = sorted([against, catalogue], key=lambda c: c.version)
        diff = compute_diff(old, new)
    return render(
        request,
        "basis/catalogue_diff.html",
        {"catalogue": catalogue, "against": against, "others": others.order_by("-version"), "diff": diff},
    )


@login_required
def compilation(request):
    """The office's compilation (汇编) of published catalogues in its jurisdiction."""
    from .spreadsheets import compilation_to_xlsx

    perms.require(request.user, perms.can_use_office_functions(request.user), who=perms.Actor.OFFICE)
    published = basis_perms.catalogues_visible_to(request.user).filter(status=ReviewStatus.PUBLISHED)
    government = request.GET.get("government", "")
    if government:
        published = published.filter(department__jurisdiction__code=government)
    if request.GET.get("format") == "xlsx":
        content = compilation_to_xlsx(published)
        event_record(action=AuditAction.EXPORT, actor=request.user, message=gettext_lazy("compilation export"), detail={"government": government})
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="compilation.xlsx"'
        return response
    published = published.select_related("department", "department__jurisdiction").annotate(entry_count=Count("entries"))
    page = Paginator(published.order_by("department__path"), 50).get_page(request.GET.get("page"))
    root = perms.scope_root(request.user)
    governments = Organisation.objects.filter(kind__in=["city", "county"], path__startswith=root.path) if root else []
    # The PDF of the compilation is the responsibility chapter's; it answers with its links.
    shown = [g for g in governments if g.code == government] if government else ([root] if root and root.kind in ("city", "county") else [])
    pdf_links = [
        link for _receiver, links in compilation_links.send(sender=BasisCatalogue, user=request.user, governments=shown)
        for link in (links or [])
    ]
    return render(
        request,
        "basis/compilation.html",
        {"page": page, "governments": governments, "government": government, "pdf_links": pdf_links},
    )


@login_required
def instrument_list(request):
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    queryset = LegalInstrument.objects.annotate(provision_count=Count("provisions"))
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(document_number__icontains=query))
    level = request.GET.get("level", "")
    if level:
        queryset = queryset.filter(level=level)
    page = Paginator(queryset.order_by("level", "name"), 50).get_page(request.GET.get("page"))
    from .models import InstrumentLevel

    return render(
        request,
        "basis/instrument_list.html",
        {"page": page, "q": query, "level": level, "levels": InstrumentLevel.choices,
         "can_manage": basis_perms.can_manage_instruments(request.user)},
    )


@login_required
def instrument_detail(request, pk: int):
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    instrument = perms.get_visible_or_404(request.user, LegalInstrument.objects.all(), pk=pk)
    provisions = Paginator(instrument.provisions.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "basis/instrument_detail.html",
        {"instrument": instrument, "page": provisions, "can_manage": basis_perms.can_manage_instruments(request.user),
         "changes": instrument.status_changes.select_related("recorded_by")},
    )


@login_required
def instrument_attachment(request, pk: int):
    """An instrument's attachment, to those who may read the registry, on record as an export."""
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    instrument = perms.get_visible_or_404(request.user, LegalInstrument.objects.exclude(attachment=""), pk=pk)
    event_record(
        action=AuditAction.EXPORT, actor=request.user, obj=instrument, detail={"attachment": instrument.attachment.name}
    )
    return file_response(instrument.attachment, filename=instrument.attachment_name)


@login_required
def instrument_edit(request, pk: int | None = None):
    perms.require(request.user, basis_perms.can_manage_instruments(request.user), who=perms.Actor.OFFICE)
    instrument = perms.get_visible_or_404(request.user, LegalInstrument.objects.all(), pk=pk) if pk else None
    form = InstrumentForm(request.POST or None, request.FILES or None, instance=instrument)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in InstrumentForm.Meta.fields}
        saved = services.instrument_save(
            actor=request.user, instrument=instrument, articles=form.cleaned_data.get("articles") or 0, **data
        )
        messages.success(request, _("Saved."))
        return redirect("basis:instrument_detail", pk=saved.pk)
    return render(request, "basis/instrument_form.html", {"form": form, "instrument": instrument})


@login_required
def instrument_amend(request, pk: int):
    perms.require(request.user, basis_perms.can_manage_instruments(request.user), who=perms.Actor.OFFICE)
    instrument = perms.get_visible_or_404(request.user, LegalInstrument.objects.all(), pk=pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flagged = services.instrument_record_status(actor=request.user, instrument=instrument, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Recorded; %(n)d catalogue flagged for revision.",
                    "Recorded; %(n)d catalogues flagged for revision.",
                    flagged,
                )
                % {"n": flagged},
            )
            return redirect("basis:instrument_list")
    return render(request, "basis/instrument_amend.html", {"form": form, "instrument": instrument,
                                                            "changes": instrument.status_changes.select_related("recorded_by")})


@login_required
def deadline_edit(request):
    government = perms.jurisdiction_of(request.user)
    perms.require(request.user, government is not None and basis_perms.can_set_deadline(request.user, government),
                  who=perms.Actor.OFFICE)
    form = DeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.deadline_set(actor=request.user, jurisdiction=government, **form.cleaned_data)
        messages.success(request, _("Deadline set."))
        return redirect("basis:catalogue_list")
    current = services.deadline_for_government(government)
    return render(request, "basis/deadline_form.html", {"form": form, "government": government, "current": current,
                                                         "now": timezone.now()})
