"""Writes of the appraisal chapter: schemes and their indicators, manual scores, rounds, their
objections and finalisation, officer complaints. Each checks the actor first (``guarded``),
validates everything before it writes (a refused write saves nothing) and writes one audit event."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor, guarded, is_department_editor
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation
from outbox.services import message_enqueue
from toolkit.errors import DomainError
from toolkit.files import original_name

from . import permissions as appraisal_perms
from . import scoring
from .indicators import SOURCES
from .models import (
    HUNDRED,
    IndicatorScore,
    ManualScore,
    Objection,
    ObjectionStatus,
    ReferenceIndicator,
    ResultDocument,
    Round,
    RoundStatus,
    Scheme,
    SchemeIndicator,
    Target,
    UpheldComplaint,
)


class AppraisalError(DomainError):
    """A refusal the user can act on; the message is shown as is."""


def _office(actor, jurisdiction=None, **_kwargs):
    return appraisal_perms.can_manage_appraisal(actor, jurisdiction), jurisdiction


def _scheme_office(actor, *, scheme, **_kwargs):
    return appraisal_perms.can_manage_appraisal(actor, scheme.jurisdiction), scheme


def _round_office(actor, *, round_, **_kwargs):
    return appraisal_perms.can_decide_round(actor, round_), round_


# -- Schemes ----------------------------------------------------------------------------------


def validate_thresholds(values: dict) -> dict:
    """{field: message} for thresholds that are not strictly falling or outside 0–100."""
    errors = {}
    names = ("excellent_from", "good_from", "pass_from", "basic_pass_from")
    for name in names:
        value = values.get(name)
        if value is None or not (Decimal(0) <= Decimal(value) <= HUNDRED):
            errors[name] = _("Enter a threshold between 0 and 100.")
    if not errors:
        ordered = [Decimal(values[n]) for n in names]
        if not all(a > b for a, b in zip(ordered, ordered[1:])):
            errors["excellent_from"] = _("Thresholds must fall strictly: excellent > good > pass > basic pass.")
    return errors


def validate_indicators(rows: list[dict]) -> list[str]:
    """Messages for a set of indicators: known sources of the right target, weights 0–100,
    codes unique, and the weights of each target (departments, officers) summing to 100."""
    errors = []
    codes = set()
    totals = {Target.DEPARTMENT: Decimal(0), Target.OFFICER: Decimal(0)}
    for row in rows:
        name = row.get("name") or row.get("code") or "?"
        source = SOURCES.get(row.get("source"))
        if source is None or source.target != row.get("target"):
            errors.append(_("Indicator %(name)s: choose a source for its kind of appraisee.") % {"name": name})
        try:
            weight = Decimal(str(row.get("weight")))
        except (InvalidOperation, TypeError):
            weight = Decimal(-1)
        if not (Decimal(0) < weight <= HUNDRED):
            errors.append(_("Indicator %(name)s: the weight must be more than 0 and at most 100.") % {"name": name})
        elif row.get("target") in totals:
            totals[row["target"]] += weight
        if row.get("code") in codes:
            errors.append(_("Indicator code %(code)s is used twice.") % {"code": row.get("code")})
        codes.add(row.get("code"))
        if not (row.get("rule") or "").strip():
            errors.append(_("Indicator %(name)s: write its scoring rule.") % {"name": name})
    for target, total in totals.items():
        if total != HUNDRED:
            errors.append(
                _("The weights of the indicators for %(target)s add up to %(total)s, not 100.")
                % {"target": Target(target).label, "total": f"{total.normalize():f}"}
            )
    return errors


@guarded(lambda actor, *, jurisdiction, **kw: _office(actor, jurisdiction))
def scheme_create(*, actor, jurisdiction: Organisation, year: int, title: str, **thresholds) -> Scheme:
    """A new scheme for the year, its indicators copied from the reference indicators; the next
    version if the year has one already."""
    errors = validate_thresholds({**{k: getattr(Scheme, k).field.default for k in (
        "excellent_from", "good_from", "pass_from", "basic_pass_from")}, **thresholds})
    if errors:
        raise AppraisalError(" ".join(errors.values()))
    version = (Scheme.objects.filter(jurisdiction=jurisdiction, year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    scheme = Scheme.objects.create(jurisdiction=jurisdiction, year=year, version=version, title=title, created_by=actor, **thresholds)
    previous = Scheme.objects.filter(jurisdiction=jurisdiction, year=year, version=version - 1).first()
    if previous is not None:
        rows = [dict(target=i.target, code=i.code, name=i.name, source=i.source, weight=i.weight, rule=i.rule, params=i.params, position=i.position)
                for i in previous.indicators.all()]
        for field in ("excellent_from", "good_from", "pass_from", "basic_pass_from", "objection_days", "reversal_rate_threshold"):
            if field not in thresholds:
                setattr(scheme, field, getattr(previous, field))
        scheme.save()
    else:
        rows = [dict(target=r.target, code=r.code, name=r.name, source=r.source, weight=r.weight, rule=r.rule, params=r.params, position=r.position)
                for r in ReferenceIndicator.objects.all()]
    SchemeIndicator.objects.bulk_create([SchemeIndicator(scheme=scheme, **row) for row in rows])
    event_record(action=AuditAction.CREATE, actor=actor, obj=scheme, message=_("Appraisal scheme created"),
                 detail={"year": year, "version": version})
    return scheme


def _lock_unfrozen(scheme: Scheme) -> Scheme:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.rounds.exists():
        raise AppraisalError(_("A round has started on this scheme: it is frozen. Start the next version to change it."))
    return scheme


@guarded(_scheme_office)
def scheme_update(*, actor, scheme: Scheme, indicators: list[dict], **fields) -> Scheme:
    """Replace the scheme's settings and indicators at once (``indicators``: dicts with the
    indicator's fields). Nothing is saved unless all of it is valid."""
    scheme = _lock_unfrozen(scheme)
    errors = list(validate_thresholds({**{k: getattr(scheme, k) for k in ("excellent_from", "good_from", "pass_from", "basic_pass_from")}, **fields}).values())
    errors += validate_indicators(indicators)
    if errors:
        raise AppraisalError("\n".join(errors))
    for name, value in fields.items():
        setattr(scheme, name, value)
    scheme.full_clean(exclude=["jurisdiction", "created_by"])
    scheme.save()
    kept = {i.code: i for i in scheme.indicators.all()}
    wanted = {row["code"] for row in indicators}
    SchemeIndicator.objects.filter(scheme=scheme).exclude(code__in=wanted).delete()
    for position, row in enumerate(indicators):
        indicator = kept.get(row["code"]) or SchemeIndicator(scheme=scheme, code=row["code"])
        for name in ("target", "name", "source", "weight", "rule"):
            setattr(indicator, name, row[name])
        indicator.params = row.get("params") or {}
        indicator.position = row.get("position", position)
        indicator.save()
    event_record(action=AuditAction.UPDATE, actor=actor, obj=scheme, message=_("Appraisal scheme changed"),
                 detail={"fields": {k: str(v) for k, v in fields.items()},
                         "indicators": [{"code": r["code"], "weight": str(r["weight"]), "source": r["source"]} for r in indicators]})
    return scheme


