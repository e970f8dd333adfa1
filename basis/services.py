"""Writes to the enforcement basis. Each service checks the actor through basis.permissions,
changes state in one transaction, records the audit event, and schedules side effects (mail)
after the commit."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from basis import permissions as basis_perms
from organisations.models import Organisation, SubjectKind
from toolkit.files import original_name
from workflow import review as workflow
from workflow.review import OPEN_STATUSES, ReviewStatus, Transition, WorkflowError

from .models import (
    BasisCatalogue,
    CatalogueEntry,
    InstrumentStatus,
    InstrumentStatusChange,
    LegalInstrument,
    ManagementCategory,
    Provision,
    ReviewComment,
    SubmissionDeadline,
)


def _editor_check(actor, *, catalogue=None, entry=None, **_kwargs):
    catalogue = BasisCatalogue.objects.get(pk=(catalogue or entry.catalogue).pk)
    return basis_perms.is_catalogue_editor(actor, catalogue), catalogue


def _check_with(predicate):
    def check(actor, *, catalogue, **_kwargs):
        return predicate(actor, catalogue), catalogue

    return check


# -- Versions ---------------------------------------------------------------------------------


@guarded(lambda actor, *, department: (basis_perms.can_start_catalogue(actor, department), department))
def catalogue_start(*, actor, department: Organisation) -> BasisCatalogue:
    """Open the next version of a department's catalogue, copied from its latest published one."""
    return workflow.start(actor, BasisCatalogue, department, _copy_entries)


def _open() -> list[str]:
    return [status.value for status in OPEN_STATUSES]


def _copy_entries(source: BasisCatalogue, target: BasisCatalogue) -> None:
    for entry in source.entries.prefetch_related("provisions", "joint_departments", "assisting_departments"):
        provisions = list(entry.provisions.all())
        joint = list(entry.joint_departments.all())
        assisting = list(entry.assisting_departments.all())
        entry.pk = None
        entry.id = None
        entry.catalogue = target
        entry._state.adding = True
        # The prefetched lists belong to the source entry: left in place, set() below would read
        # them as the copy's current rows and add nothing.
        entry._prefetched_objects_cache = {}
        entry.save()
        entry.provisions.set(provisions)
        entry.joint_departments.set(joint)
        entry.assisting_departments.set(assisting)


# -- Entries ----------------------------------------------------------------------------------


@dataclass
class EntryData:
    instrument: LegalInstrument
    category: str
    lead_department: Organisation
    provisions: list
    joint_departments: list
    assisting_departments: list
    rights_and_duties: str = ""
    subject_kind: str = "statutory_organ"
    principal: Organisation | None = None
    # The electronic text of the instrument as the department holds it; None keeps what is there.
    attachment: object | None = None

    @classmethod
    def from_cleaned(cls, data: dict) -> "EntryData":
        """From a form's cleaned_data or a serializer's validated_data (the same field names,
        with the provisions already resolved under ``provision_objects``)."""
        return cls(
            instrument=data["instrument"],
            category=data["category"],
            lead_department=data["lead_department"],
            provisions=data["provision_objects"],
            joint_departments=list(data["joint_departments"]),
            assisting_departments=list(data["assisting_departments"]),
            rights_and_duties=data["rights_and_duties"],
            subject_kind=data["subject_kind"],
            principal=data["principal"],
            attachment=data.get("attachment") or None,
        )


def _lock_editable(actor, catalogue: BasisCatalogue) -> BasisCatalogue:
    catalogue = BasisCatalogue.objects.select_for_update().get(pk=catalogue.pk)
    if catalogue.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise WorkflowError(
            _("A %(status)s catalogue cannot be edited.") % {"status": catalogue.get_status_display()}
        )
    return catalogue


def _touch(catalogue: BasisCatalogue) -> None:
    """Mark the catalogue changed when its entries change (the cached checks key on it)."""
    catalogue.save(update_fields=["updated_at"])


