"""Back-office screens for the enforcement basis: a department's catalogue editor, the office's
review queue and decisions, the registry of instruments, deadlines and the compilation."""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
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
from .forms import (
    AmendmentForm,
    CommentForm,
    ConfirmProposalForm,
    DeadlineForm,
    EntryForm,
    EstablishmentOpinionForm,
    InstrumentForm,
    MergeProposalForm,
    ProposalForm,
    RefuseProposalForm,
    ReturnForm,
    ReviewSettingForm,
    UploadForm,
    parse_date,
)
from .models import (
    BasisCatalogue,
    InstrumentProposal,
    LegalInstrument,
    ManagementCategory,
    ProposalStatus,
)
from .signals import compilation_links

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _catalogue(request, pk: int) -> BasisCatalogue:
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    visible = basis_perms.catalogues_visible_to(request.user).select_related("department", "department__jurisdiction")
    return perms.get_visible_or_404(request.user, visible, pk=pk)


def entries_of(catalogue: BasisCatalogue, query: str = ""):
    entries = catalogue.entries.select_related("instrument", "lead_department", "principal")
    if query:
        entries = entries.filter(
            Q(instrument__name__icontains=query) | Q(rights_and_duties__icontains=query)
        )
    return entries


def entry_rows(entries, *, comments: list, opinions: list) -> list:
    """One page of entries with what the catalogue page shows of each, read in four queries
    (provisions, joint and assisting departments, those departments; ``comments`` and
    ``opinions`` are the catalogue's, which the page reads anyway) and set on each entry as
    plain lists and strings: ``provision_labels``, ``joints``, ``assistings``, ``comment_list``,
    ``opinion_list``, ``category_label``, ``subject_kind_label``, ``effective_label``. Related
    managers and lazy labels made again for every row were most of the page's Python (profiled
    on the generated province)."""
    from organisations.models import SubjectKind

    from .models import CatalogueEntry, OpinionVerdict
    from .numbering import provision_label

    entries = list(entries)
    ids = [entry.pk for entry in entries]
    provisions, joints, assistings = defaultdict(list), defaultdict(list), defaultdict(list)
    by_entry_comments, by_entry_opinions = defaultdict(list), defaultdict(list)
    verdicts = {value: str(label) for value, label in OpinionVerdict.choices}
    if ids:
        for entry_id, article, paragraph, item in (
            CatalogueEntry.provisions.through.objects.filter(catalogueentry_id__in=ids)
            .order_by("provision__instrument_id", "provision__article", "provision__paragraph", "provision__item")
            .values_list("catalogueentry_id", "provision__article", "provision__paragraph", "provision__item")
        ):
            provisions[entry_id].append(provision_label(article, paragraph, item))
        named = []
        for field, into in (("joint_departments", joints), ("assisting_departments", assistings)):
            through = getattr(CatalogueEntry, field).through
            named += [(into, entry_id, organisation_id) for entry_id, organisation_id in through.objects.filter(
                catalogueentry_id__in=ids).values_list("catalogueentry_id", "organisation_id")]
        organisations = Organisation.objects.in_bulk({organisation_id for _, _, organisation_id in named})
        for into, entry_id, organisation_id in sorted(named, key=lambda row: organisations[row[2]].path):
            into[entry_id].append(organisations[organisation_id])
    for comment in comments:
        if comment.entry_id is not None:
            by_entry_comments[comment.entry_id].append(comment)
    for opinion in opinions:
        if opinion.entry_id is not None:
            opinion.verdict_label = verdicts.get(opinion.verdict, opinion.verdict)
            by_entry_opinions[opinion.entry_id].append(opinion)
    categories = {value: str(label) for value, label in ManagementCategory.choices}
    subject_kinds = {value: str(label) for value, label in SubjectKind.choices}
    for entry in entries:
        entry.provision_labels = provisions[entry.pk]
        entry.joints, entry.assistings = joints[entry.pk], assistings[entry.pk]
        entry.comment_list, entry.opinion_list = by_entry_comments[entry.pk], by_entry_opinions[entry.pk]
        entry.category_label = categories.get(entry.category, entry.category)
        entry.subject_kind_label = subject_kinds.get(entry.subject_kind, entry.subject_kind)
        # Y-m-d, as the date filter would give it, without its localisation machinery per row.
        effective = entry.instrument.effective_on
        entry.effective_label = effective.isoformat() if effective else ""
    return entries