@guarded(_scheme_office)
def scheme_group_create(*, actor, scheme: Scheme, name: str, departments) -> "SchemeGroup":
    """A group of comparable departments, ranked among themselves. A department is in one group
    of a scheme at most."""
    from .models import SchemeGroup

    scheme = _lock_unfrozen(scheme)
    name = (name or "").strip()
    if not name:
        raise AppraisalError(_("Name the group."))
    departments = list(departments)
    if not departments:
        raise AppraisalError(_("Choose the group's departments."))
    if any(d.jurisdiction_id != scheme.jurisdiction_id for d in departments):
        raise AppraisalError(_("A group holds departments of the scheme's jurisdiction only."))
    taken = SchemeGroup.departments.through.objects.filter(schemegroup__scheme=scheme, organisation__in=departments)
    if taken.exists():
        raise AppraisalError(_("%(names)s are in another group already.") % {
            "names": "、".join(sorted({t.organisation.name for t in taken.select_related("organisation")}))})
    if scheme.groups.filter(name=name).exists():
        raise AppraisalError(_("The scheme has a group of that name already."))
    group = SchemeGroup.objects.create(scheme=scheme, name=name)
    group.departments.set(departments)
    event_record(action=AuditAction.CREATE, actor=actor, obj=group, message=_("Department group created"),
                 detail={"scheme": scheme.pk, "departments": [d.pk for d in departments]})
    return group


# -- Manual scores ----------------------------------------------------------------------------

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