def _write_entry(entry: CatalogueEntry, data: EntryData) -> CatalogueEntry:
    for field in ("instrument", "category", "lead_department", "rights_and_duties", "subject_kind", "principal"):
        setattr(entry, field, getattr(data, field))
    if data.attachment is not None:
        entry.attachment = data.attachment
        entry.attachment_name = original_name(data.attachment)
    for provision in data.provisions:
        if provision.instrument_id != data.instrument.pk:
            raise WorkflowError(
                _("Provision %(provision)s is not part of %(instrument)s.")
                % {"provision": provision, "instrument": data.instrument.name}
            )
    entry.full_clean(exclude=["catalogue", "attachment"])
    entry.save()
    entry.provisions.set(data.provisions)
    entry.joint_departments.set(data.joint_departments)
    entry.assisting_departments.set(data.assisting_departments)
    return entry


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def entry_create(*, actor, catalogue: BasisCatalogue, data: EntryData) -> CatalogueEntry:
    catalogue = _lock_editable(actor, catalogue)
    position = (catalogue.entries.aggregate(p=Max("position"))["p"] or 0) + 1
    entry = _write_entry(CatalogueEntry(catalogue=catalogue, position=position), data)
    _touch(catalogue)
    event_record(action=AuditAction.CREATE, actor=actor, obj=entry, detail={"catalogue": catalogue.pk})
    return entry


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def entry_update(*, actor, entry: CatalogueEntry, data: EntryData) -> CatalogueEntry:
    _touch(_lock_editable(actor, entry.catalogue))
    entry = _write_entry(entry, data)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=entry)
    return entry


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def entry_delete(*, actor, entry: CatalogueEntry) -> None:
    _touch(_lock_editable(actor, entry.catalogue))
    event_record(action=AuditAction.DELETE, actor=actor, obj=entry)
    entry.delete()


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def entries_replace(*, actor, catalogue: BasisCatalogue, rows: list[EntryData]) -> int:
    """Replace a draft's entries at once (the confirmed import): all or nothing.

    Written in bulk (a 10,000-row import would take minutes row by row): entries with their
    history rows, then the three link tables. The rows come validated by the importer; the
    checks here are the ones no file may get past."""
    catalogue = _lock_editable(actor, catalogue)
    entries = []
    for position, data in enumerate(rows, start=1):
        if any(p.instrument_id != data.instrument.pk for p in data.provisions):
            raise WorkflowError(_("Row %(n)d cites a provision of another instrument.") % {"n": position})
        if data.category not in ManagementCategory.values or data.subject_kind not in SubjectKind.values:
            raise ValidationError(_("Row %(n)d has an unknown category or subject kind.") % {"n": position})
        if data.subject_kind == "entrusted" and data.principal is None:
            raise WorkflowError(_("Row %(n)d: an entrusted organisation must name its principal.") % {"n": position})
        entries.append(
            CatalogueEntry(
                catalogue=catalogue,
                position=position,
                instrument=data.instrument,
                category=data.category,
                lead_department=data.lead_department,
                rights_and_duties=data.rights_and_duties,
                subject_kind=data.subject_kind,
                principal=data.principal,
            )
        )
    catalogue.entries.all().delete()
    _touch(catalogue)
    created = bulk_create_with_history(entries, CatalogueEntry, batch_size=1000, default_user=actor)
    if any(entry.pk is None for entry in created):  # backends that return no keys from bulk inserts
        created = list(catalogue.entries.order_by("position"))
    links = (
        (CatalogueEntry.provisions.through, "provision_id", "provisions"),
        (CatalogueEntry.joint_departments.through, "organisation_id", "joint_departments"),
        (CatalogueEntry.assisting_departments.through, "organisation_id", "assisting_departments"),
    )
    for through, column, attribute in links:
        through.objects.bulk_create(
            [
                through(catalogueentry_id=entry.pk, **{column: target.pk})
                for entry, data in zip(created, rows)
                for target in getattr(data, attribute)
            ],
            batch_size=2000,
        )
    event_record(
        action=AuditAction.IMPORT, actor=actor, obj=catalogue, detail={"entries": len(rows)}
    )
    return len(rows)


# -- Transitions ------------------------------------------------------------------------------


def deadline_for_government(government: Organisation) -> SubmissionDeadline | None:
    """The deadline in force for a jurisdiction: the one the office set last."""
    return SubmissionDeadline.objects.filter(jurisdiction=government).order_by("-created_at", "-pk").first()


def deadline_for(department: Organisation) -> SubmissionDeadline | None:
    if department.jurisdiction_id is None:
        return None
    return deadline_for_government(department.jurisdiction)