@login_required
def catalogue_list(request):
    """A department's versions, or the office's review queue."""
    perms.require(request.user, basis_perms.can_view_catalogues(request.user))
    queryset = basis_perms.catalogues_visible_to(request.user).select_related("department").annotate(
        entry_count=Count("entries")
    )
    status = request.GET.get("status", "")
    government = perms.jurisdiction_of(request.user)
    queue = request.GET.get("queue", "")
    awaiting_opinion = request.GET.get("awaiting") == "opinion" and government is not None
    if awaiting_opinion:
        # The list the establishment office's home-page count links to: the same selector.
        from .selectors import awaiting_establishment_opinion

        queryset = awaiting_establishment_opinion(queryset, government)
    elif queue in queues.CATALOGUE_QUEUES or queue == queues.CONFLICTS_QUEUE:
        # A home page tile's list: the same function counted the tile.
        queryset = queues.catalogue_queue(queryset, queue, government=government)
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
            "awaiting_opinion": awaiting_opinion,
            "can_set_review_settings": government is not None and basis_perms.can_set_review_settings(request.user, government),
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
    opinions = list(catalogue.establishment_opinions.select_related("author", "entry"))
    comments = list(catalogue.comments.select_related("author"))
    entries.object_list = entry_rows(entries.object_list, comments=comments, opinions=opinions)
    from .checks import cached_findings_for_catalogue

    user = request.user
    actions = []
    for name in allowed_transitions(catalogue.status):
        allowed = basis_perms.can_submit_catalogue if name == Transition.SUBMIT else basis_perms.can_decide_catalogue
        if allowed(user, catalogue):
            actions.append({"name": name, "label": Transition(name).label})
    events = list(catalogue.events.select_related("actor"))
    # The establishment office's opinions belong to the catalogue's history beside its
    # transitions: the approval that follows a disagreement reads against it.
    history = sorted([*events, *opinions], key=lambda row: getattr(row, "occurred_at", None) or row.created_at)
    current_opinion = services.establishment_opinion_on(catalogue)
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
            "events": events,
            "history": history,
            "can_opine": basis_perms.can_give_establishment_opinion(user, catalogue)
            and catalogue.status in (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW),
            "general_opinions": [o for o in opinions if o.entry_id is None],
            "current_opinion": current_opinion,
            "opinion_required": services.establishment_opinion_required(catalogue.department.jurisdiction_id),
            "opinion_form": EstablishmentOpinionForm(),
            "general_comments": [comment for comment in comments if comment.entry_id is None],
            "versions": versions,
            "return_form": ReturnForm(),
            "deadline": services.deadline_for(catalogue.department),
            "pending_rows": catalogue.pending_rows.all() if basis_perms.is_catalogue_editor(user, catalogue) else [],
            "is_office": perms.can_use_office_functions(user),
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
        Transition.APPROVE: lambda: services.catalogue_approve(
            actor=request.user,
            catalogue=catalogue,
            comment=request.POST.get("comment", ""),
            acknowledged_findings=request.POST.get("acknowledged_findings") == "1",
            reason=request.POST.get("reason", ""),
        ),
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
@require_POST
def catalogue_opinion(request, pk: int):
    catalogue = _catalogue(request, pk)
    perms.require(request.user, basis_perms.can_give_establishment_opinion(request.user, catalogue), obj=catalogue)
    form = EstablishmentOpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose agree, agree with remarks or disagree."))
        return redirect("basis:catalogue_detail", pk=catalogue.pk)
    entry = None
    if form.cleaned_data.get("entry"):
        entry = perms.get_visible_or_404(request.user, catalogue.entries.all(), pk=form.cleaned_data["entry"])
    try:
        services.establishment_opinion_add(
            actor=request.user, catalogue=catalogue, verdict=form.cleaned_data["verdict"],
            text=form.cleaned_data["text"], entry=entry,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Opinion recorded."))
    anchor = f"#entry-{entry.pk}" if entry else "#opinions"
    return redirect(reverse("basis:catalogue_detail", args=[catalogue.pk]) + anchor)


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


def _preview_path(token: str, suffix: str = "json") -> str:
    from .tasks import PREVIEW_DIR  # purged when stale by basis.tasks.purge_stale_import_previews

    return f"{PREVIEW_DIR}/{token}.{suffix}"


def _preview_store(request, key: str, preview, upload: bytes) -> None:
    """Keep the preview on the server between the check and the confirm, with the file itself
    (to read it again when the editor maps a column by hand). Both go to files with only their
    token in the session: a 10,000-row preview is megabytes, and the session is saved on every
    request."""
    _preview_drop(request, key)
    token = uuid.uuid4().hex
    default_storage.save(_preview_path(token), ContentFile(preview.to_json().encode("utf-8")))
    default_storage.save(_preview_path(token, "upload"), ContentFile(upload))
    request.session[key] = token


def _preview_load(request, key: str):
    from .spreadsheets import ImportPreview

    token = request.session.get(key)
    if not token or not default_storage.exists(_preview_path(token)):
        return None
    with default_storage.open(_preview_path(token)) as stored:
        return ImportPreview.from_json(stored.read().decode("utf-8"))


def _upload_load(request, key: str) -> bytes | None:
    token = request.session.get(key)
    if not token or not default_storage.exists(_preview_path(token, "upload")):
        return None
    with default_storage.open(_preview_path(token, "upload")) as stored:
        return stored.read()


def _preview_drop(request, key: str) -> None:
    token = request.session.pop(key, None)
    for suffix in ("json", "upload"):
        if token and default_storage.exists(_preview_path(token, suffix)):
            default_storage.delete(_preview_path(token, suffix))


def _column_choices(request, preview) -> dict[str, str]:
    """The editor's choices for the columns not read, from the preview form: index → field."""
    chosen = dict(preview.overrides)
    for index in [index for index, _header in preview.ignored_columns] + [int(i) for i in preview.overrides]:
        value = request.POST.get(f"map_{index}")
        if value is None:
            continue
        if value:
            chosen[str(index)] = value
        else:
            chosen.pop(str(index), None)
    return chosen


def _proposal_url(error, catalogue) -> str:
    """A link to propose the instrument a row names, prefilled from the row; none while the
    registry takes no proposals (the view ships separately)."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    if not error.propose:
        return ""
    try:
        url = reverse("basis:instrument_propose")
    except NoReverseMatch:
        return ""
    params = {**error.propose, "next": reverse("basis:catalogue_import", args=[catalogue.pk])}
    return f"{url}?{urlencode({name: value for name, value in params.items() if value})}"


def _import_page(request, catalogue, form, preview):
    from .diff import replacement_diff

    rows = preview.entry_data() if preview is not None and preview.rows and not preview.has_header_errors else []
    diff = loss = None
    if rows:
        for row in rows:
            row.category_label = ManagementCategory(row.category).label
        diff, loss = replacement_diff(catalogue, rows)
    from .spreadsheets.columns import MAPPABLE_FIELDS, header_for

    errors, unmapped = [], []
    if preview is not None:
        errors = [{"error": error, "propose_url": _proposal_url(error, catalogue)} for error in preview.errors]
        # The columns not read, and those the editor mapped by hand (to change the choice again).
        unmapped = [{"index": index, "header": header, "current": ""} for index, header in preview.ignored_columns]
        unmapped += [
            {"index": index, "header": header, "current": name}
            for header, name, index in preview.columns
            if str(index) in preview.overrides
        ]
        unmapped.sort(key=lambda column: column["index"])
    field_choices = [(name, header_for(name)) for name in MAPPABLE_FIELDS]
    return render(
        request,
        "basis/catalogue_import.html",
        {
            "catalogue": catalogue,
            "form": form,
            "preview": preview,
            "rows": rows[:200],
            "row_count": len(rows),
            "diff": diff,
            "loss": loss,
            "field_choices": field_choices,
            "errors": errors,
            "unmapped": unmapped,
            "columns_read": [(header, header_for(name)) for header, name, _index in preview.columns] if preview else [],
        },
    )


@login_required
def catalogue_import(request, pk: int):
    """Upload → preview (nothing saved) → map unknown columns by hand (read again) → confirm (all
    rows at once, or the valid rows with the others kept as a to-fix list)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .diff import replacement_diff
    from .spreadsheets import UploadRefused, import_confirm, parse_catalogue_upload

    catalogue = _catalogue(request, pk)
    perms.require(request.user, basis_perms.can_edit_catalogue(request.user, catalogue), obj=catalogue,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    key = _PREVIEW_KEY % catalogue.pk
    form = UploadForm()
    if request.method != "POST":
        return _import_page(request, catalogue, form, None)
    if "file" in request.FILES:
        form = UploadForm(request.POST, request.FILES)
        preview = None
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                preview = parse_catalogue_upload(uploaded, department=catalogue.department)
            except UploadRefused as error:
                form.add_error("file", error.messages)
            else:
                uploaded.seek(0)
                _preview_store(request, key, preview, uploaded.read())
        return _import_page(request, catalogue, form, preview)

    stored, data = _preview_load(request, key), _upload_load(request, key)
    if stored is None or data is None:
        messages.error(request, _("The preview has expired: upload the file again."))
        return redirect("basis:catalogue_import", pk=catalogue.pk)
    choices = _column_choices(request, stored)
    if "remap" in request.POST or choices != stored.overrides:
        # A column mapped by hand: the file is read again with it, and the preview shown anew.
        preview = parse_catalogue_upload(
            SimpleUploadedFile(stored.file_name, data), department=catalogue.department, overrides=choices
        )
        _preview_store(request, key, preview, data)
        if "confirm" in request.POST:
            messages.warning(request, _("The column choices changed: check the new preview, then confirm."))
        return _import_page(request, catalogue, form, preview)

    keep_rejected = request.POST.get("confirm") == "keep_rejected"
    if stored.rows and not stored.has_header_errors:
        _diff, loss = replacement_diff(catalogue, stored.entry_data())
        if loss.any and request.POST.get("accept_losses") != "1":
            messages.error(request, _("Tick the box that accepts the detail this import removes, or fix the file."))
            return _import_page(request, catalogue, form, stored)
    try:
        count = import_confirm(actor=request.user, catalogue=catalogue, preview=stored, keep_rejected=keep_rejected)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("basis:catalogue_import", pk=catalogue.pk)
    _preview_drop(request, key)
    messages.success(request, _("%(count)d entries imported.") % {"count": count})
    if keep_rejected and stored.rejected:
        messages.warning(
            request,
            ngettext(
                "%(n)d rejected row is kept under 待处理行 on the catalogue.",
                "%(n)d rejected rows are kept under 待处理行 on the catalogue.",
                len(stored.rejected),
            )
            % {"n": len(stored.rejected)},
        )
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
@require_POST
def pending_row_remove(request, pk: int, row_id: int):
    """The editor fixed a rejected row (or gave it up): it leaves the to-fix list."""
    catalogue = _catalogue(request, pk)
    row = perms.get_visible_or_404(request.user, catalogue.pending_rows.all(), pk=row_id)
    try:
        services.pending_row_remove(actor=request.user, row=row)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("basis:catalogue_detail", pk=catalogue.pk)


@login_required
def date_disagreements(request):
    """Dates in departments' sheets that the registry gives otherwise: the office's list to
    check the registry against. Office only, within its scope."""
    from .models import DateDisagreement

    perms.require(request.user, basis_perms.can_manage_instruments(request.user))
    root = perms.scope_root(request.user)
    found = DateDisagreement.objects.select_related("instrument", "department", "recorded_by")
    found = found.filter(department__path__startswith=root.path) if root is not None else found.none()
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "basis/date_disagreements.html", {"page": page})


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
         "can_manage": basis_perms.can_manage_instruments(request.user),
         "can_propose": basis_perms.can_propose_instrument(request.user),
         "pending_proposals": basis_perms.proposals_visible_to(request.user).filter(status=ProposalStatus.PENDING).count()},
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


