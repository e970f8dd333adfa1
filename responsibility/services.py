"""Writes to a department's responsibilities: the versions of its responsibility set and their
review workflow (the transitions of workflow.review), responsibilities, enforcement standards
with their bands, and the standing register of supporting rules.

Every service checks the actor before its transaction (``guarded``), the state of the locked
version inside it, and writes one audit event."""

import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from authority.models import Post, ProcedureStage
from organisations.models import Organisation, OrganisationKind
from responsibility import permissions as responsibility_perms
from toolkit.files import original_name
from workflow import review as workflow
from workflow.review import EDITABLE_STATUSES, Transition, WorkflowError

from . import selectors
from .models import (
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilityKind,
    ResponsibilitySet,
    StandardBand,
    SupportingRule,
    SupportingRuleKind,
    SupportingRuleStatus,
)


class ResponsibilityError(WorkflowError):
    """A write refused for a reason the user can act on (shown as is)."""


# -- Versions ---------------------------------------------------------------------------------


@guarded(lambda actor, *, department: (responsibility_perms.can_start_responsibility_set(actor, department), department), who=Actor.DEPARTMENT_EDITOR)
def responsibility_set_start(*, actor, department: Organisation) -> ResponsibilitySet:
    """Open the next version of a department's responsibility set, copied (responsibilities,
    standards and their bands) from its latest published one."""
    return workflow.start(actor, ResponsibilitySet, department, _copy_contents)


def _copy_contents(source: ResponsibilitySet, target: ResponsibilitySet) -> None:
    Responsibility.objects.bulk_create(
        [
            Responsibility(
                responsibility_set=target, position=r.position, level=r.level, agency_id=r.agency_id,
                post_id=r.post_id, kind_id=r.kind_id, power_code=r.power_code, stage_id=r.stage_id,
                content=r.content,
            )
            for r in source.responsibilities.all()
        ]
    )
    for standard in source.standards.prefetch_related("bands"):
        copy = EnforcementStandard.objects.create(
            responsibility_set=target, position=standard.position, power_code=standard.power_code,
            title=standard.title, note=standard.note,
        )
        StandardBand.objects.bulk_create(
            [
                StandardBand(standard=copy, order=b.order, label=b.label, circumstances=b.circumstances, measure=b.measure)
                for b in standard.bands.all()
            ]
        )


def _check_with(predicate):
    def check(actor, *, responsibility_set, **_kwargs):
        return predicate(actor, responsibility_set), responsibility_set

    return check


@guarded(_check_with(responsibility_perms.can_submit_responsibility_set), who=Actor.DEPARTMENT_EDITOR)
def responsibility_set_submit(*, actor, responsibility_set: ResponsibilitySet) -> ResponsibilitySet:
    responsibility_set, source = workflow.advance(responsibility_set, Transition.SUBMIT)
    if not responsibility_set.responsibilities.exists():
        raise ResponsibilityError(_("A responsibility set without responsibilities cannot be submitted."))
    # The breakdown may have moved on since a responsibility was written: every cited power
    # must still be one of the department's.
    powers = selectors.current_powers(responsibility_set.department)
    cited = set(responsibility_set.responsibilities.exclude(power_code="").values_list("power_code", flat=True))
    cited |= set(responsibility_set.standards.values_list("power_code", flat=True))
    gone = sorted(cited - set(powers))
    if gone:
        raise ResponsibilityError(
            _("Power code(s) %(codes)s are no longer in the current breakdown of %(department)s; fix them first.")
            % {"codes": "、".join(gone), "department": responsibility_set.department.name}
        )
    responsibility_set.submitted_at = timezone.now()
    workflow.record(actor, responsibility_set, source, fields=("submitted_at",))
    return responsibility_set


