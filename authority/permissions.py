"""Who may do what with the authority breakdown. Breakdowns follow the catalogues' rules: the
department edits its own drafts, the competent legal-affairs office decides, offices see versions
once submitted. Posts, officers and their records belong to a department; certificates are issued
by the government whose legal-affairs office is competent for the officer's department."""

from django.db.models import QuerySet

from accounts.permissions import (
    departments_in_scope,
    is_business_user,
    is_competent_office,
    is_department_editor,
    scoped,
)
from organisations.models import Organisation
from workflow.review import EDITABLE_STATUSES, REVIEW, Transition, versions_visible_to

from .models import Breakdown, Certificate, Officer, Post, PowerItem


def can_view_breakdowns(user) -> bool:
    return is_business_user(user)


def breakdowns_visible_to(user) -> QuerySet[Breakdown]:
    return versions_visible_to(user, Breakdown)


def powers_visible_to(user) -> QuerySet[PowerItem]:
    return PowerItem.objects.filter(breakdown__in=breakdowns_visible_to(user))


def is_breakdown_editor(user, breakdown) -> bool:
    return is_department_editor(user, breakdown.department_id)


def can_edit_breakdown(user, breakdown) -> bool:
    return is_breakdown_editor(user, breakdown) and breakdown.status in EDITABLE_STATUSES


def can_start_breakdown(user, department: Organisation) -> bool:
    return is_department_editor(user, department)


def can_submit_breakdown(user, breakdown) -> bool:
    return REVIEW.may(Transition.SUBMIT, user, breakdown)


def can_decide_breakdown(user, breakdown) -> bool:
    return REVIEW.may(Transition.APPROVE, user, breakdown)


def posts_visible_to(user) -> QuerySet[Post]:
    if not can_view_breakdowns(user):
        return Post.objects.none()
    return scoped(Post.objects.all(), user, "agency__path")


def can_manage_posts(user, department: Organisation) -> bool:
    """A department keeps the posts of its own agencies."""
    return is_department_editor(user, department)


def officers_visible_to(user) -> QuerySet[Officer]:
    return Officer.objects.filter(department__in=departments_in_scope(user))


def can_manage_officers(user, department: Organisation) -> bool:
    """Officers, their posts and training are the department's records."""
    return is_department_editor(user, department)


def can_manage_certificates(user, department: Organisation) -> bool:
    """Exams and certificates: the legal-affairs office competent for the department."""
    return is_competent_office(user, department)


def certificates_visible_to(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(officer__department__in=departments_in_scope(user))
