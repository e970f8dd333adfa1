"""Writes to what organisations file: plans and their revisions, the working team, phase
summaries and their problems. Every service checks the actor before its transaction
(``guarded``), validates (a ``ValidationError`` by field, in the user's language, nothing
saved), and writes one audit event; transitions go through ``workflow.engine``."""

from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import PHONE_VALIDATOR, Organisation
from responsibility.services import DOCUMENT_EXTENSIONS, ResponsibilityError, check_document
from toolkit.errors import DomainError
from toolkit.files import original_name
from workflow import engine

from . import permissions_filings as filing_perms
from . import selectors_filings as selectors
from .models import (
    PLAN_PARTS,
    FilingStatus,
    ImplementationPlan,
    Phase,
    PhaseSummary,
    PlanForm,
    PlanKind,
    PlanRevision,
    SummaryProblem,
    TeamBody,
    TeamMember,
    TeamRole,
    WorkingTeam,
)
from .workflow_filings import PLAN, SUMMARY, PlanTransition, SummaryTransition, files_anything

PART_FIELDS = tuple(name for name, _label in PLAN_PARTS)


class FilingError(DomainError):
    """A filing refused for a reason the user can act on (shown as is)."""


def check_attachment(uploaded, field_name: str) -> None:
    """A plan's or summary's document: PDF, Word (.docx), OpenDocument or OFD, ≤ 20 MB, whose
    content is what its name says (the supporting rules' check). A refusal names the field."""
    extension = PurePath(getattr(uploaded, "name", "") or "").suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError({field_name: _("Attach the document as %(kinds)s.") % {"kinds": "、".join(DOCUMENT_EXTENSIONS.values())}})
    try:
        check_document(uploaded)
    except ResponsibilityError as error:
        raise ValidationError({field_name: str(error)}) from None


# -- Plans ----------------------------------------------------------------------------------------


def _open_check(actor, *, organisation, **_kwargs):
    return filing_perms.can_file_for(actor, organisation), organisation


@guarded(_open_check, who=Actor.DEPARTMENT_EDITOR)
def plan_open(*, actor, organisation: Organisation, campaign) -> ImplementationPlan:
    """Open the organisation's plan for a campaign (or return the one already open). Its kind
    (new or revised) comes from the records, its form from the organisation's flags."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    existing = ImplementationPlan.objects.filter(organisation=organisation, campaign=campaign).first()
    if existing is not None:
        return existing
    if not files_anything(organisation):
        raise FilingError(_("%(name)s files no plan of its own.") % {"name": organisation.name})
    if not selectors.campaign_holds(campaign, organisation):
        raise ValidationError({"campaign": _("This campaign is not for %(name)s's jurisdiction.") % {"name": organisation.name}})
    plan = ImplementationPlan.objects.create(
        organisation=organisation, campaign=campaign, created_by=actor,
        kind=PlanKind.REVISED if selectors.already_runs_system(organisation) else PlanKind.NEW,
        form=selectors.plan_form_for(organisation),
    )
    PlanRevision.objects.create(plan=plan, number=1, created_by=actor)
    plan.events.create(actor=actor, to_status=FilingStatus.DRAFT)
    event_record(action=AuditAction.CREATE, actor=actor, obj=plan, detail={"kind": plan.kind, "form": plan.form})
    return plan


@dataclass
class PlanData:
    guiding_ideas: str = ""
    goals_and_tasks: str = ""
    organisation_and_leadership: str = ""
    steps: str = ""
    measures: str = ""
    time_requirements: str = ""
    revision_notes: str = ""
    superior_title: str = ""
    superior_issuer: str = ""
    document: object = None  # an upload, or None to keep the current one
    superior_document: object = None
    covered: list = field(default_factory=list)  # organisation ids


def plan_errors(plan: ImplementationPlan, data: PlanData, working: PlanRevision | None) -> dict:
    """What is missing or wrong in ``data`` for this plan's kind and form, by field."""
    errors: dict[str, str] = {}
    if plan.form in (PlanForm.OWN, PlanForm.BOTH):
        for name, label in PLAN_PARTS:
            if not (getattr(data, name) or "").strip():
                errors[name] = _("Write the plan's part “%(part)s”.") % {"part": label}
        if plan.kind == PlanKind.REVISED and not data.revision_notes.strip():
            errors["revision_notes"] = _("A revised plan says what it changes in the plan already in force.")
    if plan.form in (PlanForm.SUPERIOR, PlanForm.BOTH):
        if not data.superior_title.strip():
            errors["superior_title"] = _("Name the superior's arrangement this organisation follows.")
        if not data.superior_document and not (working and working.superior_document):
            errors["superior_document"] = _("Attach the superior's arrangement.")
    covered = [int(pk) for pk in data.covered]
    if covered:
        allowed = set(selectors.covered_candidates(plan.organisation).values_list("pk", flat=True))
        strangers = [pk for pk in covered if pk not in allowed]
        if strangers:
            names = Organisation.objects.filter(pk__in=strangers).values_list("name", flat=True)
            errors["covered"] = _(
                "Only authorised or entrusted organisations under %(name)s can be covered by its plan: %(others)s."
            ) % {"name": plan.organisation.name, "others": "、".join(names) or "—"}
    return errors