@guarded(_check_with(responsibility_perms.can_decide_responsibility_set), who=Actor.OFFICE)
def responsibility_set_start_review(*, actor, responsibility_set: ResponsibilitySet) -> ResponsibilitySet:
    responsibility_set, source = workflow.advance(responsibility_set, Transition.START_REVIEW)
    workflow.record(actor, responsibility_set, source)
    return responsibility_set


@guarded(_check_with(responsibility_perms.can_decide_responsibility_set), who=Actor.OFFICE)
def responsibility_set_return(*, actor, responsibility_set: ResponsibilitySet, comment: str) -> ResponsibilitySet:
    responsibility_set, source = workflow.advance(responsibility_set, Transition.RETURN)
    if not (comment or "").strip():
        raise ResponsibilityError(_("Say why the responsibility set is returned."))
    responsibility_set.comment = comment.strip()
    workflow.record(actor, responsibility_set, source, comment=responsibility_set.comment, fields=("comment",))
    return responsibility_set


@guarded(_check_with(responsibility_perms.can_decide_responsibility_set), who=Actor.OFFICE)
def responsibility_set_approve(*, actor, responsibility_set: ResponsibilitySet, comment: str = "") -> ResponsibilitySet:
    responsibility_set, source = workflow.advance(responsibility_set, Transition.APPROVE)
    workflow.record(actor, responsibility_set, source, comment=comment)
    return responsibility_set


@guarded(_check_with(responsibility_perms.can_decide_responsibility_set), who=Actor.OFFICE)
def responsibility_set_publish(*, actor, responsibility_set: ResponsibilitySet) -> ResponsibilitySet:
    responsibility_set, source = workflow.advance(responsibility_set, Transition.PUBLISH)
    responsibility_set.needs_revision = False
    workflow.publish(actor, responsibility_set, source, fields=("needs_revision",))
    return responsibility_set


TRANSITION_SERVICES = {
    Transition.SUBMIT: responsibility_set_submit,
    Transition.START_REVIEW: responsibility_set_start_review,
    Transition.RETURN: responsibility_set_return,
    Transition.APPROVE: responsibility_set_approve,
    Transition.PUBLISH: responsibility_set_publish,
}


def transition_predicate(name: str):
    """The permission predicate of a transition (for showing its button)."""
    return responsibility_perms.can_submit_responsibility_set if name == Transition.SUBMIT else responsibility_perms.can_decide_responsibility_set


# -- Contents of a version --------------------------------------------------------------------


def _lock_editable(responsibility_set: ResponsibilitySet) -> ResponsibilitySet:
    locked = (
        ResponsibilitySet.objects.select_for_update().select_related("department").get(pk=responsibility_set.pk)
    )
    if locked.status not in EDITABLE_STATUSES:
        raise ResponsibilityError(
            _("A %(status)s responsibility set cannot be edited.") % {"status": locked.get_status_display()}
        )
    return locked


def _editor_check(actor, *, responsibility_set=None, responsibility=None, standard=None, **_kwargs):
    pk = responsibility_set.pk if responsibility_set is not None else (responsibility or standard).responsibility_set_id
    responsibility_set = ResponsibilitySet.objects.select_related("department").get(pk=pk)
    return responsibility_perms.is_responsibility_editor(actor, responsibility_set), responsibility_set


def _check_power_code(department: Organisation, code: str, powers: dict | None = None):
    """The power of ``code`` in the department's current breakdown, or a refusal naming it."""
    powers = powers if powers is not None else selectors.current_powers(department)
    power = powers.get(code)
    if power is None:
        raise ResponsibilityError(
            _(
                "Power code %(code)s is not in the current breakdown of %(department)s. "
                "Cite a power of the published breakdown or of the version before the office."
            )
            % {"code": code, "department": department.name}
        )
    return power


@dataclass
class ResponsibilityData:
    kind: ResponsibilityKind
    content: str
    level: str = HolderLevel.DEPARTMENT
    agency: Organisation | None = None
    post: Post | None = None
    power_code: str = ""
    stage: ProcedureStage | None = None


