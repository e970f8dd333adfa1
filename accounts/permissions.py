"""Who may do what. Every permission decision and every queryset scoping in the project is made
here, and views (HTML and API alike) only call these functions.

Two rules give every view the same answers:
- a role that may never do a thing gets 403 (``PermissionDenied``);
- an object outside the user's scope is 404, as if it did not exist.
Both are written to the audit trail as a permission denial.

The ``is_superuser`` and ``is_staff`` flags grant nothing: MLPS level 3 separates the system,
security and audit administrators (三员分立), so no account may hold every power.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    ALLOWED_CHILDREN,
    GOVERNMENT_KINDS,
    REVIEWING_GOVERNMENT_KINDS,
    OfficeFunction,
    Organisation,
    OrganisationKind,
)

from .models import ADMIN_ROLES, DEPARTMENT_ROLES, OFFICE_ROLES, Role, User


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.role


# -- Scope roots ------------------------------------------------------------------------------


# The office each reviewing role sits in. Scope comes from the account's place in the tree, so an
# account whose role and place disagree (a reviewer attached to a department, an editor attached
# to an office) is given no scope at all rather than a wrong one.
OFFICE_OF_ROLE = {
    Role.OFFICE_REVIEWER: OfficeFunction.LEGAL_AFFAIRS,
    Role.ESTABLISHMENT_REVIEWER: OfficeFunction.ESTABLISHMENT,
}


def jurisdiction_of(user) -> Organisation | None:
    """The government an office reviewer works for: the jurisdiction of the user's office."""
    role = role_of(user)
    if role not in OFFICE_ROLES or user.organisation is None:
        return None
    if user.organisation.office_function != OFFICE_OF_ROLE[role]:
        return None
    government = user.organisation.jurisdiction
    if government is None or government.kind not in REVIEWING_GOVERNMENT_KINDS:
        return None
    return government


def department_of(user) -> Organisation | None:
    organisation = user.organisation if role_of(user) in DEPARTMENT_ROLES else None
    if organisation is None or organisation.kind != OrganisationKind.DEPARTMENT or organisation.office_function:
        return None
    return organisation


def scope_root(user) -> Organisation | None:
    """The organisation whose subtree the user works in. A city office's scope is the whole
    city, counties included (it oversees them); a county office's is its county; a department
    user's is the department with its agencies and subordinate organisations."""
    return jurisdiction_of(user) or department_of(user)


# -- Organisations ----------------------------------------------------------------------------


def can_view_organisations(user) -> bool:
    return role_of(user) in OFFICE_ROLES | DEPARTMENT_ROLES


def organisations_visible_to(user) -> QuerySet[Organisation]:
    root = scope_root(user) if can_view_organisations(user) else None
    if root is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__startswith=root.path)


def can_change_organisation(user, organisation: Organisation) -> bool:
    """The establishment office keeps the organisation structure of its jurisdiction; a
    department keeps its own internal agencies."""
    role = role_of(user)
    root = scope_root(user)
    if root is None or not organisation.path.startswith(root.path):
        return False
    if role == Role.ESTABLISHMENT_REVIEWER:
        return organisation.pk != root.pk
    if role == Role.DEPARTMENT_EDITOR:
        return organisation.kind == OrganisationKind.AGENCY
    return False


def can_add_child(user, parent: Organisation) -> bool:
    role = role_of(user)
    root = scope_root(user)
    if root is None or not parent.path.startswith(root.path):
        return False
    if role == Role.ESTABLISHMENT_REVIEWER:
        return True
    # A department editor may add agencies under the department itself.
    return role == Role.DEPARTMENT_EDITOR and parent.pk == root.pk


def child_kinds_allowed(user, parent: Organisation) -> set[str]:
    """The kinds of organisation the user may create under ``parent``."""
    if not can_add_child(user, parent):
        return set()
    allowed = set(ALLOWED_CHILDREN[parent.kind])
    if role_of(user) == Role.DEPARTMENT_EDITOR:
        allowed &= {OrganisationKind.AGENCY}
    return allowed


def can_review_for(user, department: Organisation) -> bool:
    """Whether the user's office is the competent reviewer of ``department``: the city office
    for city departments, a county office for its county's."""
    government = jurisdiction_of(user)
    return government is not None and department.jurisdiction_id == government.pk


# -- Accounts ---------------------------------------------------------------------------------


def can_view_users(user) -> bool:
    return role_of(user) in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


def users_visible_to(user) -> QuerySet[User]:
    if not can_view_users(user):
        return User.objects.none()
    return User.objects.select_related("organisation")


def can_manage_users(user) -> bool:
    return role_of(user) == Role.SYSTEM_ADMIN


def assignable_roles(user) -> set[str]:
    """Roles the user may give an account. The system administrator manages the business
    accounts; the three administrators' accounts are made at installation
    (``manage.py create_administrator``) and changed by no one in the application, so that no
    administrator can take over another's powers (三员分立)."""
    if not can_manage_users(user):
        return set()
    return set(Role.values) - set(ADMIN_ROLES)


def can_change_user(user, target: User) -> bool:
    return can_manage_users(user) and target.role not in ADMIN_ROLES and target.pk != user.pk


