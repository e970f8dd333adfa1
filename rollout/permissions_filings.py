"""Who may see and do what with plans, working teams, phase summaries and their problems.
Each list (page, API, download) scopes through the ``*_visible_to`` functions here; who files
and who receives is decided in ``workflow_filings``."""

from django.db.models import Q, QuerySet

from accounts.models import OFFICE_ROLES
from accounts.permissions import is_business_user, jurisdiction_of, role_of, scoped
from organisations.models import Organisation, OrganisationKind

from .models import FilingStatus, ImplementationPlan, PhaseSummary, SummaryProblem, TeamMember, WorkingTeam
from .workflow_filings import (
    EDITABLE,
    PLAN,
    SUB_COUNTY_KINDS,
    SUMMARY,
    PlanTransition,
    SummaryTransition,
    files_anything,
    is_filer,
    is_receiving_office,
)

_GOVERNMENTS_FILED_BY_OFFICE = (OrganisationKind.COUNTY, *SUB_COUNTY_KINDS)


def can_view_filings(user) -> bool:
    return is_business_user(user)


def _visible(user, queryset: QuerySet) -> QuerySet:
    """Filings of organisations in the user's scope (a county office: its county with its
    townships and street offices, which it guides; the city office: everything). Drafts are the
    filer's own: an office sees a draft only of a government it files for."""
    if not is_business_user(user):
        return queryset.none()
    queryset = scoped(queryset, user, "organisation__path")
    if role_of(user) in OFFICE_ROLES:
        government = jurisdiction_of(user)
        own_drafts = Q(organisation__kind__in=_GOVERNMENTS_FILED_BY_OFFICE) & (
            Q(organisation__jurisdiction=government) | Q(organisation=government)
        )
        queryset = queryset.filter(~Q(status=FilingStatus.DRAFT) | own_drafts)
    return queryset


def plans_visible_to(user) -> QuerySet[ImplementationPlan]:
    return _visible(user, ImplementationPlan.objects.all())


def summaries_visible_to(user) -> QuerySet[PhaseSummary]:
    return _visible(user, PhaseSummary.objects.all())


def problems_visible_to(user) -> QuerySet[SummaryProblem]:
    """Problems of summaries the user sees, once raised (the summary submitted)."""
    return SummaryProblem.objects.filter(summary__in=summaries_visible_to(user), raised_at__isnull=False)


def filers_visible_to(user) -> QuerySet[Organisation]:
    """Organisations in the user's scope whose team and filings the user may look at."""
    if not is_business_user(user):
        return Organisation.objects.none()
    return scoped(Organisation.objects.filter(kind__in=[OrganisationKind.DEPARTMENT, *_GOVERNMENTS_FILED_BY_OFFICE]), user)


def teams_visible_to(user) -> QuerySet[WorkingTeam]:
    return WorkingTeam.objects.filter(organisation__in=filers_visible_to(user))


def team_members_visible_to(user) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(team__in=teams_visible_to(user))


def can_file_for(user, organisation: Organisation) -> bool:
    return is_filer(user, organisation)


def can_edit_plan(user, plan: ImplementationPlan) -> bool:
    return is_filer(user, plan.organisation) and plan.status in EDITABLE


def can_transition_plan(user, plan: ImplementationPlan, name: str) -> bool:
    return PLAN.may(name, user, plan)


def can_decide_plan(user, plan: ImplementationPlan) -> bool:
    return PLAN.may(PlanTransition.ACKNOWLEDGE, user, plan)


def can_manage_team(user, organisation: Organisation) -> bool:
    """The team is recorded by whoever files for the organisation."""
    return is_filer(user, organisation)


def can_edit_summary(user, summary: PhaseSummary) -> bool:
    return is_filer(user, summary.organisation) and summary.status in EDITABLE


def can_transition_summary(user, summary: PhaseSummary, name: str) -> bool:
    return SUMMARY.may(name, user, summary)


def can_decide_summary(user, summary: PhaseSummary) -> bool:
    return SUMMARY.may(SummaryTransition.ACCEPT, user, summary)


def can_answer_problem(user, problem: SummaryProblem) -> bool:
    return is_receiving_office(user, problem.summary.organisation)


def can_view_problem_queue(user) -> bool:
    """The office's list of open problems."""
    return role_of(user) in OFFICE_ROLES and jurisdiction_of(user) is not None


__all__ = [
    "can_answer_problem", "can_decide_plan", "can_decide_summary", "can_edit_plan", "can_edit_summary",
    "can_file_for", "can_manage_team", "can_transition_plan", "can_transition_summary", "can_view_filings",
    "can_view_problem_queue", "files_anything", "filers_visible_to", "plans_visible_to", "problems_visible_to",
    "summaries_visible_to", "team_members_visible_to", "teams_visible_to",
]
