"""Writes to a department's breakdown: versions and their review workflow (the transitions of
workflow.review), power items with their basis, post assignments and procedure steps, and the
department's posts."""

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from authority import permissions as authority_perms
from basis.models import BasisCatalogue, LegalInstrument, Provision
from organisations.models import Organisation, OrganisationKind
from workflow import review as workflow
from workflow.review import ReviewStatus, Transition

from ..models import (
    AssignmentRole,
    Breakdown,
    Post,
    PostAssignment,
    PowerItem,
    PowerKind,
    ProcedureStage,
    ProcedureStep,
    TimeUnit,
)
from ._guard import AuthorityError

# -- Versions ---------------------------------------------------------------------------------


@guarded(lambda actor, *, department: (authority_perms.can_start_breakdown(actor, department), department), who=Actor.DEPARTMENT_EDITOR)
def breakdown_start(*, actor, department: Organisation) -> Breakdown:
    """Open the next version of a department's breakdown, copied from its latest published one."""
    return workflow.start(actor, Breakdown, department, _copy_powers)


def _copy_powers(source: Breakdown, target: Breakdown) -> None:
    for power in source.powers.prefetch_related("provisions", "assignments", "steps"):
        provisions = list(power.provisions.all())
        assignments = list(power.assignments.all())
        steps = list(power.steps.all())
        power.pk = power.id = None
        power.breakdown = target
        power._state.adding = True
        power._prefetched_objects_cache = {}
        power.save()
        power.provisions.set(provisions)
        PostAssignment.objects.bulk_create(
            [PostAssignment(power=power, post_id=a.post_id, role=a.role) for a in assignments]
        )
        ProcedureStep.objects.bulk_create(
            [
                ProcedureStep(
                    power=power, order=s.order, stage_id=s.stage_id, post_id=s.post_id,
                    duty=s.duty, time_limit=s.time_limit, time_unit=s.time_unit,
                )
                for s in steps
            ]
        )


def _check_with(predicate):
    def check(actor, *, breakdown, **_kwargs):
        return predicate(actor, breakdown), breakdown

    return check


@guarded(_check_with(authority_perms.can_submit_breakdown), who=Actor.DEPARTMENT_EDITOR)
def breakdown_submit(*, actor, breakdown: Breakdown) -> Breakdown:
    breakdown, source = workflow.advance(breakdown, Transition.SUBMIT)
    if not breakdown.powers.exists():
        raise AuthorityError(_("An empty breakdown cannot be submitted."))
    breakdown.submitted_at = timezone.now()
    workflow.record(actor, breakdown, source, fields=("submitted_at",))
    return breakdown


@guarded(_check_with(authority_perms.can_decide_breakdown), who=Actor.OFFICE)
def breakdown_start_review(*, actor, breakdown: Breakdown) -> Breakdown:
    breakdown, source = workflow.advance(breakdown, Transition.START_REVIEW)
    workflow.record(actor, breakdown, source)
    return breakdown


@guarded(_check_with(authority_perms.can_decide_breakdown), who=Actor.OFFICE)
def breakdown_return(*, actor, breakdown: Breakdown, comment: str) -> Breakdown:
    breakdown, source = workflow.advance(breakdown, Transition.RETURN)
    if not comment.strip():
        raise AuthorityError(_("Say why the breakdown is returned."))
    breakdown.comment = comment.strip()
    workflow.record(actor, breakdown, source, comment=breakdown.comment, fields=("comment",))
    return breakdown


@guarded(_check_with(authority_perms.can_decide_breakdown), who=Actor.OFFICE)
def breakdown_approve(*, actor, breakdown: Breakdown, comment: str = "") -> Breakdown:
    breakdown, source = workflow.advance(breakdown, Transition.APPROVE)
    workflow.record(actor, breakdown, source, comment=comment)
    return breakdown


@guarded(_check_with(authority_perms.can_decide_breakdown), who=Actor.OFFICE)
def breakdown_publish(*, actor, breakdown: Breakdown) -> Breakdown:
    breakdown, source = workflow.advance(breakdown, Transition.PUBLISH)
    breakdown.needs_revision = False
    workflow.publish(actor, breakdown, source, fields=("needs_revision",))
    return breakdown


TRANSITION_SERVICES = {
    Transition.SUBMIT: breakdown_submit,
    Transition.START_REVIEW: breakdown_start_review,
    Transition.RETURN: breakdown_return,
    Transition.APPROVE: breakdown_approve,
    Transition.PUBLISH: breakdown_publish,
}


# -- Power items ------------------------------------------------------------------------------


