"""Case-file review (案卷评查): rubrics, the office's draw of files, reviewers, item-by-item
scores, the department's answer and the final score.

A file's score: each section starts at its maximum and loses ``deduction × faults`` per item,
never below zero (a section whose items could deduct more than its maximum is allowed: the
deductions simply stop at zero); the sections are added up; any fault on a veto item makes the
whole file 0. A rubric is refused when its sections' maximums do not add up to 100 or when one
item deducts more than its section's maximum for a single fault (a typo, never a rule)."""

import random
import secrets
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import guarded, is_business_user
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation

from . import permissions as appraisal_perms
from .indicators import q2
from .models import HUNDRED, CaseFile, FileReview, ItemScore, ReviewDraw, ReviewStatus, Rubric, RubricItem, RubricSection
from .scoring import departments_of
from .services import AppraisalError


def validate_rubric(sections: list[dict], items: list[dict]) -> list[str]:
    """``sections``: [{"name", "max_points"}]; ``items``: [{"text", "deduction", "section"
    (the section's index, None for a veto item), "is_veto"}]."""
    errors = []
    total = sum((Decimal(str(s["max_points"])) for s in sections), Decimal(0))
    if total != HUNDRED:
        errors.append(_("The sections' maximum points add up to %(total)s, not 100.") % {"total": f"{total.normalize():f}"})
    for item in items:
        if item.get("is_veto"):
            continue
        index = item.get("section")
        if index is None or not (0 <= index < len(sections)):
            errors.append(_("Item “%(text)s” belongs to no section.") % {"text": item["text"]})
            continue
        deduction, maximum = Decimal(str(item["deduction"])), Decimal(str(sections[index]["max_points"]))
        if deduction <= 0:
            errors.append(_("Item “%(text)s”: the deduction per fault must be more than 0.") % {"text": item["text"]})
        elif deduction > maximum:
            errors.append(
                _("Item “%(text)s” deducts %(deduction)s per fault, more than its section “%(section)s” holds (%(maximum)s).")
                % {"text": item["text"], "deduction": deduction, "section": sections[index]["name"], "maximum": maximum}
            )
    return errors


def rubric_create(*, actor, case_kind: str, name: str, sections: list[dict], items: list[dict], provenance: str = "") -> Rubric:
    """A new version of the rubric for ``case_kind`` (reference data; the office of any
    jurisdiction, or a data migration with ``actor=None``)."""
    if actor is not None and appraisal_perms.office_jurisdiction(actor) is None:
        from accounts.permissions import require

        require(actor, False, who="office")
    errors = validate_rubric(sections, items)
    if errors:
        raise AppraisalError("\n".join(errors))
    version = (Rubric.objects.filter(case_kind=case_kind).aggregate(v=Max("version"))["v"] or 0) + 1
    rubric = Rubric.objects.create(case_kind=case_kind, version=version, name=name, provenance=provenance)
    made = [RubricSection.objects.create(rubric=rubric, name=s["name"], max_points=Decimal(str(s["max_points"])), position=i)
            for i, s in enumerate(sections)]
    RubricItem.objects.bulk_create([
        RubricItem(rubric=rubric, section=None if item.get("is_veto") else made[item["section"]], text=item["text"],
                   deduction=Decimal(str(item.get("deduction") or 0)), is_veto=bool(item.get("is_veto")), position=i)
        for i, item in enumerate(items)
    ])
    if actor is not None:
        event_record(action=AuditAction.CREATE, actor=actor, obj=rubric, message=_("Review rubric created"))
    return rubric


def file_score(rubric: Rubric, faults: dict[int, int]) -> tuple[Decimal, bool]:
    """(score, vetoed) of a file given ``faults`` per item id."""
    items = list(rubric.items.select_related("section"))
    if any(item.is_veto and faults.get(item.pk, 0) > 0 for item in items):
        return Decimal("0.00"), True
    total = Decimal(0)
    for section in rubric.sections.all():
        lost = sum((item.deduction * faults.get(item.pk, 0) for item in items if item.section_id == section.pk), Decimal(0))
        total += max(Decimal(0), section.max_points - lost)
    return q2(total), False


def current_rubrics() -> dict[str, Rubric]:
    rubrics = {}
    for rubric in Rubric.objects.order_by("case_kind", "-version"):
        rubrics.setdefault(rubric.case_kind, rubric)
    return rubrics