@guarded(lambda actor, *, indicator, **kw: (appraisal_perms.can_manage_appraisal(actor, indicator.scheme.jurisdiction), indicator))
def manual_score_set(*, actor, indicator: SchemeIndicator, department: Organisation, score: Decimal, reason: str, attachment) -> ManualScore:
    """Enter or change the office's score for a manual indicator, with reason and evidence."""
    from responsibility.services import ResponsibilityError, check_document

    if not SOURCES[indicator.source].manual:
        raise AppraisalError(_("This indicator is computed from the records; it cannot be entered."))
    if department.jurisdiction_id != indicator.scheme.jurisdiction_id:
        raise AppraisalError(_("This department is not appraised under this scheme."))
    if not (Decimal(0) <= Decimal(score) <= HUNDRED):
        raise AppraisalError(_("Enter a score between 0 and 100."))
    if not (reason or "").strip():
        raise AppraisalError(_("Give the reason for the score."))
    if attachment is None:
        raise AppraisalError(_("Attach the evidence for the score."))
    try:
        check_document(attachment)
    except ResponsibilityError as error:
        raise AppraisalError(str(error)) from None
    existing = ManualScore.objects.select_for_update().filter(indicator=indicator, department=department).first()
    before = str(existing.score) if existing else None
    manual = existing or ManualScore(indicator=indicator, department=department)
    manual.score, manual.reason, manual.entered_by = Decimal(score), reason.strip(), actor
    manual.attachment_name = original_name(attachment)
    manual.attachment.save(manual.attachment_name, attachment, save=False)
    manual.save()
    event_record(action=AuditAction.UPDATE if existing else AuditAction.CREATE, actor=actor, obj=manual,
                 message=_("Manual indicator score entered"),
                 detail={"indicator": indicator.code, "department": department.pk, "before": before, "after": str(manual.score), "reason": manual.reason})
    return manual


# -- Rounds -----------------------------------------------------------------------------------


def _enqueue(round_: Round) -> None:
    message_enqueue(task="appraisal.tasks.compute_round", kwargs={"round_id": round_.pk})