@dataclass
class PowerData:
    name: str
    code: str
    kind: PowerKind
    enforcing_organ: Organisation
    provisions: list[Provision]
    handling_agency: Organisation | None = None
    forwards_only: bool = False
    accountability_grounds: str = ""


def current_catalogue_instruments(department: Organisation) -> set[int]:
    """Instruments a department's powers may cite: those of its current basis catalogue, which is
    the latest published version and, while one is before the office, the latest under review."""
    ids: set[int] = set()
    for statuses in (
        [ReviewStatus.PUBLISHED],
        [ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED],
    ):
        catalogue = (
            BasisCatalogue.objects.filter(department=department, status__in=statuses).order_by("-version").first()
        )
        if catalogue is not None:
            ids |= set(catalogue.entries.values_list("instrument_id", flat=True))
    return ids


def _lock_editable(breakdown: Breakdown) -> Breakdown:
    breakdown = Breakdown.objects.select_for_update().select_related("department").get(pk=breakdown.pk)
    if breakdown.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise AuthorityError(
            _("A %(status)s breakdown cannot be edited.") % {"status": breakdown.get_status_display()}
        )
    return breakdown


def _check_power(breakdown: Breakdown, data: PowerData, power_pk: int | None = None) -> None:
    department = breakdown.department
    if not data.provisions:
        raise AuthorityError(_("A power must rest on at least one provision."))
    allowed = current_catalogue_instruments(department)
    outside = sorted({p.instrument_id for p in data.provisions} - allowed)
    if outside:
        names = "、".join(
            f"《{name}》" for name in LegalInstrument.objects.filter(pk__in=outside).values_list("name", flat=True)
        )
        raise AuthorityError(
            _(
                "%(instruments)s is not in the current basis catalogue of %(department)s. "
                "Add it to the catalogue (and have it approved) before a power cites it."
            )
            % {"instruments": names, "department": department.name}
        )
    if data.handling_agency is not None and not (
        data.handling_agency.kind == OrganisationKind.AGENCY and data.handling_agency.path.startswith(department.path)
    ):
        raise AuthorityError(
            _("The handling agency must be an internal agency of %(department)s.") % {"department": department.name}
        )
    if not data.enforcing_organ.path.startswith(department.path):
        raise AuthorityError(
            _("The enforcing organ must be %(department)s or an organisation under it.")
            % {"department": department.name}
        )
    if not data.name.strip() or not data.code.strip():
        raise AuthorityError(_("A power needs a name and a code."))
    if breakdown.powers.filter(code=data.code.strip()).exclude(pk=power_pk).exists():
        raise AuthorityError(_("Code %(code)s is already used in this breakdown.") % {"code": data.code})


def _write_power(power: PowerItem, data: PowerData) -> PowerItem:
    for name in ("kind", "enforcing_organ", "handling_agency", "forwards_only", "accountability_grounds"):
        setattr(power, name, getattr(data, name))
    power.name = data.name.strip()
    power.code = data.code.strip()
    power.save()
    power.provisions.set(data.provisions)
    return power


def _power_check(actor, *, power=None, breakdown=None, **_kwargs):
    breakdown = Breakdown.objects.select_related("department").get(pk=(breakdown or power.breakdown).pk)
    return authority_perms.is_breakdown_editor(actor, breakdown), breakdown


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def power_create(*, actor, breakdown: Breakdown, data: PowerData) -> PowerItem:
    breakdown = _lock_editable(breakdown)
    _check_power(breakdown, data)
    position = (breakdown.powers.aggregate(p=Max("position"))["p"] or 0) + 1
    power = _write_power(PowerItem(breakdown=breakdown, position=position), data)
    event_record(action=AuditAction.CREATE, actor=actor, obj=power, detail={"breakdown": breakdown.pk})
    return power


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def power_update(*, actor, power: PowerItem, data: PowerData) -> PowerItem:
    breakdown = _lock_editable(power.breakdown)
    _check_power(breakdown, data, power_pk=power.pk)
    power = _write_power(power, data)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=power)
    return power


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def power_delete(*, actor, power: PowerItem) -> None:
    _lock_editable(power.breakdown)
    event_record(action=AuditAction.DELETE, actor=actor, obj=power)
    power.delete()


