"""Who may do what in appraisal. The legal-affairs office of a jurisdiction runs its schemes,
rounds, draws and outcome records; a department sees its own draft results and reviews,
objects and answers findings; reviewers score the files assigned to them."""

from django.db.models import QuerySet

from accounts.permissions import (
    department_of,
    is_business_user,
    is_department_editor,
    is_legal_affairs_office,
    jurisdiction_of,
    role_of,
    scope_root,
)
from organisations.models import Organisation

from .models import CaseOutcome, DepartmentResult, FileReview, Rating, ReviewDraw, Round, RoundStatus, Scheme

VISIBLE_TO_DEPARTMENTS = (RoundStatus.COMPUTED, RoundStatus.FINALISED)


def can_view_appraisal(user) -> bool:
    return is_business_user(user)


def office_jurisdiction(user) -> Organisation | None:
    """The jurisdiction whose appraisal the user's legal-affairs office runs."""
    return jurisdiction_of(user) if is_legal_affairs_office(user) else None


def can_manage_appraisal(user, jurisdiction: Organisation | None = None) -> bool:
    own = office_jurisdiction(user)
    return own is not None and (jurisdiction is None or own.pk == jurisdiction.pk)


def _department_jurisdiction_id(user):
    department = department_of(user)
    return department.jurisdiction_id if department is not None else None


def schemes_visible_to(user) -> QuerySet[Scheme]:
    if not is_business_user(user):
        return Scheme.objects.none()
    own = jurisdiction_of(user)
    if own is not None:
        return Scheme.objects.filter(jurisdiction__path__startswith=own.path)
    jurisdiction_id = _department_jurisdiction_id(user)
    return Scheme.objects.filter(jurisdiction_id=jurisdiction_id) if jurisdiction_id else Scheme.objects.none()


def rounds_visible_to(user) -> QuerySet[Round]:
    rounds = Round.objects.filter(scheme__in=schemes_visible_to(user))
    if jurisdiction_of(user) is None:
        rounds = rounds.filter(status__in=VISIBLE_TO_DEPARTMENTS)
    return rounds


def results_visible_to(user) -> QuerySet[DepartmentResult]:
    """The office: every result of its rounds; a department: its own."""
    results = DepartmentResult.objects.filter(round__in=rounds_visible_to(user))
    if jurisdiction_of(user) is not None:
        return results
    department = department_of(user)
    return results.filter(department=department) if department is not None else results.none()


def can_object(user, result: DepartmentResult) -> bool:
    return (
        role_of(user) is not None
        and is_department_editor(user, result.department_id)
        and result.round.status == RoundStatus.COMPUTED
    )


def can_decide_round(user, round_: Round) -> bool:
    return can_manage_appraisal(user, round_.scheme.jurisdiction)


def draws_visible_to(user) -> QuerySet[ReviewDraw]:
    own = jurisdiction_of(user)
    return ReviewDraw.objects.filter(jurisdiction__path__startswith=own.path) if own else ReviewDraw.objects.none()


def reviews_visible_to(user) -> QuerySet[FileReview]:
    """The office its jurisdiction's; a department its own files; anyone the files assigned to
    them to review."""
    if not is_business_user(user):
        return FileReview.objects.none()
    own = jurisdiction_of(user)
    if own is not None:
        return FileReview.objects.filter(draw__jurisdiction__path__startswith=own.path)
    department = department_of(user)
    mine = FileReview.objects.filter(reviewer=user)
    return (FileReview.objects.filter(department=department) | mine) if department is not None else mine


def can_score_review(user, review: FileReview) -> bool:
    return review.reviewer_id == user.pk and review.status != "final"


def can_answer_review(user, review: FileReview) -> bool:
    return is_department_editor(user, review.department_id) and review.status == "scored"


def can_finalise_review(user, review: FileReview) -> bool:
    return can_manage_appraisal(user, review.draw.jurisdiction) and review.status == "scored"


def outcomes_visible_to(user) -> QuerySet[CaseOutcome]:
    root = scope_root(user)
    if not is_business_user(user) or root is None:
        return CaseOutcome.objects.none()
    return CaseOutcome.objects.filter(department__path__startswith=root.path)


def ratings_visible_to(user) -> QuerySet[Rating]:
    """Ratings with their comments: the office of the jurisdiction and the department itself."""
    root = scope_root(user)
    if not is_business_user(user) or root is None:
        return Rating.objects.none()
    return Rating.objects.filter(department__path__startswith=root.path)