def _plan_check(actor, *, plan, **_kwargs):
    return filing_perms.is_filer(actor, plan.organisation), plan


def _working_revision(plan: ImplementationPlan, actor) -> PlanRevision:
    """The revision being edited: the latest one if it has not been filed, otherwise a new one
    copied from it (the filed one stays as the office read it)."""
    latest = selectors.latest_revision(plan)
    if latest is not None and latest.filed_at is None:
        return latest
    revision = PlanRevision(plan=plan, number=(latest.number + 1) if latest else 1, created_by=actor)
    if latest is not None:
        for name in (*PART_FIELDS, "revision_notes", "document", "document_name", "superior_title", "superior_issuer",
                     "superior_document", "superior_document_name"):
            setattr(revision, name, getattr(latest, name))
    revision.save()
    if latest is not None:
        revision.covered.set(latest.covered.all())
    return revision


@guarded(_plan_check, who=Actor.DEPARTMENT_EDITOR)
def plan_save(*, actor, plan: ImplementationPlan, data: PlanData) -> PlanRevision:
    """Write the plan's working revision. Every part its form asks for must be there."""
    plan = ImplementationPlan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)
    if plan.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
        raise FilingError(_("The plan is %(status)s; it cannot be changed now.") % {"status": plan.get_status_display()})
    latest = selectors.latest_revision(plan)
    working_before = latest if latest is not None and latest.filed_at is None else latest
    errors = plan_errors(plan, data, working_before)
    if data.document:
        try:
            check_attachment(data.document, "document")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if data.superior_document:
        try:
            check_attachment(data.superior_document, "superior_document")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    revision = _working_revision(plan, actor)
    for name in (*PART_FIELDS, "revision_notes", "superior_title", "superior_issuer"):
        setattr(revision, name, (getattr(data, name) or "").strip())
    if data.document:
        revision.document, revision.document_name = data.document, original_name(data.document)
    if data.superior_document:
        revision.superior_document = data.superior_document
        revision.superior_document_name = original_name(data.superior_document)
    revision.save()
    revision.covered.set([int(pk) for pk in data.covered])
    plan.save(update_fields=["updated_at"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=plan, detail={"revision": revision.number})
    return revision


@guarded(_plan_check, who=Actor.DEPARTMENT_EDITOR)
def plan_file(*, actor, plan: ImplementationPlan) -> ImplementationPlan:
    """File the working revision with the office. The revision must be complete for the plan's
    form, the plan's own document attached (unless it only follows the superior's)."""
    plan, source = engine.advance(PLAN, plan, PlanTransition.FILE, select_related=("organisation",))
    revision = selectors.latest_revision(plan)
    if revision is None or revision.filed_at is not None:
        raise FilingError(_("Write the plan before filing it."))
    data = PlanData(**{name: getattr(revision, name) for name in (*PART_FIELDS, "revision_notes", "superior_title", "superior_issuer")})
    errors = plan_errors(plan, data, revision)
    if plan.form != PlanForm.SUPERIOR and not revision.document:
        errors["document"] = _("Attach the plan document before filing.")
    if errors:
        raise FilingError(" ".join(str(message) for message in errors.values()))
    now = timezone.now()
    revision.filed_at = now
    revision.save(update_fields=["filed_at", "updated_at"])
    plan.filed_at = now
    plan.comment = ""
    engine.record(PLAN, actor, plan, source, fields=("filed_at", "comment"))
    return plan


def _decide_check(actor, *, plan, **_kwargs):
    return filing_perms.can_decide_plan(actor, plan), plan


@guarded(_decide_check, who=Actor.OFFICE)
def plan_acknowledge(*, actor, plan: ImplementationPlan, comment: str = "") -> ImplementationPlan:
    plan, source = engine.advance(PLAN, plan, PlanTransition.ACKNOWLEDGE, select_related=("organisation",))
    plan.acknowledged_at = timezone.now()
    plan.comment = (comment or "").strip()
    engine.record(PLAN, actor, plan, source, comment=plan.comment, fields=("acknowledged_at", "comment"))
    return plan


@guarded(_decide_check, who=Actor.OFFICE)
def plan_return(*, actor, plan: ImplementationPlan, comment: str) -> ImplementationPlan:
    plan, source = engine.advance(PLAN, plan, PlanTransition.RETURN, select_related=("organisation",))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the plan is returned.")})
    plan.comment = comment.strip()
    engine.record(PLAN, actor, plan, source, comment=plan.comment, fields=("comment",))
    return plan


@guarded(_plan_check, who=Actor.DEPARTMENT_EDITOR)
def plan_reopen(*, actor, plan: ImplementationPlan) -> ImplementationPlan:
    """Start revising an acknowledged plan; it goes back to the office when filed again."""
    plan, source = engine.advance(PLAN, plan, PlanTransition.REOPEN, select_related=("organisation",))
    engine.record(PLAN, actor, plan, source)
    return plan


PLAN_SERVICES = {
    PlanTransition.FILE: plan_file,
    PlanTransition.ACKNOWLEDGE: plan_acknowledge,
    PlanTransition.RETURN: plan_return,
    PlanTransition.REOPEN: plan_reopen,
}


# -- Leading group and working body ----------------------------------------------------------------


@dataclass
class MemberData:
    name: str
    body: str
    role: str
    position: str = ""
    phone: str = ""
    order: int = 0


def _member_errors(data: MemberData) -> dict:
    errors = {}
    if not (data.name or "").strip():
        errors["name"] = _("Give the member's name.")
    if data.body not in TeamBody.values:
        errors["body"] = _("Choose the leading group or the working body.")
    if data.role not in TeamRole.values:
        errors["role"] = _("Choose the member's role.")
    if data.phone:
        try:
            PHONE_VALIDATOR(data.phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    return errors


def _team_check(actor, *, organisation=None, member=None, **_kwargs):
    organisation = organisation or Organisation.objects.get(pk=member.team.organisation_id)
    return filing_perms.can_manage_team(actor, organisation), member or organisation


def _write_member(member: TeamMember, data: MemberData, actor) -> TeamMember:
    member.name, member.body, member.role = data.name.strip(), data.body, data.role
    member.position, member.phone, member.order = (data.position or "").strip(), (data.phone or "").strip(), data.order or 0
    member._history_user = actor
    member.save()
    WorkingTeam.objects.filter(pk=member.team_id).update(updated_at=timezone.now())
    return member


@guarded(_team_check, who=Actor.DEPARTMENT_EDITOR)
def team_member_add(*, actor, organisation: Organisation, data: MemberData) -> TeamMember:
    errors = _member_errors(data)
    if errors:
        raise ValidationError(errors)
    team, _created = WorkingTeam.objects.get_or_create(organisation=organisation)
    member = _write_member(TeamMember(team=team), data, actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=member, detail={"organisation": organisation.code, "body": member.body, "role": member.role})
    return member


@guarded(_team_check, who=Actor.DEPARTMENT_EDITOR)
def team_member_update(*, actor, member: TeamMember, data: MemberData) -> TeamMember:
    errors = _member_errors(data)
    if errors:
        raise ValidationError(errors)
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    member = _write_member(member, data, actor)
    event_record(action=AuditAction.UPDATE, actor=actor, obj=member, detail={"body": member.body, "role": member.role})
    return member


@guarded(_team_check, who=Actor.DEPARTMENT_EDITOR)
def team_member_remove(*, actor, member: TeamMember) -> None:
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    event_record(action=AuditAction.DELETE, actor=actor, obj=member, detail={"name": member.name})
    member._history_user = actor
    member.delete()
    WorkingTeam.objects.filter(pk=member.team_id).update(updated_at=timezone.now())


# -- Phase summaries ------------------------------------------------------------------------------


@dataclass
class SummaryData:
    text: str
    document: object = None
    problems: list = field(default_factory=list)  # texts of the problems to raise


def _summary_open_check(actor, *, organisation, **_kwargs):
    return filing_perms.can_file_for(actor, organisation), organisation


def _summary_errors(organisation: Organisation, phase: Phase, data: SummaryData) -> dict:
    errors = {}
    if not selectors.campaign_holds(phase.campaign, organisation):
        errors["phase"] = _("This phase belongs to a campaign of another jurisdiction than %(name)s's.") % {"name": organisation.name}
    if not (data.text or "").strip():
        errors["text"] = _("Write the summary of the phase's work.")
    if data.document:
        try:
            check_attachment(data.document, "document")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    return errors


def _write_summary(summary: PhaseSummary, data: SummaryData) -> None:
    summary.text = data.text.strip()
    if data.document:
        summary.document, summary.document_name = data.document, original_name(data.document)
    summary.save()
    # Problems not yet raised (the draft's) are replaced; raised ones stay with the office.
    summary.problems.filter(raised_at__isnull=True).delete()
    SummaryProblem.objects.bulk_create(
        [SummaryProblem(summary=summary, text=text.strip()) for text in data.problems if (text or "").strip()]
    )


@guarded(_summary_open_check, who=Actor.DEPARTMENT_EDITOR)
def summary_save(*, actor, organisation: Organisation, phase: Phase, data: SummaryData) -> PhaseSummary:
    """Write the organisation's summary of a phase (made on first save), editable until it is
    submitted and again once returned."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    phase = Phase.objects.select_related("campaign__jurisdiction").get(pk=phase.pk)
    if not files_anything(organisation):
        raise FilingError(_("%(name)s files no summary of its own.") % {"name": organisation.name})
    errors = _summary_errors(organisation, phase, data)
    if errors:
        raise ValidationError(errors)
    summary = PhaseSummary.objects.select_for_update().filter(organisation=organisation, phase=phase).first()
    created = summary is None
    if created:
        summary = PhaseSummary(organisation=organisation, phase=phase, created_by=actor)
    elif summary.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
        raise FilingError(_("The summary is %(status)s; it cannot be changed now.") % {"status": summary.get_status_display()})
    _write_summary(summary, data)
    if created:
        summary.events.create(actor=actor, to_status=FilingStatus.DRAFT)
    event_record(action=AuditAction.CREATE if created else AuditAction.UPDATE, actor=actor, obj=summary,
                 detail={"phase": phase.number, "problems": len([t for t in data.problems if (t or "").strip()])})
    return summary


def _summary_check(actor, *, summary, **_kwargs):
    return filing_perms.can_transition_summary(actor, summary, SummaryTransition.SUBMIT), summary


def _summary_decide_check(actor, *, summary, **_kwargs):
    return filing_perms.can_decide_summary(actor, summary), summary


@guarded(_summary_check, who=Actor.DEPARTMENT_EDITOR)
def summary_submit(*, actor, summary: PhaseSummary) -> PhaseSummary:
    summary, source = engine.advance(SUMMARY, summary, SummaryTransition.SUBMIT, select_related=("organisation",))
    if not summary.text.strip():
        raise FilingError(_("Write the summary of the phase's work."))
    now = timezone.now()
    summary.submitted_at = now
    summary.comment = ""
    summary.problems.filter(raised_at__isnull=True).update(raised_at=now)
    engine.record(SUMMARY, actor, summary, source, fields=("submitted_at", "comment"))
    return summary


@guarded(_summary_decide_check, who=Actor.OFFICE)
def summary_accept(*, actor, summary: PhaseSummary, comment: str = "") -> PhaseSummary:
    summary, source = engine.advance(SUMMARY, summary, SummaryTransition.ACCEPT, select_related=("organisation",))
    summary.reviewed_at = timezone.now()
    summary.comment = (comment or "").strip()
    engine.record(SUMMARY, actor, summary, source, comment=summary.comment, fields=("reviewed_at", "comment"))
    return summary


@guarded(_summary_decide_check, who=Actor.OFFICE)
def summary_return(*, actor, summary: PhaseSummary, comment: str) -> PhaseSummary:
    summary, source = engine.advance(SUMMARY, summary, SummaryTransition.RETURN, select_related=("organisation",))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the summary is returned.")})
    summary.reviewed_at = timezone.now()
    summary.comment = comment.strip()
    engine.record(SUMMARY, actor, summary, source, comment=summary.comment, fields=("reviewed_at", "comment"))
    return summary


SUMMARY_SERVICES = {
    SummaryTransition.SUBMIT: summary_submit,
    SummaryTransition.ACCEPT: summary_accept,
    SummaryTransition.RETURN: summary_return,
}


def _answer_check(actor, *, problem, **_kwargs):
    return filing_perms.can_answer_problem(actor, problem), problem


@guarded(_answer_check, who=Actor.OFFICE)
def problem_answer(*, actor, problem: SummaryProblem, answer: str) -> SummaryProblem:
    """The office answers a problem a summary raised; the answer closes it."""
    problem = SummaryProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.answered_at is not None:
        raise FilingError(_("This problem has already been answered."))
    if problem.raised_at is None:
        raise FilingError(_("This problem has not been raised yet."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the office's answer.")})
    problem.answer, problem.answered_at, problem.answered_by = answer.strip(), timezone.now(), actor
    problem.save(update_fields=["answer", "answered_at", "answered_by"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=problem, detail={"answered": True, "summary": problem.summary_id})
    return problem