def _post_of_department(post: Post, department: Organisation) -> None:
    if not post.agency.path.startswith(department.path):
        raise AuthorityError(_("Post %(post)s does not belong to this department.") % {"post": post})


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def power_assign(*, actor, power: PowerItem, post: Post, role: str) -> PostAssignment:
    breakdown = _lock_editable(power.breakdown)
    _post_of_department(post, breakdown.department)
    if role not in AssignmentRole.values:
        raise AuthorityError(_("Unknown role."))
    assignment, created = PostAssignment.objects.get_or_create(power=power, post=post, role=role)
    if not created:
        raise AuthorityError(_("This post already has that role for this power."))
    event_record(action=AuditAction.CREATE, actor=actor, obj=assignment, detail={"power": power.pk, "post": post.pk})
    return assignment


@guarded(lambda actor, *, assignment: _power_check(actor, power=assignment.power), who=Actor.DEPARTMENT_EDITOR)
def power_unassign(*, actor, assignment: PostAssignment) -> None:
    _lock_editable(assignment.power.breakdown)
    event_record(action=AuditAction.DELETE, actor=actor, obj=assignment)
    assignment.delete()


@dataclass
class StepData:
    stage: ProcedureStage
    post: Post | None = None
    duty: str = ""
    time_limit: int | None = None
    time_unit: str = TimeUnit.WORKING_DAYS


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def procedure_replace(*, actor, power: PowerItem, steps: list[StepData]) -> int:
    """Write a power's procedure as a whole: the editor orders the steps, the service numbers
    them."""
    breakdown = _lock_editable(power.breakdown)
    for step in steps:
        if step.post is not None:
            _post_of_department(step.post, breakdown.department)
        if step.time_unit not in TimeUnit.values:
            raise AuthorityError(_("Unknown time unit."))
    power.steps.all().delete()
    ProcedureStep.objects.bulk_create(
        [
            ProcedureStep(
                power=power, order=order, stage=s.stage, post=s.post, duty=s.duty.strip(),
                time_limit=s.time_limit, time_unit=s.time_unit,
            )
            for order, s in enumerate(steps, start=1)
        ]
    )
    event_record(action=AuditAction.UPDATE, actor=actor, obj=power, detail={"procedure_steps": len(steps)})
    return len(steps)


# -- Posts ------------------------------------------------------------------------------------


def _department_of_agency(agency: Organisation) -> Organisation | None:
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENT, office_function="", path__in=_ancestor_paths(agency)
        )
        .order_by("-depth")
        .first()
    )


def _ancestor_paths(node: Organisation) -> list[str]:
    step = Organisation.steplen
    return [node.path[:i] for i in range(step, len(node.path) + 1, step)]


def _post_check(actor, *, agency=None, post=None, **_kwargs):
    agency = agency or post.agency
    department = _department_of_agency(agency)
    return department is not None and authority_perms.can_manage_posts(actor, department), agency


@guarded(_post_check, who=Actor.DEPARTMENT_EDITOR)
def post_create(*, actor, agency: Organisation, name: str, positions: int = 1) -> Post:
    if agency.kind != OrganisationKind.AGENCY:
        raise AuthorityError(_("Posts belong to an internal enforcement agency."))
    if not name.strip():
        raise AuthorityError(_("A post needs a name."))
    if Post.objects.filter(agency=agency, name=name.strip()).exists():
        raise AuthorityError(_("This agency already has a post of that name."))
    post = Post.objects.create(agency=agency, name=name.strip(), positions=positions)
    event_record(action=AuditAction.CREATE, actor=actor, obj=post)
    return post


@guarded(_post_check, who=Actor.DEPARTMENT_EDITOR)
def post_update(*, actor, post: Post, name: str, positions: int) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.name, post.positions = name.strip(), positions
    post.save()
    event_record(action=AuditAction.UPDATE, actor=actor, obj=post)
    return post


@guarded(_power_check, who=Actor.DEPARTMENT_EDITOR)
def powers_import(*, actor, breakdown: Breakdown, rows: list[tuple[PowerData, list[StepData]]]) -> int:
    """Add the checked rows of a 权责清单 spreadsheet to a draft: all or nothing, one IMPORT
    audit event."""
    breakdown = _lock_editable(breakdown)
    position = breakdown.powers.aggregate(p=Max("position"))["p"] or 0
    for data, steps in rows:
        _check_power(breakdown, data)
        position += 1
        power = _write_power(PowerItem(breakdown=breakdown, position=position), data)
        ProcedureStep.objects.bulk_create(
            [
                ProcedureStep(power=power, order=order, stage=s.stage, post=None, duty=s.duty,
                              time_limit=s.time_limit, time_unit=s.time_unit)
                for order, s in enumerate(steps, start=1)
            ]
        )
    event_record(action=AuditAction.IMPORT, actor=actor, obj=breakdown, detail={"powers": len(rows)})
    return len(rows)
