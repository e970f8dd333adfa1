"""Who may do what with the enforcement basis: catalogues, their review, the registry of
instruments and submission deadlines. Built on ``accounts.permissions`` and the review table."""

from django.db.models import QuerySet

from accounts.models import OFFICE_ROLES
from accounts.permissions import (
    can_review_for,
    department_of,
    is_business_user,
    is_department_editor,
    is_legal_affairs_office,
    jurisdiction_of,
    role_of,
)
from organisations.models import Organisation
from workflow.review import EDITABLE_STATUSES, REVIEW, Transition, versions_visible_to

from .models import BasisCatalogue, SubmissionDeadline


def can_view_catalogues(user) -> bool:
    return is_business_user(user)


def catalogues_visible_to(user) -> QuerySet[BasisCatalogue]:
    """Catalogues of departments in the user's scope; drafts are the department's alone."""
    return versions_visible_to(user, BasisCatalogue)


def is_catalogue_editor(user, catalogue) -> bool:
    """The user edits this department's catalogues (whether this version is editable or not)."""
    return is_department_editor(user, catalogue.department_id)


def can_edit_catalogue(user, catalogue) -> bool:
    """Only the department's editor edits, and only a draft or a returned version."""
    return is_catalogue_editor(user, catalogue) and catalogue.status in EDITABLE_STATUSES


def can_start_catalogue(user, department: Organisation) -> bool:
    return is_department_editor(user, department)


def can_submit_catalogue(user, catalogue) -> bool:
    return REVIEW.may(Transition.SUBMIT, user, catalogue)


def can_decide_catalogue(user, catalogue) -> bool:
    """Start review, return, approve, publish: the competent legal-affairs office alone."""
    return REVIEW.may(Transition.APPROVE, user, catalogue)


def can_comment_catalogue(user, catalogue) -> bool:
    """Both offices comment during review: the establishment office co-reviews entries about
    functions and mandates."""
    return role_of(user) in OFFICE_ROLES and can_review_for(user, catalogue.department)


def can_manage_instruments(user) -> bool:
    """The legal-affairs office keeps the registry of instruments and records amendments."""
    return is_legal_affairs_office(user)


def can_set_deadline(user, jurisdiction: Organisation) -> bool:
    government = jurisdiction_of(user)
    return is_legal_affairs_office(user) and government is not None and government.pk == jurisdiction.pk


def deadlines_visible_to(user) -> QuerySet[SubmissionDeadline]:
    """The submission deadlines of the user's government: those an office set for its
    jurisdiction, or those that bind a department."""
    department = department_of(user) if can_view_catalogues(user) else None
    government = jurisdiction_of(user) or (department.jurisdiction if department is not None else None)
    if government is None:
        return SubmissionDeadline.objects.none()
    return SubmissionDeadline.objects.filter(jurisdiction=government)


def can_view_submission_progress(user) -> bool:
    """Who has submitted and who is late: the legal affairs office of a jurisdiction, which sets
    the deadline and reviews the catalogues."""
    return is_legal_affairs_office(user) and jurisdiction_of(user) is not None
