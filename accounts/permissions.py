"""The ground of every permission decision: roles, the user's place in the organisation tree,
the jurisdiction scoping primitives, and the one choke point through which every refusal passes.

Each chapter declares its own predicates (``can_<verb>_<thing>(user, obj)``) and one
``<things>_visible_to(user)`` scoping per model in its own ``permissions`` module, built on these
primitives; views (HTML, API, exports, downloads) call those and nothing else.

Two rules give every view the same answers:
- a role that may never do a thing gets 403 (``require``);
- an object outside the user's scope is 404, as if it did not exist (``get_visible_or_404``).
Both go through ``refuse``, which writes the denial to the audit trail.

The ``is_superuser`` and ``is_staff`` flags grant nothing: MLPS level 3 separates the system,
security and audit administrators (三员分立), so no account may hold every power.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from organisations.models import REVIEWING_GOVERNMENT_KINDS, OfficeFunction, Organisation, OrganisationKind

from .models import ADMIN_ROLES, DEPARTMENT_ROLES, OFFICE_ROLES, Role, User


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.role


def is_business_user(user) -> bool:
    """Office reviewers and department people: those who work on the chapters' records. The
    three administrators are not (三员分立)."""
    return role_of(user) in OFFICE_ROLES | DEPARTMENT_ROLES


# -- The user's place in the tree -------------------------------------------------------------


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


def is_legal_affairs_office(user) -> bool:
    return (
        role_of(user) == Role.OFFICE_REVIEWER
        and user.organisation is not None
        and user.organisation.office_function == OfficeFunction.LEGAL_AFFAIRS
    )


def can_use_office_functions(user) -> bool:
    return role_of(user) in OFFICE_ROLES


def can_review_for(user, department: Organisation) -> bool:
    """Whether the user's office is the competent reviewer of ``department``: the city office
    for city departments, a county office for its county's."""
    government = jurisdiction_of(user)
    return government is not None and department.jurisdiction_id == government.pk


def is_competent_office(user, department: Organisation) -> bool:
    """The legal-affairs office that decides for ``department``."""
    return is_legal_affairs_office(user) and can_review_for(user, department)


def is_department_editor(user, department: Organisation | int) -> bool:
    """The user edits ``department``'s own records (a department or its primary key)."""
    own = department_of(user)
    department_id = department if isinstance(department, int) else department.pk
    return role_of(user) == Role.DEPARTMENT_EDITOR and own is not None and own.pk == department_id


# -- Scoping primitives: prefix filters on the tree's materialised path ------------------------


def within(queryset: QuerySet, root: Organisation, path_field: str = "path") -> QuerySet:
    """The rows of ``queryset`` whose organisation (reached by ``path_field``) is ``root`` or
    below it."""
    return queryset.filter(**{f"{path_field}__startswith": root.path})


def scoped(queryset: QuerySet, user, path_field: str = "path") -> QuerySet:
    """The rows of ``queryset`` inside the user's scope (none if the user has no scope)."""
    root = scope_root(user)
    return queryset.none() if root is None else within(queryset, root, path_field)


def departments_in_scope(user) -> QuerySet[Organisation]:
    """Enforcement departments whose records the user may see."""
    if not is_business_user(user):
        return Organisation.objects.none()
    return scoped(Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, office_function=""), user)


# -- Accounts and administration ---------------------------------------------------------------


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


def can_decide_role_requests(user) -> bool:
    """Approving or refusing the roles the system administrator asks for (三员分立: he who
    makes an account does not also give it access to business data)."""
    return role_of(user) == Role.SECURITY_ADMIN


def can_reset_second_factor(user, target: User) -> bool:
    """The security administrator resets another person's second factor (a lost phone); the
    system administrator manages accounts but not their credentials, and nobody resets his
    own, which would let a stolen password replace the owner's device."""
    return role_of(user) == Role.SECURITY_ADMIN and target.pk != user.pk


def can_view_system_status(user) -> bool:
    return role_of(user) in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


# -- The choke point ----------------------------------------------------------------------------


class Actor:
    """Who may do a refused thing, for the 403 page to name (``require(..., who=Actor.OFFICE)``).
    Business actions name the office or the department's people, never the system
    administrator: an administrator grants roles, not the right to do the office's work."""

    OFFICE = "office"
    ESTABLISHMENT = "establishment"
    DEPARTMENT_EDITOR = "department_editor"
    DEPARTMENT = "department"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"


WHO_CAN = {
    Actor.OFFICE: _("Only the legal affairs office of the government concerned can do this."),
    Actor.ESTABLISHMENT: _("Only the establishment office of the government concerned can do this."),
    Actor.DEPARTMENT_EDITOR: _("Only an editor of the department concerned can do this."),
    Actor.DEPARTMENT: _("Only the people of the department concerned can do this."),
    Actor.SYSTEM_ADMIN: _("Only the system administrator can do this."),
    Actor.SECURITY_ADMIN: _("Only the security administrator can do this."),
    Actor.AUDIT_ADMIN: _("Only the audit administrator can do this."),
}


class Refused(PermissionDenied):
    """A 403 that knows who could have done the thing (``who``: an ``Actor``)."""

    def __init__(self, reason="", *, who: str = ""):
        super().__init__(reason)
        self.who = who


def refuse(user, *, obj: Model | None = None, reason="", not_found: bool = False, who: str = ""):
    """Put a refused attempt on record and raise: 404 (``not_found``: the object is outside the
    user's scope, so it is answered as if it did not exist) or 403. Every denial of the
    application, HTML and API alike, passes through here. ``who`` names who may do it, for the
    403 page."""
    from audit.services import denial_record

    denial_record(actor=user, obj=obj, reason=reason or _("role not permitted"))
    if not_found:
        raise Http404
    raise Refused(reason, who=who)


def require(user, allowed: bool, *, obj: Model | None = None, reason: str = "", who: str = "") -> None:
    """Raise 403, on record, unless ``allowed``."""
    if not allowed:
        refuse(user, obj=obj, reason=reason, who=who)


def guarded(check, reason=None, who: str = ""):
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
            require(actor, allowed, obj=obj, reason=reason or _("not permitted for this record"), who=who)
            return atomic_service(actor=actor, **kwargs)

        return run

    return decorate


def get_visible_or_404(user, visible: QuerySet, **lookup):
    """The object from the user's scope, or 404. A miss on an object that exists elsewhere is a
    denied attempt and is put on record; a miss on nothing is an ordinary 404, and so is a value
    that the field cannot hold (``abc`` for a numeric id): Django refuses it while building the
    query, before any row is read."""
    try:
        return visible.get(**lookup)
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
    except visible.model.DoesNotExist:
        existing = visible.model._default_manager.filter(**lookup).first()
        if existing is not None:
            refuse(user, obj=existing, reason=_("outside the user's scope"), not_found=True)
        raise Http404 from None
