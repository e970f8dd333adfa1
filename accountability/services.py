"""Writes to accountability: cases and their transitions (workflow.CASES), persons, evidence,
measures with their effects on certificates and posts (through authority's services, in the
decision's transaction), referrals, notice and appeal, commendations and suggestions.

Every service checks the actor before its transaction (``guarded``), the state of the locked
case inside it, and writes one audit event (a transition's is written by the engine)."""

import datetime
import zipfile
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded
from audit.models import AuditAction
from audit.services import event_record
from authority import services as authority
from authority.models import Certificate, CertificateStatus, Officer
from organisations.models import Organisation
from outbox.services import message_enqueue
from toolkit.files import original_name
from workflow import engine

from . import permissions as perms
from . import selectors
from .models import (
    CERTIFICATE_MEASURES,
    EXTENSION_DAYS,
    OFFICER_MEASURES,
    Appeal,
    AppealOutcome,
    Case,
    CasePerson,
    CaseStatus,
    Commendation,
    CommendationStatus,
    DECISION_MONTHS,
    Evidence,
    Measure,
    MeasureKind,
    MeasureStatus,
    MitigatingGround,
    Part,
    Referral,
    RemedySetting,
    Responsibility,
    SourceKind,
    Suggestion,
    SuggestionStatus,
    add_months,
)
from .workflow import CASES, CaseTransition as T


class AccountabilityError(engine.WorkflowError):
    """A write refused for a reason the user can act on (shown as is)."""


def _case_check(predicate):
    def check(actor, *, case, **_kwargs):
        return predicate(actor, case), case

    return check


_handles = _case_check(perms.can_handle_case)
_via_case = lambda attr: lambda actor, **kw: (perms.can_handle_case(actor, getattr(kw[attr], "case")), kw[attr])  # noqa: E731


