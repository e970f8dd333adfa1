"""Who may do what with responsibilities, supporting rules and disclosure documents.
Responsibility sets follow the review rules of catalogues and breakdowns."""

from django.db.models import QuerySet

from accounts.permissions import (
    departments_in_scope,
    is_business_user,
    is_competent_office,
    is_department_editor,
    is_legal_affairs_office,
    jurisdiction_of,
    scoped,
)
from organisations.models import GOVERNMENT_KINDS, Organisation, OrganisationKind
from workflow.review import EDITABLE_STATUSES, REVIEW, Transition, versions_visible_to

from .models import DisclosureDocument, ResponsibilitySet, SupportingRule


def can_view_responsibilities(user) -> bool:
    return is_business_user(user)


def responsibility_sets_visible_to(user) -> QuerySet[ResponsibilitySet]:
    """Like breakdowns: the department its own, offices their scope once submitted."""
    return versions_visible_to(user, ResponsibilitySet)


def is_responsibility_editor(user, responsibility_set) -> bool:
    return is_department_editor(user, responsibility_set.department_id)


def can_edit_responsibility_set(user, responsibility_set) -> bool:
    return is_responsibility_editor(user, responsibility_set) and responsibility_set.status in EDITABLE_STATUSES


def can_start_responsibility_set(user, department: Organisation) -> bool:
    return is_department_editor(user, department)


def can_submit_responsibility_set(user, responsibility_set) -> bool:
    return REVIEW.may(Transition.SUBMIT, user, responsibility_set)


def can_decide_responsibility_set(user, responsibility_set) -> bool:
    return REVIEW.may(Transition.APPROVE, user, responsibility_set)


def rule_holders_in_scope(user) -> QuerySet[Organisation]:
    """Who must keep the eight supporting rules (§5(二)): every enforcement subject in the user's
    scope (statutory organs, authorised and entrusted organisations alike) and the county
    governments, which the plan names explicitly."""
    if not is_business_user(user):
        return Organisation.objects.none()
    counties = scoped(Organisation.objects.filter(kind=OrganisationKind.COUNTY), user)
    return departments_in_scope(user) | counties


def supporting_rules_visible_to(user) -> QuerySet[SupportingRule]:
    return SupportingRule.objects.filter(department__in=rule_holders_in_scope(user))


def can_manage_supporting_rules(user, department: Organisation) -> bool:
    """The register is the department's own record."""
    return is_department_editor(user, department)


def disclosure_documents_visible_to(user) -> QuerySet[DisclosureDocument]:
    """Documents of organisations in the user's scope, every status (the back office follows
    queued and failed renders; the public sees ready ones only, through the portal)."""
    if not is_business_user(user):
        return DisclosureDocument.objects.none()
    return scoped(DisclosureDocument.objects.all(), user, "organisation__path")


def can_render_disclosure(user, organisation: Organisation) -> bool:
    """Ask for (or retry) a render: the department for its own documents, a legal-affairs office
    for any department or government it reviews (the compilation is the office's)."""
    if organisation.kind in GOVERNMENT_KINDS:
        government = jurisdiction_of(user)
        return (
            is_legal_affairs_office(user)
            and government is not None
            and organisation.path.startswith(government.path)
        )
    return is_department_editor(user, organisation) or is_competent_office(user, organisation)


def can_view_law_to_duty(user) -> bool:
    """The coverage report from law to duty: the legal-affairs office of a jurisdiction."""
    return is_legal_affairs_office(user) and jurisdiction_of(user) is not None
