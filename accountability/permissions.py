"""Who sees and does what with accountability cases (§3(六)).

Cases are not public. The legal-affairs office of a government sees the cases of its
jurisdiction (a city office the counties' too, as it oversees them) and handles those of the
departments it is competent for; a department head sees his own department's cases; nobody else
sees any (department editors, the establishment office and the three administrators included).
Commendations are proposed and decided by the office for its government."""

from django.db.models import QuerySet

from accounts.models import Role
from accounts.permissions import department_of, is_competent_office, is_legal_affairs_office, jurisdiction_of, role_of, scoped
from organisations.models import Organisation

from .models import Case, Commendation, Suggestion


def is_department_head(user) -> bool:
    return role_of(user) == Role.DEPARTMENT_HEAD and department_of(user) is not None


def can_view_cases(user) -> bool:
    return (is_legal_affairs_office(user) and jurisdiction_of(user) is not None) or is_department_head(user)


def cases_visible_to(user) -> QuerySet[Case]:
    if is_legal_affairs_office(user) and jurisdiction_of(user) is not None:
        return scoped(Case.objects.all(), user, "department__path")
    if is_department_head(user):
        return Case.objects.filter(department=department_of(user))
    return Case.objects.none()


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