@login_required
def finding_list(request):
    """The office's cross-department findings in its jurisdiction (a county office: its county),
    filtered by kind, department and instrument, with the counts per kind and an .xlsx export."""
    from .checks import cached_findings
    from .findings import FindingFilter, finding_report, findings_to_xlsx

    perms.require(request.user, basis_perms.can_view_findings(request.user))
    scope_path = basis_perms.findings_scope_path(request.user)
    chosen = FindingFilter.from_query(request.GET)
    report = finding_report(cached_findings(scope_path=scope_path), chosen)
    if request.GET.get("format") == "xlsx":
        event_record(
            action=AuditAction.EXPORT,
            actor=request.user,
            message=gettext_lazy("findings export"),
            detail={"kind": chosen.kind, "department": chosen.department, "instrument": chosen.instrument,
                    "rows": len(report.findings)},
        )
        response = HttpResponse(findings_to_xlsx(report.findings), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="findings.xlsx"'
        return response
    page = Paginator(report.findings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "basis/finding_list.html",
        {"page": page, "report": report, "chosen": chosen, "government": perms.jurisdiction_of(request.user)},
    )


def review_settings_edit(request):
    government = perms.jurisdiction_of(request.user)
    perms.require(request.user, government is not None and basis_perms.can_set_review_settings(request.user, government))
    setting = services.review_setting_for(government)
    form = ReviewSettingForm(
        request.POST or None, initial={"establishment_opinion_required": setting.establishment_opinion_required}
    )
    if request.method == "POST" and form.is_valid():
        services.review_setting_update(actor=request.user, jurisdiction=government, **form.cleaned_data)
        messages.success(request, _("Review settings saved."))
        return redirect("basis:catalogue_list")
    return render(request, "basis/review_settings.html", {"form": form, "government": government, "setting": setting})


# -- Proposals of instruments the registry lacks -------------------------------------------------


def _safe_next(request, value: str) -> str:
    value = (value or "").strip()
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def _prefill(params) -> dict:
    """The form's initial values from the link an import preview makes: name, organ, number and
    date as the sheet gave them (a Chinese date included)."""
    initial = {field: params.get(field, "").strip()[:200] for field in ("name", "issuing_organ", "document_number")}
    initial["name"] = initial["name"].strip("《》〈〉")
    for field in ("effective_on", "promulgated_on"):
        try:
            initial[field] = parse_date(params.get(field, ""))
        except ValueError:
            initial[field] = None
    organ = initial["issuing_organ"]
    initial["level"] = "administrative_regulation" if organ == "国务院" else ("law" if "全国人民代表大会" in organ else "")
    return {key: value for key, value in initial.items() if value}


def announce_proposal_decisions(request) -> None:
    """Tell a proposer, once, what the office decided on their proposals."""
    if not basis_perms.can_propose_instrument(request.user):
        return
    for proposal in services.proposal_decisions_announce(actor=request.user):
        if proposal.status == ProposalStatus.REFUSED:
            messages.warning(request, _("Your proposal “%(name)s” was refused: %(reason)s") % {
                "name": proposal.name, "reason": proposal.reason})
        else:
            messages.success(request, _("Your proposal “%(name)s” was accepted: cite “%(instrument)s”.") % {
                "name": proposal.name, "instrument": proposal.instrument.name})


@login_required
def instrument_propose(request):
    perms.require(request.user, basis_perms.can_propose_instrument(request.user))
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = ProposalForm(request.POST or None, initial=_prefill(request.GET))
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.instrument_propose(actor=request.user, data=form.cleaned_data, return_to=next_url)
        except services.DuplicateProposal as error:
            form.add_error(None, str(error))
            duplicate = error.existing
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Proposed. The legal-affairs office will confirm it or say what to cite instead; you will be told here."))
            return redirect(next_url or "basis:proposal_detail", **({} if next_url else {"pk": proposal.pk}))
    return render(request, "basis/proposal_form.html", {
        "form": form, "next": next_url, "duplicate": duplicate,
        "duplicate_is_instrument": isinstance(duplicate, LegalInstrument),
    })


@login_required
def proposal_list(request):
    visible = basis_perms.proposals_visible_to(request.user)
    perms.require(request.user, basis_perms.can_view_proposal_queue(request.user) or basis_perms.can_propose_instrument(request.user))
    announce_proposal_decisions(request)
    status = request.GET.get("status", ProposalStatus.PENDING)
    if status not in ProposalStatus.values and status != "all":
        status = ProposalStatus.PENDING
    shown = visible if status == "all" else visible.filter(status=status)
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    counts = dict(visible.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    tabs = [(value, label, counts.get(value, 0)) for value, label in ProposalStatus.choices]
    return render(request, "basis/proposal_list.html", {
        "page": page, "status": status, "tabs": tabs,
        "can_decide": basis_perms.can_view_proposal_queue(request.user),
        "can_propose": basis_perms.can_propose_instrument(request.user),
    })


def _proposal(request, pk: int) -> InstrumentProposal:
    perms.require(request.user, basis_perms.can_view_proposal_queue(request.user) or basis_perms.can_propose_instrument(request.user))
    return perms.get_visible_or_404(request.user, basis_perms.proposals_visible_to(request.user), pk=pk)


def _merge_candidates(proposal: InstrumentProposal, query: str):
    query = query or services.normalise_instrument_name(proposal.name)[:6]
    return LegalInstrument.objects.filter(
        Q(name__icontains=query) | Q(document_number__icontains=query) | Q(code__iexact=query)
    ).order_by("level", "name")[:30]


@login_required
def proposal_detail(request, pk: int):
    proposal = _proposal(request, pk)
    can_decide = basis_perms.can_decide_proposal(request.user, proposal) and proposal.status == ProposalStatus.PENDING
    query = request.GET.get("q", "").strip()
    candidates = _merge_candidates(proposal, query) if can_decide else []
    return render(request, "basis/proposal_detail.html", {
        "proposal": proposal, "can_decide": can_decide, "q": query,
        "events": proposal.events.select_related("actor"),
        "confirm_form": ConfirmProposalForm(), "refuse_form": RefuseProposalForm(),
        "merge_form": MergeProposalForm(candidates=LegalInstrument.objects.filter(pk__in=[c.pk for c in candidates])),
    })


@login_required
@require_POST
def proposal_decide(request, pk: int, decision: str):
    perms.require(request.user, basis_perms.can_view_proposal_queue(request.user))
    proposal = perms.get_visible_or_404(request.user, basis_perms.proposals_visible_to(request.user), pk=pk)
    forms_by_decision = {"confirm": ConfirmProposalForm, "merge": MergeProposalForm, "refuse": RefuseProposalForm}
    if decision not in forms_by_decision:
        raise Http404
    form = forms_by_decision[decision](request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("basis:proposal_detail", pk=proposal.pk)
    try:
        if decision == "confirm":
            services.proposal_confirm(actor=request.user, proposal=proposal, articles=form.cleaned_data["articles"] or 0)
            messages.success(request, _("Confirmed: “%(name)s” is in the registry.") % {"name": proposal.name})
        elif decision == "merge":
            services.proposal_merge(actor=request.user, proposal=proposal, **form.cleaned_data)
            messages.success(request, _("Merged with “%(name)s”.") % {"name": form.cleaned_data["instrument"].name})
        else:
            services.proposal_refuse(actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
            messages.success(request, _("Refused; the department is told why."))
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("basis:proposal_detail", pk=proposal.pk)
    return redirect(f"{reverse('basis:proposal_list')}")