@guarded(_scheme_office)
def round_start(*, actor, scheme: Scheme, cut_off: datetime.date) -> Round:
    """Start a round (and so freeze the scheme); the worker computes it."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    errors = validate_indicators([
        dict(target=i.target, code=i.code, name=i.name, source=i.source, weight=i.weight, rule=i.rule)
        for i in scheme.indicators.all()
    ])
    if errors:
        raise AppraisalError("\n".join(errors))
    if cut_off.year != scheme.year:
        raise AppraisalError(_("The cut-off date must fall in the scheme's year."))
    round_ = Round.objects.create(scheme=scheme, cut_off=cut_off, started_by=actor)
    _enqueue(round_)
    event_record(action=AuditAction.CREATE, actor=actor, obj=round_, message=_("Appraisal round started"),
                 detail={"scheme": scheme.pk, "cut_off": cut_off.isoformat()})
    return round_


@guarded(_round_office)
def round_rerun(*, actor, round_: Round) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status not in (RoundStatus.COMPUTED, RoundStatus.FAILED):
        raise AppraisalError(_("Only a computed or failed round that is not finalised can be computed again."))
    if Objection.objects.filter(result__round=round_).exists():
        raise AppraisalError(_("Departments have objected to this round: answer them instead of computing it again."))
    round_.status, round_.progress = RoundStatus.QUEUED, 0
    round_.save(update_fields=["status", "progress"])
    _enqueue(round_)
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=round_, message=_("Appraisal round computed again"))
    return round_


@guarded(lambda actor, *, result, **kw: (appraisal_perms.can_object(actor, result), result), who=Actor.DEPARTMENT_EDITOR)
def objection_raise(*, actor, result, text: str, score: IndicatorScore | None = None) -> Objection:
    round_ = Round.objects.select_for_update().get(pk=result.round_id)
    if round_.status != RoundStatus.COMPUTED:
        raise AppraisalError(_("Objections are taken only while the results are a draft."))
    if round_.objections_until and timezone.localdate() > round_.objections_until:
        raise AppraisalError(_("The objection period ended on %(date)s.") % {"date": round_.objections_until.isoformat()})
    if not (text or "").strip():
        raise AppraisalError(_("Say what you object to and why."))
    if score is not None and (score.round_id != round_.pk or score.department_id != result.department_id):
        raise AppraisalError(_("Choose one of your department's indicators."))
    objection = Objection.objects.create(result=result, score=score, text=text.strip(), raised_by=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=objection, message=_("Objection raised"),
                 detail={"round": round_.pk, "department": result.department_id, "indicator": score.indicator_id if score else None})
    return objection


@guarded(lambda actor, *, objection, **kw: (appraisal_perms.can_decide_round(actor, objection.result.round), objection))
def objection_answer(*, actor, objection: Objection, answer: str, adjusted: Decimal | None = None) -> Objection:
    """Answer an objection; with ``adjusted``, the indicator's score becomes that (the answer is
    the reason), and the department's total, grade and every rank follow."""
    objection = Objection.objects.select_for_update(of=("self",)).select_related("result__round__scheme").get(pk=objection.pk)
    round_ = objection.result.round
    if round_.status != RoundStatus.COMPUTED:
        raise AppraisalError(_("This round is finalised."))
    if objection.status != ObjectionStatus.OPEN:
        raise AppraisalError(_("This objection has been answered."))
    if not (answer or "").strip():
        raise AppraisalError(_("Write the answer."))
    detail = {"round": round_.pk, "department": objection.result.department_id}
    if adjusted is not None:
        if objection.score is None:
            raise AppraisalError(_("This objection names no indicator: there is no score to adjust."))
        if not (Decimal(0) <= Decimal(adjusted) <= HUNDRED):
            raise AppraisalError(_("Enter a score between 0 and 100."))
        score = IndicatorScore.objects.select_for_update().get(pk=objection.score_id)
        detail.update(indicator=score.indicator_id, before=str(score.score), after=str(Decimal(adjusted)))
        score.adjusted, score.adjust_reason = Decimal(adjusted), answer.strip()
        score.save(update_fields=["adjusted", "adjust_reason"])
        result = objection.result
        before_total = result.total
        result.total = scoring.department_total(round_, result.department_id)
        result.save(update_fields=["total"])
        scoring.rerank(round_)
        detail.update(total_before=str(before_total), total_after=str(result.total))
    objection.status, objection.answer = ObjectionStatus.ANSWERED, answer.strip()
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=objection,
                 message=_("Objection answered, score adjusted") if adjusted is not None else _("Objection answered"), detail=detail)
    return objection


@guarded(_round_office)
def round_finalise(*, actor, round_: Round) -> Round:
    """Freeze and publish the round's results; tell the chapters above once committed."""
    from .signals import round_finalised

    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status != RoundStatus.COMPUTED:
        raise AppraisalError(_("Only a round with computed results can be finalised."))
    if Objection.objects.filter(result__round=round_, status=ObjectionStatus.OPEN).exists():
        raise AppraisalError(_("Answer every objection before finalising."))
    round_.status, round_.finalised_at = RoundStatus.FINALISED, timezone.now()
    round_.save(update_fields=["status", "finalised_at"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=round_, message=_("Appraisal round finalised and published"))
    round_id = round_.pk
    transaction.on_commit(lambda: round_finalised.send(sender=Round, round_id=round_id))
    return round_


@guarded(_round_office)
def result_document_request(*, actor, round_: Round) -> ResultDocument:
    document, _created = ResultDocument.objects.update_or_create(round=round_, defaults={"status": "queued", "error": ""})
    message_enqueue(task="appraisal.tasks.render_results", kwargs={"round_id": round_.pk})
    event_record(action=AuditAction.EXPORT, actor=actor, obj=round_, message=_("Results PDF requested"))
    return document


# -- Officer complaints -----------------------------------------------------------------------


def _complaint_check(actor, *, officer, **_kw):
    department = officer.department
    allowed = is_department_editor(actor, department.pk) or appraisal_perms.can_manage_appraisal(actor, department.jurisdiction)
    return allowed, officer


@guarded(_complaint_check)
def complaint_record(*, actor, officer, decided_on: datetime.date, summary: str) -> UpheldComplaint:
    if not (summary or "").strip():
        raise AppraisalError(_("Summarise the complaint."))
    if decided_on > timezone.localdate():
        raise AppraisalError(_("The date cannot be in the future."))
    complaint = UpheldComplaint.objects.create(officer=officer, decided_on=decided_on, summary=summary.strip(), recorded_by=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=complaint, message=_("Upheld complaint recorded"))
    return complaint