def _is_agency_of(agency: Organisation, department: Organisation) -> bool:
    return (
        agency.kind == OrganisationKind.AGENCY
        and agency.pk != department.pk
        and agency.path.startswith(department.path)
    )


def _check_responsibility(department: Organisation, data: ResponsibilityData) -> ResponsibilityData:
    """Check the holder, the power and the stage; returns the data with the post's agency filled
    in for a post-level responsibility."""
    if not (data.content or "").strip():
        raise ResponsibilityError(_("Write the content of the responsibility."))
    if data.level not in HolderLevel.values:
        raise ResponsibilityError(_("Unknown holder level."))
    if data.level == HolderLevel.DEPARTMENT:
        if data.agency is not None or data.post is not None:
            raise ResponsibilityError(_("A responsibility of the department names no agency and no post."))
    elif data.level == HolderLevel.AGENCY:
        if data.agency is None:
            raise ResponsibilityError(_("Choose the agency that holds this responsibility."))
        if data.post is not None:
            raise ResponsibilityError(_("A responsibility of an agency names no post; choose the post level instead."))
    else:
        if data.post is None:
            raise ResponsibilityError(_("Choose the post that holds this responsibility."))
        if data.agency is not None and data.agency.pk != data.post.agency_id:
            raise ResponsibilityError(
                _("Post %(post)s does not belong to agency %(agency)s.") % {"post": data.post.name, "agency": data.agency.name}
            )
        data.agency = data.post.agency
    if data.agency is not None and not _is_agency_of(data.agency, department):
        raise ResponsibilityError(
            _("%(agency)s is not an internal agency of %(department)s.")
            % {"agency": data.agency.name, "department": department.name}
        )
    data.power_code = (data.power_code or "").strip()
    if data.power_code:
        power = _check_power_code(department, data.power_code)
        if data.stage is not None and power.stage_ids and data.stage.pk not in power.stage_ids:
            raise ResponsibilityError(
                _("Stage %(stage)s is not a step of the procedure of %(power)s (%(stages)s).")
                % {"stage": data.stage.name, "power": power.name, "stages": "、".join(power.stage_names)}
            )
    return data


def _write_responsibility(responsibility: Responsibility, data: ResponsibilityData) -> Responsibility:
    for name in ("kind", "level", "agency", "post", "power_code", "stage"):
        setattr(responsibility, name, getattr(data, name))
    responsibility.content = data.content.strip()
    responsibility.save()
    return responsibility


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def responsibility_create(*, actor, responsibility_set: ResponsibilitySet, data: ResponsibilityData) -> Responsibility:
    responsibility_set = _lock_editable(responsibility_set)
    data = _check_responsibility(responsibility_set.department, data)
    position = (responsibility_set.responsibilities.aggregate(p=Max("position"))["p"] or 0) + 1
    responsibility = _write_responsibility(
        Responsibility(responsibility_set=responsibility_set, position=position), data
    )
    event_record(action=AuditAction.CREATE, actor=actor, obj=responsibility, detail={"set": responsibility_set.pk})
    return responsibility


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def responsibility_update(*, actor, responsibility: Responsibility, data: ResponsibilityData) -> Responsibility:
    responsibility_set = _lock_editable(responsibility.responsibility_set)
    data = _check_responsibility(responsibility_set.department, data)
    responsibility = _write_responsibility(responsibility, data)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=responsibility)
    return responsibility


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def responsibility_delete(*, actor, responsibility: Responsibility) -> None:
    _lock_editable(responsibility.responsibility_set)
    event_record(action=AuditAction.DELETE, actor=actor, obj=responsibility)
    responsibility.delete()


# -- Enforcement standards --------------------------------------------------------------------


@dataclass
class BandData:
    order: int
    circumstances: str
    measure: str
    label: str = ""


@dataclass
class StandardData:
    power_code: str
    title: str
    bands: list[BandData] = field(default_factory=list)
    note: str = ""