@guarded(lambda actor, *, jurisdiction, **kw: (appraisal_perms.can_manage_appraisal(actor, jurisdiction), jurisdiction))
def draw_create(*, actor, jurisdiction: Organisation, year: int, per_department: int, seed: str = "") -> ReviewDraw:
    """Draw ``per_department`` files of the year from each department (all of them where it has
    fewer), at random but reproducibly: the same seed draws the same files."""
    if not 1 <= per_department <= 50:
        raise AppraisalError(_("Draw between 1 and 50 files per department."))
    seed = (seed or "").strip() or secrets.token_hex(8)
    rubrics = current_rubrics()
    draw = ReviewDraw.objects.create(jurisdiction=jurisdiction, year=year, seed=seed, per_department=per_department, drawn_by=actor)
    files_by_department = {}
    for case_file in CaseFile.objects.filter(
        department__jurisdiction=jurisdiction, decided_on__year=year
    ).only("id", "department_id", "number", "case_kind").order_by("department_id", "number"):
        files_by_department.setdefault(case_file.department_id, []).append(case_file)
    missing_kinds = sorted({f.get_case_kind_display() for files in files_by_department.values() for f in files if f.case_kind not in rubrics})
    if missing_kinds:
        raise AppraisalError(_("No review rubric for: %(kinds)s. Load one first.") % {"kinds": "、".join(missing_kinds)})
    reviews = []
    for department in departments_of(jurisdiction_id=jurisdiction.pk).order_by("path").only("id", "code"):
        files = files_by_department.get(department.pk, [])
        chosen = random.Random(f"{seed}:{department.code}").sample(files, min(per_department, len(files)))
        reviews += [FileReview(draw=draw, case_file=f, department_id=department.pk, rubric=rubrics[f.case_kind]) for f in chosen]
    FileReview.objects.bulk_create(reviews)
    event_record(action=AuditAction.CREATE, actor=actor, obj=draw, message=_("Case files drawn for review"),
                 detail={"seed": seed, "per_department": per_department, "files": len(reviews)})
    return draw


def reviewer_conflict(reviewer, department: Organisation) -> bool:
    """The reviewer belongs to the reviewed department (or an organisation under it)."""
    organisation = getattr(reviewer, "organisation", None)
    return organisation is not None and organisation.path.startswith(department.path)


@guarded(lambda actor, *, review, **kw: (appraisal_perms.can_manage_appraisal(actor, review.draw.jurisdiction), review))
def review_assign(*, actor, review: FileReview, reviewer) -> FileReview:
    review = FileReview.objects.select_for_update().select_related("department").get(pk=review.pk)
    if review.status == ReviewStatus.FINAL:
        raise AppraisalError(_("This review is final."))
    if not is_business_user(reviewer) or not reviewer.is_active:
        raise AppraisalError(_("Choose an active reviewer account."))
    if reviewer_conflict(reviewer, review.department):
        raise AppraisalError(_("%(name)s belongs to %(department)s and may not review its files.")
                             % {"name": reviewer, "department": review.department.name})
    before = review.reviewer_id
    review.reviewer = reviewer
    review.save(update_fields=["reviewer"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=review, message=_("Reviewer assigned"),
                 detail={"before": before, "after": reviewer.pk})
    return review


@guarded(lambda actor, *, review, **kw: (appraisal_perms.can_score_review(actor, review), review))
def review_score(*, actor, review: FileReview, faults: dict[int, int], notes: dict[int, str]) -> FileReview:
    """Record the faults (and notes) item by item; the file's score follows."""
    review = FileReview.objects.select_for_update().select_related("rubric", "department").get(pk=review.pk)
    if review.status == ReviewStatus.FINAL:
        raise AppraisalError(_("This review is final."))
    if reviewer_conflict(actor, review.department):
        raise AppraisalError(_("You may not review your own department's files."))
    item_ids = set(review.rubric.items.values_list("id", flat=True))
    unknown = set(faults) - item_ids
    if unknown:
        raise AppraisalError(_("Scores were given for items that are not in this file's rubric."))
    if any(int(v) < 0 for v in faults.values()):
        raise AppraisalError(_("A number of faults cannot be negative."))
    ItemScore.objects.filter(review=review).delete()
    ItemScore.objects.bulk_create([
        ItemScore(review=review, item_id=item_id, faults=int(faults.get(item_id, 0)), note=(notes.get(item_id) or "")[:500])
        for item_id in sorted(item_ids) if faults.get(item_id) or notes.get(item_id)
    ])
    review.score, review.vetoed = file_score(review.rubric, {k: int(v) for k, v in faults.items()})
    review.status = ReviewStatus.SCORED
    review.save(update_fields=["score", "vetoed", "status"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=review, message=_("Case file scored"),
                 detail={"score": str(review.score), "vetoed": review.vetoed, "faults": {str(k): int(v) for k, v in faults.items() if v}})
    return review


@guarded(lambda actor, *, review, **kw: (appraisal_perms.can_answer_review(actor, review), review))
def review_answer(*, actor, review: FileReview, answer: str) -> FileReview:
    review = FileReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SCORED:
        raise AppraisalError(_("The findings can be answered only before they are final."))
    if not (answer or "").strip():
        raise AppraisalError(_("Write the answer."))
    review.department_answer = answer.strip()
    review.save(update_fields=["department_answer"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=review, message=_("Department answered the review findings"))
    return review


@guarded(lambda actor, *, review, **kw: (appraisal_perms.can_finalise_review(actor, review), review))
def review_finalise(*, actor, review: FileReview) -> FileReview:
    review = FileReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SCORED:
        raise AppraisalError(_("Only a scored file can be made final."))
    review.status, review.finalised_at = ReviewStatus.FINAL, timezone.now()
    review.save(update_fields=["status", "finalised_at"])
    event_record(action=AuditAction.TRANSITION, actor=actor, obj=review, message=_("Case-file review made final"),
                 detail={"score": str(review.score)})
    return review