def can_set_security_policy(user) -> bool:
    """Unlocking accounts and forcing password changes are the security administrator's."""
    return role_of(user) == Role.SECURITY_ADMIN


# -- Audit and operations ---------------------------------------------------------------------


def can_view_audit(user) -> bool:
    return role_of(user) == Role.AUDIT_ADMIN


def can_view_system_status(user) -> bool:
    return role_of(user) in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


def can_use_office_functions(user) -> bool:
    return role_of(user) in OFFICE_ROLES


def is_legal_affairs_office(user) -> bool:
    return (
        role_of(user) == Role.OFFICE_REVIEWER
        and user.organisation is not None
        and user.organisation.office_function == OfficeFunction.LEGAL_AFFAIRS
    )


# -- Enforcement ------------------------------------------------------------------------------


def require(user, allowed: bool, *, obj: Model | None = None, reason: str = "") -> None:
    """Raise 403, on record, unless ``allowed``."""
    if not allowed:
        from audit.services import denial_record

        denial_record(actor=user, obj=obj, reason=reason or _("role not permitted"))
        raise PermissionDenied(reason)


def guarded(check, reason=None):
    """Decorate a write service: check the actor before the service's transaction opens, then
    run the service atomically.

    A denial written inside the transaction would be rolled back together with it, taking the
    record of the refused attempt along; checked first, it stays on record. ``check(actor,
    **kwargs)`` returns (allowed, the object the attempt was on). State checks stay inside the
    transaction, on the locked row."""

    def decorate(service):
        atomic_service = transaction.atomic(service)

        @functools.wraps(service)
        def run(*, actor, **kwargs):
            allowed, obj = check(actor, **kwargs)
            require(actor, allowed, obj=obj, reason=reason or _("not permitted for this record"))
            return atomic_service(actor=actor, **kwargs)

        return run

    return decorate


def get_visible_or_404(user, visible: QuerySet, **lookup):
    """The object from the user's scope, or 404. A miss on an object that exists elsewhere is a
    denied attempt and is put on record; a miss on nothing is an ordinary 404."""
    try:
        return visible.get(**lookup)
    except visible.model.DoesNotExist:
        existing = visible.model._default_manager.filter(**lookup).first()
        if existing is not None:
            from audit.services import denial_record

            denial_record(actor=user, obj=existing, reason=_("outside the user's scope"))
        raise Http404 from None


# -- Enforcement basis (catalogues) -----------------------------------------------------------


def can_view_catalogues(user) -> bool:
    return role_of(user) in OFFICE_ROLES | DEPARTMENT_ROLES


def catalogues_visible_to(user):
    """Catalogues of departments in the user's scope: an office sees its jurisdiction's (the
    city office also the counties'); a department sees its own. Drafts are the department's
    alone: offices see a version only once it has been submitted."""
    from basis.models import BasisCatalogue
    from basis.workflow import ReviewStatus

    root = scope_root(user) if can_view_catalogues(user) else None
    if root is None:
        return BasisCatalogue.objects.none()
    queryset = BasisCatalogue.objects.filter(department__path__startswith=root.path)
    if role_of(user) in OFFICE_ROLES:
        queryset = queryset.exclude(status=ReviewStatus.DRAFT)
    return queryset


def is_catalogue_editor(user, catalogue) -> bool:
    """The user edits this department's catalogues (whether this version is editable or not)."""
    department = department_of(user)
    return (
        role_of(user) == Role.DEPARTMENT_EDITOR
        and department is not None
        and catalogue.department_id == department.pk
    )


def can_edit_catalogue(user, catalogue) -> bool:
    """Only the department's editor edits, and only a draft or a returned version."""
    from basis.workflow import EDITABLE_STATUSES

    return is_catalogue_editor(user, catalogue) and catalogue.status in EDITABLE_STATUSES


def can_start_catalogue(user, department: Organisation) -> bool:
    own = department_of(user)
    return role_of(user) == Role.DEPARTMENT_EDITOR and own is not None and own.pk == department.pk


def can_submit_catalogue(user, catalogue) -> bool:
    department = department_of(user)
    return department is not None and catalogue.department_id == department.pk


def can_decide_catalogue(user, catalogue) -> bool:
    """Start review, return, approve, publish: the competent legal-affairs office alone."""
    return is_legal_affairs_office(user) and can_review_for(user, catalogue.department)


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


def deadlines_visible_to(user):
    """The submission deadlines of the user's government: those an office set for its
    jurisdiction, or those that bind a department."""
    from basis.models import SubmissionDeadline

    department = department_of(user) if can_view_catalogues(user) else None
    government = jurisdiction_of(user) or (department.jurisdiction if department is not None else None)
    if government is None:
        return SubmissionDeadline.objects.none()
    return SubmissionDeadline.objects.filter(jurisdiction=government)


# -- Authority breakdown ----------------------------------------------------------------------
# Breakdowns follow the catalogues' rules: the department edits its own drafts, the competent
# legal-affairs office decides, offices see versions once submitted. Posts, officers and their
# records belong to a department; certificates are issued by the government whose legal-affairs
# office is competent for the officer's department.


