"""Writes to the enforcement basis. Each service checks the actor through basis.permissions,
changes state in one transaction, records the audit event, and schedules side effects (mail)
after the commit."""

import functools
import re
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
from workflow.engine import advance, record
from workflow.review import OPEN_STATUSES, ReviewStatus, Transition, WorkflowError
from workflow.revision import versions_flag_for_revision

from .checks import FindingKind, cached_findings_for_catalogue
from .models import (
    BasisCatalogue,
    CatalogueEntry,
    EstablishmentOpinion,
    InstrumentProposal,
    InstrumentStatus,
    JurisdictionReviewSetting,
    InstrumentStatusChange,
    DateDisagreement,
    LegalInstrument,
    ManagementCategory,
    OpinionVerdict,
    PendingImportRow,
    ProposalStatus,
    Provision,
    ReviewComment,
    SubmissionDeadline,
)
from .signals import instrument_amended


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
    _pending_rows_settled_by(actor, entry)
    return entry


def _normal_instrument_name(name: str) -> str:
    name = "".join(name.split()).strip("《》〈〉").replace("(", "（").replace(")", "）")
    return name.removeprefix("中华人民共和国")


def _pending_rows_settled_by(actor, entry: CatalogueEntry) -> None:
    """An entry added by hand for an instrument settles the rejected rows that named it."""
    wanted = _normal_instrument_name(entry.instrument.name)
    settled = [
        row for row in entry.catalogue.pending_rows.all() if _normal_instrument_name(row.instrument_name) == wanted
    ]
    for row in settled:
        event_record(action=AuditAction.DELETE, actor=actor, obj=row, detail={"settled_by_entry": entry.pk})
    PendingImportRow.objects.filter(pk__in=[row.pk for row in settled]).delete()


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def pending_rows_replace(*, actor, catalogue: BasisCatalogue, rows: list[dict], file_name: str = "") -> int:
    """The catalogue's to-fix list becomes the rows an import rejected (none after a clean one)."""
    catalogue = _lock_editable(actor, catalogue)
    catalogue.pending_rows.all().delete()
    PendingImportRow.objects.bulk_create(
        PendingImportRow(
            catalogue=catalogue,
            row=row["row"],
            cells=row["cells"],
            messages=row["messages"],
            instrument_name=row.get("instrument_name", "")[:200],
            file_name=file_name[:255],
            created_by=actor,
        )
        for row in rows
    )
    if rows:
        event_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=catalogue,
            detail={"pending_rows": [row["row"] for row in rows], "file": file_name},
        )
    return len(rows)


@guarded(lambda actor, *, row: (basis_perms.is_catalogue_editor(actor, row.catalogue), row.catalogue))
def pending_row_remove(*, actor, row: PendingImportRow) -> None:
    """The editor fixed the row (or gave it up): it leaves the to-fix list."""
    _lock_editable(actor, row.catalogue)
    event_record(action=AuditAction.DELETE, actor=actor, obj=row, detail={"cells": row.cells})
    row.delete()


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def date_disagreements_record(*, actor, catalogue: BasisCatalogue, checks: list[dict]) -> int:
    """Note for the office each date of an imported sheet that the registry gives otherwise.
    The registry itself is not changed: the office checks it against the sources."""
    if not checks:
        return 0
    instruments = LegalInstrument.objects.in_bulk({check["instrument"] for check in checks})
    recorded = DateDisagreement.objects.bulk_create(
        DateDisagreement(
            instrument=instruments[check["instrument"]],
            department_id=catalogue.department_id,
            catalogue=catalogue,
            field=check["field"],
            sheet_date=check["sheet_date"],
            registry_date=check["registry_date"],
            recorded_by=actor,
        )
        for check in checks
        if check["instrument"] in instruments
    )
    event_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=catalogue,
        detail={"date_disagreements": [[c["instrument"], c["field"], c["sheet_date"]] for c in checks]},
    )
    return len(recorded)


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
def catalogue_approve(
    *, actor, catalogue: BasisCatalogue, comment: str = "", acknowledged_findings: bool = False, reason: str = ""
) -> BasisCatalogue:
    """Approve a version under review. With open findings (多头执法, a partner that records a
    joint entry otherwise …) the office must acknowledge them and say why it approves all the
    same; the reason goes on the version's history and the kinds on the audit trail."""
    check_establishment_opinion(catalogue, comment)
    catalogue, source = workflow.advance(catalogue, Transition.APPROVE)
    open_findings = cached_findings_for_catalogue(catalogue)
    reason = reason.strip()
    if open_findings and not (acknowledged_findings and reason):
        kinds = _(", ").join(dict.fromkeys(str(FindingKind(f.kind).label) for f in open_findings))
        raise WorkflowError(
            _(
                "This catalogue has %(count)d open findings (%(kinds)s). To approve it all the same, "
                "acknowledge them and give the reason."
            )
            % {"count": len(open_findings), "kinds": kinds}
        )
    if open_findings:
        comment = "\n".join(part for part in (reason, comment.strip()) if part)
    workflow.record(actor, catalogue, source, comment=comment)
    if open_findings:
        counts: dict[str, int] = {}
        for finding in open_findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        event_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=catalogue,
            message=reason[:200],
            detail={"acknowledged_findings": counts, "reason": reason},
        )
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
    # The same flagging as a reform's (workflow.revision): current versions only, reason once.
    ids = versions_flag_for_revision(
        queryset=BasisCatalogue.objects.filter(entries__instrument=instrument),
        reason=reason,
        actor=actor,
        detail={"instrument": instrument.pk},
    )
    event_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=instrument,
        message=reason,
        detail={"to": to_status, "flagged_catalogues": ids},
    )
    transaction.on_commit(lambda: [_notify_department(pk, reason=reason) for pk in ids])
    # The breakdowns and responsibility sets resting on it are the higher chapters' to flag.
    transaction.on_commit(
        functools.partial(
            instrument_amended.send,
            sender=LegalInstrument,
            instrument_id=instrument.pk,
            provision_ids=None,
            to_status=to_status,
            reason=reason,
            actor=actor,
        )
    )
    return len(ids)


