"""Who sees and does what with accountability cases (§3(六)).

Cases are not public. The legal-affairs office of a government sees the cases of its
jurisdiction (a city office the counties' too, as it oversees them) and handles those of the
departments it is competent for; a department head sees his own department's cases; nobody else
sees any (department editors, the establishment office and the three administrators included).
Commendations are proposed and decided by the office for its government."""

from django.db.models import Q, QuerySet

from accounts.models import DEPARTMENT_ROLES, Role
from accounts.permissions import department_of, is_competent_office, is_legal_affairs_office, jurisdiction_of, role_of, scoped
from organisations.models import Organisation

from .models import Case, CasePerson, Commendation, Suggestion


def is_department_head(user) -> bool:
    return role_of(user) == Role.DEPARTMENT_HEAD and department_of(user) is not None


def own_officer_id(user) -> int | None:
    """The officer record linked to this department account (authority's Officer.account)."""
    if role_of(user) not in DEPARTMENT_ROLES:
        return None
    from authority.models import Officer

    # Once per request's user: setdefault(key, <query>) would run the query on every call. The
    # account is unique: no ordering (the model's sorts by the department's path, a join).
    if "_own_officer_id" not in user.__dict__:
        user.__dict__["_own_officer_id"] = Officer.objects.filter(account=user).order_by().values_list("pk", flat=True).first()
    return user.__dict__["_own_officer_id"]


def can_view_cases(user) -> bool:
    return (
        (is_legal_affairs_office(user) and jurisdiction_of(user) is not None)
        or is_department_head(user)
        or own_officer_id(user) is not None
    )


def cases_visible_to(user) -> QuerySet[Case]:
    """The office: its jurisdiction's cases. A department head: his department's. An officer
    with his own login: the cases naming him (a head who is also an officer sees both)."""
    if is_legal_affairs_office(user) and jurisdiction_of(user) is not None:
        return scoped(Case.objects.all(), user, "department__path")
    visible = Q(pk__in=[])
    if is_department_head(user):
        visible |= Q(department=department_of(user))
    officer_id = own_officer_id(user)
    if officer_id is not None:
        visible |= Q(pk__in=CasePerson.objects.filter(officer_id=officer_id).values("case_id"))
    if visible == Q(pk__in=[]):
        return Case.objects.none()
    return Case.objects.filter(visible)


def can_open_cases(user) -> bool:
    return is_legal_affairs_office(user) and jurisdiction_of(user) is not None


def can_handle_case(user, case: Case) -> bool:
    """Every step of a case is the competent office's (the government of the department)."""
    return is_competent_office(user, case.department)


def can_lodge_appeal(user, case: Case) -> bool:
    """An appeal is recorded by the office, or lodged by the head of the department concerned."""
    return can_handle_case(user, case) or (is_department_head(user) and department_of(user).pk == case.department_id)


def can_open_case_for(user, department: Organisation) -> bool:
    return is_competent_office(user, department)


def can_manage_commendations(user, government: Organisation | None = None) -> bool:
    own = jurisdiction_of(user) if is_legal_affairs_office(user) else None
    return own is not None and (government is None or government.pk == own.pk)


def commendations_visible_to(user) -> QuerySet[Commendation]:
    if not can_manage_commendations(user):
        return Commendation.objects.none()
    return Commendation.objects.filter(government=jurisdiction_of(user))


def suggestions_visible_to(user) -> QuerySet[Suggestion]:
    if not can_open_cases(user):
        return Suggestion.objects.none()
    return scoped(Suggestion.objects.all(), user, "department__path")


def can_decide_suggestion(user, suggestion: Suggestion) -> bool:
    return is_competent_office(user, suggestion.department)
