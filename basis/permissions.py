"""Who may do what with the enforcement basis: catalogues, their review, the registry of
instruments and submission deadlines. Built on ``accounts.permissions`` and the review table."""

from django.db.models import QuerySet

from accounts.models import OFFICE_ROLES, Role
from accounts.permissions import (
    can_review_for,
    department_of,
    is_business_user,
    is_department_editor,
    is_legal_affairs_office,
    jurisdiction_of,
    role_of,
    within,
)
from organisations.models import Organisation
from workflow.review import EDITABLE_STATUSES, REVIEW, Transition, versions_visible_to

from .models import BasisCatalogue, InstrumentProposal, SubmissionDeadline


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


def can_give_establishment_opinion(user, catalogue) -> bool:
    """The establishment office of the competent government gives its opinion (会同审查): a
    county's office on its county's departments, the city's on the city's. The legal-affairs
    office comments and decides; it does not speak for the establishment office."""
    return role_of(user) == Role.ESTABLISHMENT_REVIEWER and can_review_for(user, catalogue.department)


def can_set_review_settings(user, jurisdiction: Organisation) -> bool:
    """A government's legal-affairs office sets how its own review runs, no other's."""
    return can_set_deadline(user, jurisdiction)


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


# -- Proposals of instruments the registry lacks ------------------------------------------------


def can_propose_instrument(user) -> bool:
    """A department's editor proposes an instrument the department cites and the registry lacks."""
    department = department_of(user)
    return department is not None and is_department_editor(user, department)


def proposals_visible_to(user) -> QuerySet[InstrumentProposal]:
    """A department sees its own proposals; a legal-affairs office those of the departments of
    its jurisdiction (a city office's includes its counties'). Nobody else sees any."""
    proposals = InstrumentProposal.objects.select_related("department", "proposed_by", "instrument", "decided_by")
    department = department_of(user)
    if department is not None and is_business_user(user):
        return proposals.filter(department=department)
    government = jurisdiction_of(user)
    if government is not None and is_legal_affairs_office(user):
        return within(proposals, government, "department__path")
    return proposals.none()


def can_view_proposal_queue(user) -> bool:
    """The queue of proposals to decide: the legal-affairs office, which keeps the registry."""
    return can_manage_instruments(user)


def can_decide_proposal(user, proposal: InstrumentProposal) -> bool:
    """Confirm, merge or refuse: the legal-affairs office whose jurisdiction the proposing
    department is in (the state is the transition table's to check)."""
    return can_manage_instruments(user) and proposals_visible_to(user).filter(pk=proposal.pk).exists()


def can_view_findings(user) -> bool:
    """The jurisdiction-wide list of cross-department findings: the legal-affairs office of a
    city (its counties included) or of a county."""
    return is_legal_affairs_office(user) and jurisdiction_of(user) is not None


def findings_scope_path(user) -> str | None:
    """Where the user's findings are looked for: the office's jurisdiction (None: nowhere)."""
    if not can_view_findings(user):
        return None
    return jurisdiction_of(user).path


def can_view_submission_progress(user) -> bool:
    """Who has submitted and who is late: the legal affairs office of a jurisdiction, which sets
    the deadline and reviews the catalogues."""
    return is_legal_affairs_office(user) and jurisdiction_of(user) is not None