def _required(value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise AccountabilityError(message)
    return value


def _locked(case: Case, *allowed: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if allowed and case.status not in allowed:
        raise AccountabilityError(
            _("This cannot be done to a case that is %(status)s.") % {"status": case.get_status_display()}
        )
    return case


# -- Opening and registering ----------------------------------------------------------------


def _next_number(government: Organisation, year: int) -> str:
    prefix = f"{government.code}-ZJ-{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


@guarded(lambda actor, *, department, **_kw: (perms.can_open_case_for(actor, department), department), who=Actor.OFFICE)
def case_open(
    *, actor, department: Organisation, source_kind: str, source_text: str, act: str,
    act_date: datetime.date | None = None, power=None, provisions=(), source=None, register: bool = False,
) -> Case:
    """Receive a case against a department (registered at once when ``register``)."""
    if source_kind not in SourceKind.values:
        raise AccountabilityError(_("Choose where the case comes from."))
    source_text = _required(source_text, _("Describe the source of the case."))
    act = _required(act, _("Describe the act concerned."))
    if act_date and act_date > timezone.localdate():
        raise AccountabilityError(_("The act cannot lie in the future."))
    if power is not None and power.breakdown.department_id != department.pk:
        raise AccountabilityError(_("The power item is not one of this department's."))
    government = department.jurisdiction
    today = timezone.localdate()
    case = Case(
        government=government, department=department, act=act, act_date=act_date, power=power,
        source_kind=source_kind, source_text=source_text, created_by=actor,
    )
    if source is not None:
        case.source_type = ContentType.objects.get_for_model(source)
        case.source_id = source.pk
    for _attempt in range(3):
        case.number = _next_number(government, today.year)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue
    else:
        raise AccountabilityError(_("Could not number the case; try again."))
    case.provisions.set(provisions)
    event_record(action=AuditAction.CREATE, actor=actor, obj=case, detail={"department": department.pk, "source": source_kind})
    if register:
        case = _register(actor, case, today)
    return case


def _register(actor, case: Case, on: datetime.date) -> Case:
    case, source = engine.advance(CASES, case, T.REGISTER)
    case.registered_on = on
    case.decision_due = add_months(on, DECISION_MONTHS)
    engine.record(CASES, actor, case, source, fields=("registered_on", "decision_due"))
    return case


@guarded(_handles, who=Actor.OFFICE)
def case_register(*, actor, case: Case) -> Case:
    """立案: the decision is due within one month from today."""
    return _register(actor, case, timezone.localdate())


@guarded(_handles, who=Actor.OFFICE)
def case_decline(*, actor, case: Case, reason: str) -> Case:
    reason = _required(reason, _("Say why the case is not registered."))
    case, source = engine.advance(CASES, case, T.DECLINE)
    case.reason = reason
    engine.record(CASES, actor, case, source, comment=reason, fields=("reason",))
    return case


@guarded(_handles, who=Actor.OFFICE)
def case_investigate(*, actor, case: Case) -> Case:
    case, source = engine.advance(CASES, case, T.INVESTIGATE)
    engine.record(CASES, actor, case, source)
    return case


@guarded(_handles, who=Actor.OFFICE)
def case_dismiss(*, actor, case: Case, reason: str) -> Case:
    reason = _required(reason, _("Say why the case is dismissed."))
    case, source = engine.advance(CASES, case, T.DISMISS)
    case.reason = reason
    engine.record(CASES, actor, case, source, comment=reason, fields=("reason",))
    return case


@guarded(_handles, who=Actor.OFFICE)
def case_extend(*, actor, case: Case, reason: str, approved_by: str) -> Case:
    """Extend the decision deadline once, by 30 days, on a recorded approval."""
    case = _locked(case, CaseStatus.REGISTERED, CaseStatus.INVESTIGATING, CaseStatus.PROPOSED)
    if case.extended_on is not None:
        raise AccountabilityError(_("The deadline has already been extended once; it cannot be extended again."))
    approved_by = _required(approved_by, _("Name who approved the extension: it cannot be extended without approval."))
    reason = _required(reason, _("Say why the deadline is extended."))
    case.decision_due = case.decision_due + datetime.timedelta(days=EXTENSION_DAYS)
    case.extension_reason = reason
    case.extension_approved_by = approved_by
    case.extended_on = timezone.localdate()
    case.save(update_fields=["decision_due", "extension_reason", "extension_approved_by", "extended_on", "updated_at"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=case, message=reason,
                 detail={"decision_due": case.decision_due.isoformat(), "approved_by": approved_by})
    return case


# -- Persons, evidence, referrals -------------------------------------------------------------

EDITABLE = (CaseStatus.REGISTERED, CaseStatus.INVESTIGATING)


@guarded(_handles, who=Actor.OFFICE)
def person_add(
    *, actor, case: Case, part: str, responsibility: str, grounds: str, officer: Officer | None = None, name: str = ""
) -> CasePerson:
    case = _locked(case, *EDITABLE)
    if officer is not None:
        if officer.department_id != case.department_id and not officer.department.path.startswith(case.department.path):
            raise AccountabilityError(_("%(name)s is not an officer of the department concerned.") % {"name": officer.name})
        name = officer.name
    name = _required(name, _("Name the person concerned."))
    if part not in Part.values:
        raise AccountabilityError(_("Choose the part the person played."))
    if responsibility not in Responsibility.values:
        raise AccountabilityError(_("Choose the responsibility the person bears."))
    grounds = _required(grounds, _("Give the grounds of the person's responsibility."))
    person = CasePerson.objects.create(case=case, officer=officer, name=name, part=part, responsibility=responsibility, grounds=grounds)
    event_record(action=AuditAction.CREATE, actor=actor, obj=person, detail={"case": case.pk, "part": part, "responsibility": responsibility})
    return person


@guarded(_via_case("person"), who=Actor.OFFICE)
def person_remove(*, actor, person: CasePerson) -> None:
    _locked(person.case, *EDITABLE)
    event_record(action=AuditAction.DELETE, actor=actor, obj=person, detail={"case": person.case_id})
    person.delete()


EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
_EVIDENCE_KINDS = {"pdf": "PDF", "docx": "Word", "jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}


def check_evidence(uploaded) -> None:
    """Refuse a file that is too large, of another kind, or whose content is not what its name
    says (a renamed executable called .pdf)."""
    name = PurePath(getattr(uploaded, "name", "") or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in _EVIDENCE_KINDS:
        raise AccountabilityError(_("Upload evidence as %(kinds)s.") % {"kinds": "、".join(sorted(set(_EVIDENCE_KINDS.values())))})
    size = getattr(uploaded, "size", None)
    if size is not None and size > EVIDENCE_MAX_BYTES:
        raise AccountabilityError(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(EVIDENCE_MAX_BYTES)})
    if not size:
        raise AccountabilityError(_("The file is empty."))
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    elif extension in ("jpg", "jpeg"):
        ok = head.startswith(b"\xff\xd8\xff")
    elif extension == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        ok = head.startswith(b"PK\x03\x04")
        if ok:
            try:
                with zipfile.ZipFile(uploaded) as archive:
                    ok = "word/document.xml" in archive.namelist()
            except (zipfile.BadZipFile, ValueError, EOFError):
                ok = False
            uploaded.seek(0)
    if not ok:
        raise AccountabilityError(_("The file's content is not a %(kind)s document as its name says.") % {"kind": _EVIDENCE_KINDS[extension]})


@guarded(_handles, who=Actor.OFFICE)
def evidence_add(*, actor, case: Case, title: str, upload) -> Evidence:
    case = _locked(case, *EDITABLE, CaseStatus.PROPOSED, CaseStatus.APPEALED)
    title = _required(title, _("Give the evidence a title."))
    check_evidence(upload)
    evidence = Evidence(case=case, title=title, original_name=original_name(upload), uploaded_by=actor)
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    event_record(action=AuditAction.CREATE, actor=actor, obj=evidence, detail={"case": case.pk, "file": evidence.original_name})
    return evidence


@guarded(_handles, who=Actor.OFFICE)
def referral_add(*, actor, case: Case, organ_kind: str, organ_name: str, recommendation: str, sent_on: datetime.date | None = None) -> Referral:
    case = _locked(case, CaseStatus.INVESTIGATING, CaseStatus.PROPOSED, CaseStatus.DECIDED, CaseStatus.NOTIFIED, CaseStatus.APPEALED)
    organ_name = _required(organ_name, _("Name the organ the case is referred to."))
    recommendation = _required(recommendation, _("Say what is recommended to that organ."))
    referral = Referral.objects.create(case=case, organ_kind=organ_kind, organ_name=organ_name, recommendation=recommendation,
                                       sent_on=sent_on or timezone.localdate())
    event_record(action=AuditAction.CREATE, actor=actor, obj=referral, detail={"case": case.pk, "organ": organ_kind})
    return referral


@guarded(_via_case("referral"), who=Actor.OFFICE)
def referral_reply(*, actor, referral: Referral, reply: str, replied_on: datetime.date | None = None) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.replied_on is not None:
        raise AccountabilityError(_("The reply to this referral is already on record."))
    referral.reply = _required(reply, _("Write down the reply."))
    referral.replied_on = replied_on or timezone.localdate()
    referral.save(update_fields=["reply", "replied_on"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=referral, detail={"case": referral.case_id})
    return referral


# -- Measures ---------------------------------------------------------------------------------


def _current_certificate(officer: Officer) -> Certificate | None:
    today = timezone.localdate()
    return (
        officer.certificates.filter(status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], valid_until__gte=today)
        .order_by("-valid_until").first()
    )


@guarded(_handles, who=Actor.OFFICE)
def measure_propose(
    *, actor, case: Case, kind: str, person: CasePerson | None = None, until: datetime.date | None = None, note: str = ""
) -> Measure:
    """Propose a measure during the investigation. One that its person cannot receive (a
    certificate measure for an officer without a valid certificate, a transfer for one without
    a post) is refused here, before anything is decided."""
    case = _locked(case, CaseStatus.INVESTIGATING)
    if kind not in MeasureKind.values:
        raise AccountabilityError(_("Choose a measure."))
    today = timezone.localdate()
    measure = Measure(case=case, kind=kind, note=(note or "").strip())
    if kind in OFFICER_MEASURES:
        if person is None or person.case_id != case.pk:
            raise AccountabilityError(_("Choose the person of this case the measure is for."))
        if person.responsibility == Responsibility.NONE:
            raise AccountabilityError(_("%(name)s bears no responsibility and receives no measure.") % {"name": person.name})
        measure.person = person
        if kind in CERTIFICATE_MEASURES or kind == MeasureKind.TRANSFER:
            if person.officer_id is None:
                raise AccountabilityError(_("%(name)s is not a registered enforcement officer; this measure cannot apply.") % {"name": person.name})
        if kind in CERTIFICATE_MEASURES:
            certificate = _current_certificate(person.officer)
            allowed = certificate is not None and (certificate.can_revoke() if kind == MeasureKind.REVOKE else certificate.can_suspend())
            if not allowed:
                raise AccountabilityError(
                    _("%(name)s holds no valid enforcement certificate: %(measure)s cannot be applied.")
                    % {"name": person.name, "measure": MeasureKind(kind).label}
                )
            measure.certificate = certificate
            measure.certificate_seen_at = certificate.updated_at
            measure.certificate_status_before = certificate.status
        if kind == MeasureKind.SUSPEND_CERTIFICATE:
            if until is None or until <= today:
                raise AccountabilityError(_("Give the last day of the suspension, after today."))
            measure.until = until
        if kind == MeasureKind.TRANSFER:
            placement = person.officer.placements.filter(until__isnull=True).order_by("-since").first()
            if placement is None:
                raise AccountabilityError(_("%(name)s holds no enforcement post to be transferred from.") % {"name": person.name})
            measure.placement = placement
    else:
        if person is not None:
            raise AccountabilityError(_("This measure is on the department, not on a person."))
        if kind == MeasureKind.RECTIFY:
            if until is None or until <= today:
                raise AccountabilityError(_("Give the rectification deadline, after today."))
            measure.until = until
    if Measure.objects.filter(case=case, kind=kind, person=measure.person).exists():
        raise AccountabilityError(_("This measure is already proposed."))
    measure.save()
    event_record(action=AuditAction.CREATE, actor=actor, obj=measure, detail={"case": case.pk, "kind": kind})
    return measure


@guarded(_via_case("measure"), who=Actor.OFFICE)
def measure_remove(*, actor, measure: Measure) -> None:
    _locked(measure.case, CaseStatus.INVESTIGATING)
    event_record(action=AuditAction.DELETE, actor=actor, obj=measure, detail={"case": measure.case_id, "kind": measure.kind})
    measure.delete()


@guarded(_handles, who=Actor.OFFICE)
def case_propose(*, actor, case: Case, comment: str = "") -> Case:
    case, source = engine.advance(CASES, case, T.PROPOSE)
    if not case.persons.exists():
        raise AccountabilityError(_("Name at least one person concerned before proposing a decision."))
    engine.record(CASES, actor, case, source, comment=comment)
    return case


@guarded(_handles, who=Actor.OFFICE)
def case_return(*, actor, case: Case, reason: str) -> Case:
    reason = _required(reason, _("Say why the proposal goes back to investigation."))
    case, source = engine.advance(CASES, case, T.RETURN)
    case.reason = reason
    engine.record(CASES, actor, case, source, comment=reason, fields=("reason",))
    return case


def _apply(actor, case: Case, measure: Measure) -> None:
    """The effect of one measure on authority's records; AuthorityError aborts the decision."""
    reason = _("Accountability decision %(number)s: %(measure)s") % {"number": case.number, "measure": measure.get_kind_display()}
    if measure.kind == MeasureKind.SUSPEND_CERTIFICATE:
        authority.certificate_suspend_for_period(actor=actor, certificate=measure.certificate, reason=reason,
                                                 until=measure.until, expected_updated_at=measure.certificate_seen_at)
    elif measure.kind == MeasureKind.OFF_POST_TRAINING:
        authority.certificate_suspend_for_period(actor=actor, certificate=measure.certificate, reason=reason,
                                                 until=None, expected_updated_at=measure.certificate_seen_at)
    elif measure.kind == MeasureKind.REVOKE:
        authority.certificate_revoke_checked(actor=actor, certificate=measure.certificate, reason=reason,
                                             expected_updated_at=measure.certificate_seen_at)
    elif measure.kind == MeasureKind.TRANSFER:
        placement = authority.placement_end(actor=actor, placement=measure.placement, reason=reason)
        measure.placement_ended_on = placement.until
    measure.status = MeasureStatus.IN_FORCE
    measure.save(update_fields=["status", "placement_ended_on"])


def _undo(actor, case: Case, measure: Measure, why: str) -> None:
    reason = _("Measure of decision %(number)s set aside on appeal: %(why)s") % {"number": case.number, "why": why}
    if measure.kind in (MeasureKind.SUSPEND_CERTIFICATE, MeasureKind.OFF_POST_TRAINING):
        certificate = Certificate.objects.get(pk=measure.certificate_id)
        # A suspension already over (period run out, training done) leaves nothing to undo.
        if certificate.status == CertificateStatus.SUSPENDED:
            authority.certificate_decision_undo(actor=actor, certificate=certificate, decided_status=CertificateStatus.SUSPENDED,
                                                restore_status=measure.certificate_status_before, reason=reason)
    elif measure.kind == MeasureKind.REVOKE:
        authority.certificate_decision_undo(actor=actor, certificate=measure.certificate, decided_status=CertificateStatus.REVOKED,
                                            restore_status=measure.certificate_status_before, reason=reason)
    elif measure.kind == MeasureKind.TRANSFER:
        authority.placement_restore(actor=actor, placement=measure.placement, ended_on=measure.placement_ended_on, reason=reason)
    measure.status = MeasureStatus.REVOKED
    measure.save(update_fields=["status"])


@guarded(_handles, who=Actor.OFFICE)
def case_decide(
    *, actor, case: Case, grounds: str, mitigating: list[str] | tuple = (), mitigating_note: str = "",
    publish: bool = False, published_summary: str = "",
) -> Case:
    """Decide: the measures come into force and their effects reach certificates and posts in
    this same transaction; one effect refused (the certificate changed meanwhile) undoes all."""
    case, source = engine.advance(CASES, case, T.DECIDE)
    case.decision_grounds = _required(grounds, _("A decision needs its grounds."))
    unknown = set(mitigating) - set(MitigatingGround.values)
    if unknown:
        raise AccountabilityError(_("Unknown mitigating ground."))
    case.mitigating = sorted(set(mitigating))
    case.mitigating_note = (mitigating_note or "").strip()
    if case.mitigating and not case.mitigating_note:
        raise AccountabilityError(_("Explain the mitigating or exempting circumstances in the note."))
    case.published = bool(publish)
    case.published_summary = (published_summary or "").strip()
    if case.published and not case.published_summary:
        raise AccountabilityError(_("Write the summary to be published."))
    measures = list(case.measures.select_related("person", "certificate", "placement").order_by("id"))
    if any(m.kind == MeasureKind.DEPARTMENT_CIRCULATED for m in measures) and not case.published:
        raise AccountabilityError(_("A circulated criticism of the department is published: tick publication and write the summary."))
    if not measures and not case.mitigating:
        raise AccountabilityError(_("Decide at least one measure, or record the exempting grounds."))
    history = selectors.case_history(case)
    case.heavier = history.heavier
    case.decided_on = timezone.localdate()
    for measure in measures:
        _apply(actor, case, measure)
    engine.record(CASES, actor, case, source, comment=case.decision_grounds, fields=(
        "decision_grounds", "mitigating", "mitigating_note", "published", "published_summary", "heavier", "decided_on",
    ))
    return case


@guarded(_via_case("measure"), who=Actor.OFFICE)
def measure_reinstate_after_training(*, actor, measure: Measure) -> Measure:
    """离岗培训: the certificate comes back once a training completed since the decision is on record."""
    measure = Measure.objects.select_for_update(of=("self",)).select_related("case", "person__officer").get(pk=measure.pk)
    if measure.kind != MeasureKind.OFF_POST_TRAINING or measure.status != MeasureStatus.IN_FORCE:
        raise AccountabilityError(_("Only an off-post training in force ends with reinstatement."))
    if measure.reinstated_on is not None:
        raise AccountabilityError(_("The certificate has already been reinstated."))
    if not measure.person.officer.trainings.filter(completed_on__gte=measure.case.decided_on).exists():
        raise AccountabilityError(_("No training completed since the decision is on record: record the training first."))
    authority.certificate_reinstate_after_suspension(
        actor=actor, certificate=measure.certificate,
        reason=_("Training completed after decision %(number)s.") % {"number": measure.case.number},
    )
    measure.reinstated_on = timezone.localdate()
    measure.save(update_fields=["reinstated_on"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=measure, detail={"reinstated_on": measure.reinstated_on.isoformat()})
    return measure


@guarded(_via_case("measure"), who=Actor.OFFICE)
def rectification_complete(*, actor, measure: Measure, report: str, completed_on: datetime.date | None = None) -> Measure:
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.kind != MeasureKind.RECTIFY or measure.status != MeasureStatus.IN_FORCE:
        raise AccountabilityError(_("Only a rectification in force can be completed."))
    if measure.completed_on is not None:
        raise AccountabilityError(_("This rectification is already completed."))
    measure.completion_note = _required(report, _("Write down what the department rectified."))
    measure.completed_on = completed_on or timezone.localdate()
    measure.save(update_fields=["completion_note", "completed_on"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=measure, detail={"completed_on": measure.completed_on.isoformat()})
    return measure


# -- Notice and appeal ------------------------------------------------------------------------


def remedy_for(government: Organisation) -> RemedySetting:
    """The government's configured appeal body and period (unsaved defaults until configured:
    the office itself, 30 days)."""
    setting = RemedySetting.objects.filter(government=government).first()
    if setting is None:
        setting = RemedySetting(government=government, appeal_body=_("The legal affairs office of %(name)s") % {"name": government.name}, period_days=30)
    return setting


@guarded(lambda actor, *, government, **_kw: (perms.can_manage_commendations(actor, government), government), who=Actor.OFFICE)
def remedy_setting_save(*, actor, government: Organisation, appeal_body: str, period_days: int, channel: str = "") -> RemedySetting:
    appeal_body = _required(appeal_body, _("Name the body that decides appeals."))
    if not period_days or period_days < 1 or period_days > 365:
        raise AccountabilityError(_("The appeal period is between 1 and 365 days."))
    setting, _created = RemedySetting.objects.update_or_create(
        government=government, defaults={"appeal_body": appeal_body, "period_days": period_days, "channel": (channel or "").strip()}
    )
    event_record(action=AuditAction.UPDATE, actor=actor, obj=setting, detail={"body": appeal_body, "days": period_days})
    return setting


@guarded(_handles, who=Actor.OFFICE)
def case_notify(*, actor, case: Case) -> Case:
    """Notify the persons and department concerned of the decision, with the remedy channel and
    period: the record here, and mail to the department's people through the outbox."""
    case, source = engine.advance(CASES, case, T.NOTIFY)
    setting = remedy_for(case.government)
    today = timezone.localdate()
    case.notified_on = today
    case.appeal_until = today + datetime.timedelta(days=setting.period_days)
    case.remedy_text = _(
        "An appeal (申诉 or 复核) against this decision may be lodged with %(body)s by %(date)s. %(channel)s"
    ) % {"body": setting.appeal_body, "date": case.appeal_until.isoformat(), "channel": setting.channel}
    case.remedy_text = case.remedy_text.strip()
    engine.record(CASES, actor, case, source, comment=case.remedy_text, fields=("notified_on", "appeal_until", "remedy_text"))
    message_enqueue(task="accountability.tasks.send_decision_notice", kwargs={"case_id": case.pk})
    return case


@guarded(_case_check(perms.can_lodge_appeal), who=Actor.OFFICE)
def appeal_lodge(*, actor, case: Case, kind: str, appellant: str, grounds: str, filed_on: datetime.date | None = None) -> Appeal:
    case, source = engine.advance(CASES, case, T.APPEAL)
    filed_on = filed_on or timezone.localdate()
    if filed_on > case.appeal_until:
        raise AccountabilityError(
            _("The appeal period ended on %(date)s; the appeal cannot be accepted.") % {"date": case.appeal_until.isoformat()}
        )
    appellant = _required(appellant, _("Name who appeals."))
    grounds = _required(grounds, _("Give the grounds of the appeal."))
    appeal = Appeal.objects.create(case=case, kind=kind, appellant=appellant, grounds=grounds, filed_on=filed_on,
                                   body=remedy_for(case.government).appeal_body)
    engine.record(CASES, actor, case, source, comment=grounds)
    return appeal


@guarded(_via_case("appeal"), who=Actor.OFFICE)
def appeal_decide(*, actor, appeal: Appeal, outcome: str, note: str, revoke: list[Measure] | tuple = ()) -> Appeal:
    """Record the configured body's decision: upheld (nothing changes), changed (the chosen
    measures are set aside and their effects undone) or revoked (all of them, and the case
    counts as no fault). The case closes."""
    case, source = engine.advance(CASES, appeal.case, T.RESOLVE)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.outcome:
        raise AccountabilityError(_("This appeal is already decided."))
    if outcome not in AppealOutcome.values:
        raise AccountabilityError(_("Choose the outcome of the appeal."))
    note = _required(note, _("Give the reasons of the outcome."))
    in_force = list(case.measures.filter(status=MeasureStatus.IN_FORCE).select_related("certificate", "placement"))
    if outcome == AppealOutcome.REVOKED:
        chosen = in_force
        case.cleared = True
    elif outcome == AppealOutcome.CHANGED:
        wanted = {m.pk for m in revoke}
        chosen = [m for m in in_force if m.pk in wanted]
        if not chosen or len(chosen) != len(wanted):
            raise AccountabilityError(_("Choose the measures in force that the changed decision sets aside."))
    else:
        chosen = []
    for measure in chosen:
        _undo(actor, case, measure, note)
    appeal.outcome, appeal.outcome_note, appeal.decided_on = outcome, note, timezone.localdate()
    appeal.save(update_fields=["outcome", "outcome_note", "decided_on"])
    case.closed_on = appeal.decided_on
    engine.record(CASES, actor, case, source, comment=note, fields=("closed_on", "cleared"))
    return appeal


@guarded(_handles, who=Actor.OFFICE)
def case_close(*, actor, case: Case) -> Case:
    """Close a notified case once its appeal period is over without an appeal."""
    case, source = engine.advance(CASES, case, T.CLOSE)
    today = timezone.localdate()
    if case.appeal_until and today <= case.appeal_until:
        raise AccountabilityError(
            _("The appeal period runs until %(date)s; the case can be closed after it.") % {"date": case.appeal_until.isoformat()}
        )
    case.closed_on = today
    engine.record(CASES, actor, case, source, fields=("closed_on",))
    return case


# -- Suggestions ------------------------------------------------------------------------------


def _suggestion_check(actor, *, suggestion, **_kwargs):
    return perms.can_decide_suggestion(actor, suggestion), suggestion


@guarded(_suggestion_check, who=Actor.OFFICE)
def suggestion_accept(*, actor, suggestion: Suggestion, measure: str = "") -> Case:
    """Open a registered case from the suggestion, its rule and figures as the source. Where
    the rule offers a choice of measures (取消执法资格 or 调离执法岗位), the office names the
    one it means to pursue; nothing is applied until the case is decided."""
    from .suggestions import figures_text

    suggestion = Suggestion.objects.select_for_update(of=("self",)).select_related("department", "officer").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PROPOSED:
        raise AccountabilityError(_("This suggestion has already been %(status)s.") % {"status": suggestion.get_status_display()})
    if suggestion.measure_options:
        if measure not in suggestion.measure_options:
            raise AccountabilityError(_("Choose the measure the case is to pursue: %(options)s.") % {
                "options": " / ".join(str(MeasureKind(m).label) for m in suggestion.measure_options if m in MeasureKind.values)
            })
        suggestion.suggested_measure = measure
    figures = figures_text(suggestion)
    rule = suggestion.get_rule_display()
    lines = [f"{rule} — {suggestion.explanation}" + (f"（{figures}）" if figures else "")]
    if suggestion.officer_id:
        lines.append(_("Officer concerned: %(name)s") % {"name": suggestion.officer.name})
    if suggestion.suggested_measure:
        lines.append(_("Suggested measure: %(measure)s") % {"measure": suggestion.get_suggested_measure_display()})
    case = case_open(
        actor=actor, department=suggestion.department, source_kind=suggestion.source_kind,
        source_text="\n".join(lines), act=suggestion.explanation, source=suggestion, register=True,
    )
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.case = case
    suggestion.save(update_fields=["status", "case", "suggested_measure"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=suggestion,
                 detail={"to": "accepted", "case": case.pk, "measure": suggestion.suggested_measure})
    return case


@guarded(_suggestion_check, who=Actor.OFFICE)
def suggestion_dismiss(*, actor, suggestion: Suggestion, reason: str) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PROPOSED:
        raise AccountabilityError(_("This suggestion has already been %(status)s.") % {"status": suggestion.get_status_display()})
    suggestion.reason = _required(reason, _("Say why the suggestion is dismissed."))
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.save(update_fields=["status", "reason"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=suggestion, message=suggestion.reason, detail={"to": "dismissed"})
    return suggestion


# -- Commendations ----------------------------------------------------------------------------


def _commendation_check(actor, *, commendation, **_kwargs):
    return perms.can_manage_commendations(actor, commendation.government), commendation


@guarded(lambda actor, *, department, **_kw: (perms.can_open_case_for(actor, department), department), who=Actor.OFFICE)
def commendation_propose(
    *, actor, department: Organisation, year: int, title: str, citation: str, officer: Officer | None = None
) -> Commendation:
    title = _required(title, _("Give the commendation a title."))
    citation = _required(citation, _("Write the citation."))
    if officer is not None and officer.department_id != department.pk:
        raise AccountabilityError(_("%(name)s is not an officer of this department.") % {"name": officer.name})
    if selectors.barred_from_commendation(department, year):
        raise AccountabilityError(
            _("%(department)s is barred from commendation for %(year)d by an accountability decision.")
            % {"department": department.name, "year": year}
        )
    commendation = Commendation.objects.create(
        government=department.jurisdiction, year=year, department=department, officer=officer, title=title,
        citation=citation, proposed_by=actor,
    )
    event_record(action=AuditAction.CREATE, actor=actor, obj=commendation, detail={"department": department.pk, "year": year})
    return commendation


@guarded(_commendation_check, who=Actor.OFFICE)
def commendation_decide(*, actor, commendation: Commendation, approve: bool, note: str = "") -> Commendation:
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    if commendation.status != CommendationStatus.PROPOSED:
        raise AccountabilityError(_("Only a proposed commendation can be decided."))
    if not approve:
        note = _required(note, _("Say why the commendation is not approved."))
    elif selectors.barred_from_commendation(commendation.department, commendation.year):
        raise AccountabilityError(_("The department has been barred from commendation for this year since it was proposed."))
    source = commendation.status
    commendation.status = CommendationStatus.APPROVED if approve else CommendationStatus.REJECTED
    commendation.decision_note = (note or "").strip()
    commendation.save(update_fields=["status", "decision_note"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=commendation, message=commendation.decision_note,
                 detail={"from": source, "to": commendation.status})
    return commendation


@guarded(_commendation_check, who=Actor.OFFICE)
def commendation_publish(*, actor, commendation: Commendation) -> Commendation:
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    if commendation.status != CommendationStatus.APPROVED:
        raise AccountabilityError(_("Only an approved commendation can be published."))
    commendation.status = CommendationStatus.PUBLISHED
    commendation.published_on = timezone.localdate()
    commendation.save(update_fields=["status", "published_on"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=commendation, detail={"from": "approved", "to": "published"})
    return commendation


TRANSITION_SERVICES = {
    T.REGISTER: case_register,
    T.INVESTIGATE: case_investigate,
    T.PROPOSE: case_propose,
    T.NOTIFY: case_notify,
    T.CLOSE: case_close,
}
# Transitions with a reason in the form.
REASONED_SERVICES = {T.DECLINE: case_decline, T.DISMISS: case_dismiss, T.RETURN: case_return}