@guarded(_check_with(basis_perms.can_submit_catalogue), who=Actor.DEPARTMENT_EDITOR)
def catalogue_submit(*, actor, catalogue: BasisCatalogue) -> BasisCatalogue:
    catalogue, source = workflow.advance(catalogue, Transition.SUBMIT)
    if not catalogue.entries.exists():
        raise WorkflowError(_("An empty catalogue cannot be submitted."))
    now = timezone.now()
    deadline = deadline_for(catalogue.department)
    catalogue.submitted_at = now
    # Late submissions are accepted, and marked.
    catalogue.is_late = deadline is not None and now > deadline.due_at
    workflow.record(actor, catalogue, source, fields=("submitted_at", "is_late"))
    transaction.on_commit(lambda: _notify_reviewers(catalogue.pk))
    return catalogue


@guarded(_check_with(basis_perms.can_decide_catalogue), who=Actor.OFFICE)
def catalogue_start_review(*, actor, catalogue: BasisCatalogue) -> BasisCatalogue:
    catalogue, source = workflow.advance(catalogue, Transition.START_REVIEW)
    workflow.record(actor, catalogue, source)
    return catalogue


@guarded(_check_with(basis_perms.can_decide_catalogue), who=Actor.OFFICE)
def catalogue_return(*, actor, catalogue: BasisCatalogue, comment: str) -> BasisCatalogue:
    catalogue, source = workflow.advance(catalogue, Transition.RETURN)
    has_entry_comments = catalogue.comments.filter(entry__isnull=False, created_at__gte=_review_started(catalogue)).exists()
    if not comment.strip() and not has_entry_comments:
        raise WorkflowError(_("Say why the catalogue is returned: add a comment on it or on an entry."))
    catalogue.comment = comment
    workflow.record(actor, catalogue, source, comment=comment, fields=("comment",))
    transaction.on_commit(lambda: _notify_department(catalogue.pk))
    return catalogue


def _review_started(catalogue: BasisCatalogue):
    event = catalogue.events.filter(to_status=ReviewStatus.UNDER_REVIEW).order_by("-occurred_at").first()
    return event.occurred_at if event else catalogue.created_at


@guarded(_check_with(basis_perms.can_decide_catalogue), who=Actor.OFFICE)
def catalogue_approve(*, actor, catalogue: BasisCatalogue, comment: str = "") -> BasisCatalogue:
    catalogue, source = workflow.advance(catalogue, Transition.APPROVE)
    workflow.record(actor, catalogue, source, comment=comment)
    return catalogue


@guarded(_check_with(basis_perms.can_decide_catalogue), who=Actor.OFFICE)
def catalogue_publish(*, actor, catalogue: BasisCatalogue) -> BasisCatalogue:
    catalogue, source = workflow.advance(catalogue, Transition.PUBLISH)
    catalogue.needs_revision = False
    workflow.publish(actor, catalogue, source, fields=("needs_revision",))
    transaction.on_commit(lambda: _notify_department(catalogue.pk))
    return catalogue


@guarded(_check_with(basis_perms.can_comment_catalogue))
def comment_add(*, actor, catalogue: BasisCatalogue, body: str, entry: CatalogueEntry | None = None) -> ReviewComment:
    catalogue = BasisCatalogue.objects.select_for_update().get(pk=catalogue.pk)
    if catalogue.status != ReviewStatus.UNDER_REVIEW:
        raise WorkflowError(_("Comments are made while a catalogue is under review."))
    if entry is not None and entry.catalogue_id != catalogue.pk:
        raise WorkflowError(_("That entry belongs to another catalogue."))
    if not body.strip():
        raise WorkflowError(_("The comment is empty."))
    comment = ReviewComment.objects.create(catalogue=catalogue, entry=entry, author=actor, body=body.strip())
    event_record(action=AuditAction.CREATE, actor=actor, obj=catalogue, message=body[:200], detail={"comment": comment.pk})
    return comment


# -- Registry and deadlines -------------------------------------------------------------------