INSTRUMENT_FIELDS = (
    "code", "name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on",
    "binds_all_departments", "full_text", "attachment", "source",
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
    return deadline_record(actor=actor, jurisdiction=jurisdiction, due_at=due_at, note=note)


def deadline_record(*, actor, jurisdiction: Organisation, due_at, note: str = "") -> SubmissionDeadline:
    """Put ``jurisdiction``'s catalogue deadline in force, unchecked: for ``deadline_set`` and for
    an upper chapter that has checked its own actor (the rollout's phase 2 writes the catalogue
    deadline through here, so that the phase and the catalogues keep one date)."""
    deadline = SubmissionDeadline.objects.create(jurisdiction=jurisdiction, due_at=due_at, note=note, created_by=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=deadline, detail={"due_at": due_at.isoformat()})
    return deadline


# -- Joint review with the establishment office (会同) ----------------------------------------


def establishment_opinion_required(jurisdiction_id: int | None) -> bool:
    return JurisdictionReviewSetting.objects.filter(
        jurisdiction_id=jurisdiction_id, establishment_opinion_required=True
    ).exists()


def establishment_opinion_on(catalogue: BasisCatalogue) -> EstablishmentOpinion | None:
    """The establishment office's latest opinion on the catalogue as a whole, given since its
    latest submission: an opinion on what a department has since revised and resubmitted no
    longer speaks for it."""
    opinions = catalogue.establishment_opinions.filter(entry__isnull=True)
    if catalogue.submitted_at is not None:
        opinions = opinions.filter(created_at__gte=catalogue.submitted_at)
    return opinions.order_by("-created_at", "-pk").first()


def check_establishment_opinion(catalogue: BasisCatalogue, comment: str = "") -> None:
    """Refuse an approval the joint review does not allow. Where the jurisdiction requires it,
    the establishment office's opinion on the catalogue must be on record. A "disagree" does
    not bind the legal-affairs office, which decides (§5(三) has the establishment office
    review together with it, not for it), but the approval must then say why it departs."""
    # Read afresh: the caller's copy may predate the latest submission.
    catalogue = BasisCatalogue.objects.select_related("department").get(pk=catalogue.pk)
    opinion = establishment_opinion_on(catalogue)
    if opinion is None:
        if establishment_opinion_required(catalogue.department.jurisdiction_id):
            raise WorkflowError(
                _("This catalogue cannot be approved yet: the establishment office has not given its opinion on it, "
                  "and this jurisdiction requires one before approval.")
            )
        return
    if opinion.verdict == OpinionVerdict.DISAGREE and not comment.strip():
        raise WorkflowError(
            _("The establishment office disagrees with this catalogue: say in the approval comment why it is approved all the same.")
        )


@guarded(_check_with(basis_perms.can_give_establishment_opinion))
def establishment_opinion_add(
    *, actor, catalogue: BasisCatalogue, verdict: str, text: str = "", entry: CatalogueEntry | None = None
) -> EstablishmentOpinion:
    catalogue = BasisCatalogue.objects.select_for_update().get(pk=catalogue.pk)
    if catalogue.status not in (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW):
        raise WorkflowError(_("The establishment office gives its opinion on a catalogue submitted or under review."))
    if verdict not in OpinionVerdict.values:
        raise WorkflowError(_("Choose agree, agree with remarks or disagree."))
    text = text.strip()
    if verdict != OpinionVerdict.AGREE and not text:
        raise WorkflowError(_("Write down the remarks or the reasons for disagreeing."))
    if entry is not None and entry.catalogue_id != catalogue.pk:
        raise WorkflowError(_("That entry does not belong to this catalogue."))
    opinion = EstablishmentOpinion.objects.create(
        catalogue=catalogue, entry=entry, verdict=verdict, text=text, author=actor
    )
    event_record(
        action=AuditAction.CREATE, actor=actor, obj=catalogue, message=f"{verdict}: {text[:180]}",
        detail={"establishment_opinion": opinion.pk, "entry": entry.pk if entry else None, "verdict": verdict},
    )
    return opinion


def review_setting_for(jurisdiction: Organisation) -> JurisdictionReviewSetting:
    """The jurisdiction's setting, or the defaults (unsaved) when it has none."""
    return JurisdictionReviewSetting.objects.filter(jurisdiction=jurisdiction).first() or JurisdictionReviewSetting(
        jurisdiction=jurisdiction
    )


@guarded(lambda actor, *, jurisdiction, **_kw: (basis_perms.can_set_review_settings(actor, jurisdiction), jurisdiction))
def review_setting_update(
    *, actor, jurisdiction: Organisation, establishment_opinion_required: bool
) -> JurisdictionReviewSetting:
    setting, _created = JurisdictionReviewSetting.objects.select_for_update().get_or_create(jurisdiction=jurisdiction)
    before = setting.establishment_opinion_required
    setting.establishment_opinion_required = establishment_opinion_required
    setting.save(update_fields=["establishment_opinion_required", "updated_at"])
    event_record(
        action=AuditAction.UPDATE, actor=actor, obj=setting,
        detail={"establishment_opinion_required": [before, establishment_opinion_required]},
    )
    return setting


# -- Notifications (after commit) -------------------------------------------------------------


def _notify_department(catalogue_id: int, reason: str = "") -> None:
    from .tasks import notify_catalogue_change

    notify_catalogue_change.delay(catalogue_id, "department", reason)


def _notify_reviewers(catalogue_id: int) -> None:
    from .tasks import notify_catalogue_change

    notify_catalogue_change.delay(catalogue_id, "reviewers", "")
    # The establishment office reviews together with the legal-affairs office (会同): it hears of
    # the submission too, rather than finding out only if it happens to look.
    notify_catalogue_change.delay(catalogue_id, "establishment", "")


# -- Proposals of instruments the registry lacks ----------------------------------------------


PROPOSAL_FIELDS = ("name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on", "note")


class DuplicateProposal(WorkflowError):
    """The proposed instrument is in the registry already, or proposed and awaiting a decision;
    ``existing`` is that instrument or proposal, for the message to point to."""

    def __init__(self, message, existing):
        super().__init__(message)
        self.existing = existing


def normalise_instrument_name(name: str) -> str:
    """An instrument's name as people write it: in book-title marks, with stray spaces, with
    half- or full-width brackets, with or without the country's name."""
    name = re.sub(r"\s", "", name or "").strip("《》〈〉")
    name = name.replace("(", "（").replace(")", "）")
    return name.removeprefix(NATIONAL_PREFIX)


NATIONAL_PREFIX = "中华人民共和国"


def _duplicate_of(name: str, *, exclude_proposal: int | None = None):
    key = normalise_instrument_name(name)
    candidates = LegalInstrument.objects.filter(name__contains=key.removeprefix(NATIONAL_PREFIX)[:60])
    for instrument in candidates:
        if normalise_instrument_name(instrument.name) == key:
            return instrument
    pending = InstrumentProposal.objects.filter(status=ProposalStatus.PENDING).exclude(pk=exclude_proposal)
    for proposal in pending.filter(name__contains=key[:60]):
        if normalise_instrument_name(proposal.name) == key:
            return proposal
    return None


def _check_duplicate(name: str, *, exclude_proposal: int | None = None) -> None:
    existing = _duplicate_of(name, exclude_proposal=exclude_proposal)
    if isinstance(existing, LegalInstrument):
        raise DuplicateProposal(
            _("“%(name)s” is in the registry already (%(number)s): cite it as it is named there.")
            % {"name": existing.name, "number": existing.document_number or existing.code},
            existing,
        )
    if existing is not None:
        raise DuplicateProposal(
            _("“%(name)s” was proposed by %(department)s on %(date)s and awaits the legal-affairs office's decision.")
            % {
                "name": existing.name,
                "department": existing.department.name,
                "date": timezone.localtime(existing.proposed_at).date().isoformat(),
            },
            existing,
        )


@guarded(lambda actor, **_: (basis_perms.can_propose_instrument(actor), None))
def instrument_propose(*, actor, data: dict, return_to: str = "") -> InstrumentProposal:
    """A department editor proposes an instrument the registry lacks; the office decides."""
    unknown = set(data) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ValueError(f"Not proposable: {', '.join(sorted(unknown))}")
    name = (data.get("name") or "").strip()
    if not name:
        raise WorkflowError(_("Give the instrument's name."))
    _check_duplicate(name)
    proposal = InstrumentProposal(
        **{**data, "name": name}, department=basis_perms.department_of(actor), proposed_by=actor,
        return_to=return_to[:500],
    )
    proposal.full_clean()
    proposal.save()
    event_record(action=AuditAction.CREATE, actor=actor, obj=proposal, message=name)
    transaction.on_commit(lambda: _notify_proposal(proposal.pk, "office"))
    return proposal


def _decide_check(actor, *, proposal, **_kwargs):
    return basis_perms.can_decide_proposal(actor, proposal), proposal


def _decide(actor, proposal, transition, *, instrument=None, reason=""):
    from .workflow import PROPOSAL

    locked, source = advance(PROPOSAL, proposal, transition)
    locked.instrument = instrument
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.reason = reason
    record(PROPOSAL, actor, locked, source, comment=reason,
           fields=("instrument", "decided_by", "decided_at", "reason"))
    transaction.on_commit(lambda: _notify_proposal(locked.pk, "proposer"))
    return locked


@guarded(_decide_check)
def proposal_confirm(*, actor, proposal: InstrumentProposal, articles: int = 0, **corrections) -> InstrumentProposal:
    """Add the proposed instrument to the registry (with the office's corrections to its
    description), in force, with articles 1..``articles`` as provisions."""
    unknown = set(corrections) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ValueError(f"Not correctable: {', '.join(sorted(unknown))}")
    values = {field: getattr(proposal, field) for field in PROPOSAL_FIELDS if field != "note"}
    values.update({k: v for k, v in corrections.items() if k != "note"})
    _check_duplicate(values["name"], exclude_proposal=proposal.pk)
    with translation.override(settings.LANGUAGE_CODE):
        source = _("proposed by %(department)s") % {"department": proposal.department.name}
    instrument = LegalInstrument(
        code=f"PROP-{proposal.pk}", status=InstrumentStatus.IN_FORCE, source=source[:200], **values
    )
    instrument.full_clean()
    instrument.save()
    Provision.objects.bulk_create([Provision(instrument=instrument, article=n) for n in range(1, articles + 1)])
    event_record(action=AuditAction.CREATE, actor=actor, obj=instrument, detail={"proposal": proposal.pk})
    return _decide(actor, proposal, "confirm", instrument=instrument)


@guarded(_decide_check)
def proposal_merge(*, actor, proposal: InstrumentProposal, instrument: LegalInstrument, reason: str = "") -> InstrumentProposal:
    """The proposal names an instrument the registry has (under another spelling or number):
    the proposal points to it and the department cites it."""
    instrument = LegalInstrument.objects.get(pk=instrument.pk)
    return _decide(actor, proposal, "merge", instrument=instrument, reason=reason.strip())


@guarded(_decide_check)
def proposal_refuse(*, actor, proposal: InstrumentProposal, reason: str) -> InstrumentProposal:
    if not (reason or "").strip():
        raise WorkflowError(_("Say why the proposal is refused: the department reads it."))
    return _decide(actor, proposal, "refuse", reason=reason.strip())


def proposal_decisions_announce(*, actor) -> list[InstrumentProposal]:
    """The decisions on the actor's proposals not yet shown to them, marked as shown now (a
    message on their next visit). Nothing to audit: it changes no reviewed data."""
    with transaction.atomic():
        decided = list(
            InstrumentProposal.objects.select_for_update()
            .filter(proposed_by=actor, announced_at__isnull=True)
            .exclude(status=ProposalStatus.PENDING)
        )
        if decided:
            InstrumentProposal.objects.filter(pk__in=[p.pk for p in decided]).update(announced_at=timezone.now())
    return decided


def _notify_proposal(proposal_id: int, audience: str) -> None:
    from .tasks import notify_proposal

    notify_proposal.delay(proposal_id, audience)