def _check_standard(department: Organisation, data: StandardData) -> None:
    if not (data.title or "").strip():
        raise ResponsibilityError(_("A standard needs a title."))
    data.power_code = (data.power_code or "").strip()
    if not data.power_code:
        raise ResponsibilityError(_("A standard quantifies one power: give its code."))
    _check_power_code(department, data.power_code)
    if not data.bands:
        raise ResponsibilityError(_("A standard needs at least one band of circumstances and measures."))
    orders = [band.order for band in data.bands]
    duplicates = sorted({order for order in orders if orders.count(order) > 1})
    if duplicates:
        raise ResponsibilityError(
            _("Each band needs its own order; %(orders)s is used more than once.")
            % {"orders": "、".join(str(o) for o in duplicates)}
        )
    for band in data.bands:
        if not (band.circumstances or "").strip() or not (band.measure or "").strip():
            raise ResponsibilityError(
                _("Band %(order)s needs both its circumstances and its measure.") % {"order": band.order}
            )


def _write_standard(standard: EnforcementStandard, data: StandardData) -> EnforcementStandard:
    standard.power_code = data.power_code
    standard.title = data.title.strip()
    standard.note = (data.note or "").strip()
    standard.save()
    # The bands are one table: replaced as a whole.
    standard.bands.all().delete()
    StandardBand.objects.bulk_create(
        [
            StandardBand(
                standard=standard, order=band.order, label=(band.label or "").strip(),
                circumstances=band.circumstances.strip(), measure=band.measure.strip(),
            )
            for band in sorted(data.bands, key=lambda b: b.order)
        ]
    )
    return standard


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def standard_create(*, actor, responsibility_set: ResponsibilitySet, data: StandardData) -> EnforcementStandard:
    responsibility_set = _lock_editable(responsibility_set)
    _check_standard(responsibility_set.department, data)
    position = (responsibility_set.standards.aggregate(p=Max("position"))["p"] or 0) + 1
    standard = _write_standard(EnforcementStandard(responsibility_set=responsibility_set, position=position), data)
    event_record(
        action=AuditAction.CREATE, actor=actor, obj=standard,
        detail={"set": responsibility_set.pk, "bands": len(data.bands)},
    )
    return standard


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def standard_update(*, actor, standard: EnforcementStandard, data: StandardData) -> EnforcementStandard:
    responsibility_set = _lock_editable(standard.responsibility_set)
    _check_standard(responsibility_set.department, data)
    standard = _write_standard(standard, data)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=standard, detail={"bands": len(data.bands)})
    return standard


@guarded(_editor_check, who=Actor.DEPARTMENT_EDITOR)
def standard_delete(*, actor, standard: EnforcementStandard) -> None:
    _lock_editable(standard.responsibility_set)
    event_record(action=AuditAction.DELETE, actor=actor, obj=standard)
    standard.delete()


# -- Supporting rules -------------------------------------------------------------------------

# basis.upload_guard checks spreadsheets (.xlsx/.csv) only; a rule's document is a PDF or a
# word-processing file, so it gets its own check here: the name's extension and the file's
# first bytes must agree, and the size stays under the limit.
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "odt": "OpenDocument (.odt)",
    "ofd": "OFD",
}
_ZIP_MARKERS = {"docx": "word/document.xml", "odt": "content.xml", "ofd": "OFD.xml"}