def can_view_breakdowns(user) -> bool:
    return role_of(user) in OFFICE_ROLES | DEPARTMENT_ROLES


def breakdowns_visible_to(user):
    from authority.models import Breakdown
    from basis.workflow import ReviewStatus

    root = scope_root(user) if can_view_breakdowns(user) else None
    if root is None:
        return Breakdown.objects.none()
    queryset = Breakdown.objects.filter(department__path__startswith=root.path)
    if role_of(user) in OFFICE_ROLES:
        queryset = queryset.exclude(status=ReviewStatus.DRAFT)
    return queryset


def powers_visible_to(user):
    from authority.models import PowerItem

    return PowerItem.objects.filter(breakdown__in=breakdowns_visible_to(user))


def is_breakdown_editor(user, breakdown) -> bool:
    department = department_of(user)
    return (
        role_of(user) == Role.DEPARTMENT_EDITOR
        and department is not None
        and breakdown.department_id == department.pk
    )


def can_edit_breakdown(user, breakdown) -> bool:
    from basis.workflow import EDITABLE_STATUSES

    return is_breakdown_editor(user, breakdown) and breakdown.status in EDITABLE_STATUSES


def can_start_breakdown(user, department: Organisation) -> bool:
    return can_start_catalogue(user, department)


def can_submit_breakdown(user, breakdown) -> bool:
    department = department_of(user)
    return department is not None and breakdown.department_id == department.pk


def can_decide_breakdown(user, breakdown) -> bool:
    return is_legal_affairs_office(user) and can_review_for(user, breakdown.department)


def departments_in_scope(user) -> QuerySet[Organisation]:
    """Enforcement departments whose posts, officers and completeness the user may see."""
    root = scope_root(user) if can_view_breakdowns(user) else None
    if root is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        path__startswith=root.path, kind=OrganisationKind.DEPARTMENT, office_function=""
    )


def posts_visible_to(user):
    from authority.models import Post

    root = scope_root(user) if can_view_breakdowns(user) else None
    if root is None:
        return Post.objects.none()
    return Post.objects.filter(agency__path__startswith=root.path)


def can_manage_posts(user, department: Organisation) -> bool:
    """A department keeps the posts of its own agencies."""
    return can_start_catalogue(user, department)


def officers_visible_to(user):
    from authority.models import Officer

    return Officer.objects.filter(department__in=departments_in_scope(user))


def can_manage_officers(user, department: Organisation) -> bool:
    """Officers, their posts and training are the department's records."""
    return can_start_catalogue(user, department)


def can_manage_certificates(user, department: Organisation) -> bool:
    """Exams and certificates: the legal-affairs office competent for the department."""
    return is_legal_affairs_office(user) and can_review_for(user, department)


def certificates_visible_to(user):
    from authority.models import Certificate

    return Certificate.objects.filter(officer__department__in=departments_in_scope(user))


# -- Responsibilities, supporting rules, disclosure ---------------------------------------------


def responsibility_sets_visible_to(user):
    """Like breakdowns: the department its own, offices their scope once submitted."""
    from basis.workflow import ReviewStatus
    from responsibility.models import ResponsibilitySet

    root = scope_root(user) if can_view_breakdowns(user) else None
    if root is None:
        return ResponsibilitySet.objects.none()
    queryset = ResponsibilitySet.objects.filter(department__path__startswith=root.path)
    if role_of(user) in OFFICE_ROLES:
        queryset = queryset.exclude(status=ReviewStatus.DRAFT)
    return queryset


def is_responsibility_editor(user, responsibility_set) -> bool:
    return is_breakdown_editor(user, responsibility_set)


def can_edit_responsibility_set(user, responsibility_set) -> bool:
    from basis.workflow import EDITABLE_STATUSES

    return is_responsibility_editor(user, responsibility_set) and responsibility_set.status in EDITABLE_STATUSES


def can_start_responsibility_set(user, department: Organisation) -> bool:
    return can_start_catalogue(user, department)


def can_submit_responsibility_set(user, responsibility_set) -> bool:
    return can_submit_breakdown(user, responsibility_set)


def can_decide_responsibility_set(user, responsibility_set) -> bool:
    return can_decide_breakdown(user, responsibility_set)


def supporting_rules_visible_to(user):
    from responsibility.models import SupportingRule

    return SupportingRule.objects.filter(department__in=departments_in_scope(user))


def can_manage_supporting_rules(user, department: Organisation) -> bool:
    """The register is the department's own record."""
    return can_start_catalogue(user, department)


def disclosure_documents_visible_to(user):
    """Documents of organisations in the user's scope, every status (the back office follows
    queued and failed renders; the public sees ready ones only, through the portal)."""
    from responsibility.models import DisclosureDocument

    root = scope_root(user) if can_view_breakdowns(user) else None
    if root is None:
        return DisclosureDocument.objects.none()
    return DisclosureDocument.objects.filter(organisation__path__startswith=root.path)


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
    return can_start_catalogue(user, organisation) or (
        is_legal_affairs_office(user) and can_review_for(user, organisation)
    )