@guarded(lambda actor, *, instrument, **_: (basis_perms.can_manage_instruments(actor), instrument))
def instrument_record_status(
    *, actor, instrument: LegalInstrument, to_status: str, note: str, effective_on=None
) -> int:
    """Record an amendment or repeal; flag every current catalogue that cites the instrument and
    tell its editors. Returns the number of catalogues flagged."""
    instrument = LegalInstrument.objects.select_for_update().get(pk=instrument.pk)
    if to_status not in (InstrumentStatus.AMENDED, InstrumentStatus.REPEALED):
        raise WorkflowError(_("Record an instrument as amended or repealed."))
    if instrument.status == InstrumentStatus.REPEALED:
        raise WorkflowError(_("A repealed instrument cannot change status again."))
    InstrumentStatusChange.objects.create(
        instrument=instrument,
        from_status=instrument.status,
        to_status=to_status,
        effective_on=effective_on,
        note=note,
        recorded_by=actor,
    )
    instrument.status = to_status
    instrument.save(update_fields=["status", "updated_at"])
    # Stored text is written in the official language, whatever the recorder's interface shows.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("%(instrument)s was %(status)s: %(note)s") % {
            "instrument": instrument.name,
            "status": InstrumentStatus(to_status).label,
            "note": note,
        }
    affected = BasisCatalogue.objects.filter(
        status__in=[*_open(), ReviewStatus.PUBLISHED], entries__instrument=instrument
    ).distinct()
    ids = list(affected.values_list("pk", flat=True))
    for catalogue in BasisCatalogue.objects.select_for_update().filter(pk__in=ids):
        catalogue.needs_revision = True
        catalogue.revision_reason = "\n".join(filter(None, [catalogue.revision_reason, reason]))
        catalogue.save(update_fields=["needs_revision", "revision_reason", "updated_at"])
    event_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=instrument,
        message=reason,
        detail={"to": to_status, "flagged_catalogues": ids},
    )
    transaction.on_commit(lambda: [_notify_department(pk, reason=reason) for pk in ids])
    return len(ids)


INSTRUMENT_FIELDS = (
    "code", "name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on",
    "full_text", "attachment", "source",
)


@guarded(lambda actor, **_: (basis_perms.can_manage_instruments(actor), None))
def instrument_save(*, actor, instrument: LegalInstrument | None = None, articles: int = 0, **fields) -> LegalInstrument:
    """Add an instrument to the registry, or correct its description, and make sure its articles
    1..``articles`` exist as provisions. Status changes go through instrument_record_status."""
    unknown = set(fields) - set(INSTRUMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    creating = instrument is None
    instrument = LegalInstrument() if creating else LegalInstrument.objects.select_for_update().get(pk=instrument.pk)
    for field, value in fields.items():
        setattr(instrument, field, value)
    upload = fields.get("attachment")
    if isinstance(upload, UploadedFile):
        instrument.attachment_name = original_name(upload)
    elif "attachment" in fields and not upload:
        # None (nothing there) or False (the form's "clear" box): no file, no name.
        instrument.attachment, instrument.attachment_name = "", ""
    instrument.full_clean()
    instrument.save()
    existing = set(instrument.provisions.filter(paragraph=0, item=0).values_list("article", flat=True))
    Provision.objects.bulk_create(
        [Provision(instrument=instrument, article=n) for n in range(1, articles + 1) if n not in existing]
    )
    event_record(action=AuditAction.CREATE if creating else AuditAction.UPDATE, actor=actor, obj=instrument)
    return instrument


@guarded(lambda actor, *, jurisdiction, **_: (basis_perms.can_set_deadline(actor, jurisdiction), jurisdiction), who=Actor.OFFICE)
def deadline_set(*, actor, jurisdiction: Organisation, due_at, note: str = "") -> SubmissionDeadline:
    deadline = SubmissionDeadline.objects.create(jurisdiction=jurisdiction, due_at=due_at, note=note, created_by=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=deadline, detail={"due_at": due_at.isoformat()})
    return deadline


# -- Notifications (after commit) -------------------------------------------------------------


def _notify_department(catalogue_id: int, reason: str = "") -> None:
    from .tasks import notify_catalogue_change

    notify_catalogue_change.delay(catalogue_id, "department", reason)


def _notify_reviewers(catalogue_id: int) -> None:
    from .tasks import notify_catalogue_change

    notify_catalogue_change.delay(catalogue_id, "reviewers", "")