def check_document(uploaded) -> None:
    """Refuse a supporting-rule document that is too large, of another kind, or whose content
    is not what its name says."""
    name = PurePath(getattr(uploaded, "name", "") or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise ResponsibilityError(
            _("Upload the rule as %(kinds)s.") % {"kinds": "、".join(DOCUMENT_EXTENSIONS.values())}
        )
    size = getattr(uploaded, "size", None)
    if size is not None and size > DOCUMENT_MAX_BYTES:
        raise ResponsibilityError(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(DOCUMENT_MAX_BYTES)}
        )
    if size == 0:
        raise ResponsibilityError(_("The file is empty."))
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    else:
        ok = head.startswith(b"PK\x03\x04")
        if ok:
            try:
                with zipfile.ZipFile(uploaded) as archive:
                    ok = _ZIP_MARKERS[extension] in archive.namelist()
            except (zipfile.BadZipFile, ValueError, EOFError):
                ok = False
            uploaded.seek(0)
    if not ok:
        raise ResponsibilityError(
            _("The file is named .%(extension)s but its content is not a %(kind)s document.")
            % {"extension": extension, "kind": DOCUMENT_EXTENSIONS[extension]}
        )


@dataclass
class RuleData:
    kind: str
    title: str
    adopted_on: object  # datetime.date
    document_number: str = ""
    status: str = SupportingRuleStatus.IN_FORCE
    note: str = ""
    document: object = None  # an uploaded file, or None to keep the current one


def _check_rule(data: RuleData) -> None:
    if data.kind not in SupportingRuleKind.values:
        raise ResponsibilityError(_("Unknown kind of supporting rule."))
    if data.status not in SupportingRuleStatus.values:
        raise ResponsibilityError(_("Unknown status."))
    if not (data.title or "").strip():
        raise ResponsibilityError(_("A supporting rule needs a title."))
    if data.adopted_on is None:
        raise ResponsibilityError(_("Give the date the rule was adopted."))
    if data.adopted_on > timezone.localdate():
        raise ResponsibilityError(_("The date of adoption cannot be in the future."))
    if data.document:
        check_document(data.document)


def _write_rule(rule: SupportingRule, data: RuleData) -> SupportingRule:
    rule.kind, rule.status, rule.adopted_on = data.kind, data.status, data.adopted_on
    rule.title = data.title.strip()
    rule.document_number = (data.document_number or "").strip()
    rule.note = (data.note or "").strip()
    if data.document:
        rule.document = data.document
        rule.document_name = original_name(data.document)
    rule.save()
    return rule


def _rule_check(actor, *, department=None, rule=None, **_kwargs):
    department = department or Organisation.objects.get(pk=rule.department_id)
    return responsibility_perms.can_manage_supporting_rules(actor, department), rule or department


@guarded(_rule_check, who=Actor.DEPARTMENT_EDITOR)
def supporting_rule_create(*, actor, department: Organisation, data: RuleData) -> SupportingRule:
    if department.kind != OrganisationKind.DEPARTMENT or department.office_function:
        raise ResponsibilityError(_("Supporting rules belong to an enforcement department."))
    _check_rule(data)
    rule = _write_rule(SupportingRule(department=department), data)
    event_record(action=AuditAction.CREATE, actor=actor, obj=rule, detail={"kind": rule.kind})
    return rule


@guarded(_rule_check, who=Actor.DEPARTMENT_EDITOR)
def supporting_rule_update(*, actor, rule: SupportingRule, data: RuleData) -> SupportingRule:
    rule = SupportingRule.objects.select_for_update().get(pk=rule.pk)
    _check_rule(data)
    rule = _write_rule(rule, data)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=rule, detail={"kind": rule.kind, "status": rule.status})
    return rule


@guarded(_rule_check, who=Actor.DEPARTMENT_EDITOR)
def supporting_rule_set_status(*, actor, rule: SupportingRule, status: str) -> SupportingRule:
    """Mark a rule in force, under revision or repealed."""
    rule = SupportingRule.objects.select_for_update().get(pk=rule.pk)
    if status not in SupportingRuleStatus.values:
        raise ResponsibilityError(_("Unknown status."))
    if status == rule.status:
        raise ResponsibilityError(
            _("The rule is already %(status)s.") % {"status": rule.get_status_display()}
        )
    source, rule.status = rule.status, status
    rule.save(update_fields=["status", "updated_at"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=rule, detail={"from": source, "to": status})
    return rule
