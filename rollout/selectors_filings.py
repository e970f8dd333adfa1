"""Reads for plans, teams, summaries and problems."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import OFFICE_ROLES
from accounts.permissions import jurisdiction_of, role_of
from authority.models import Breakdown
from basis.models import BasisCatalogue
from organisations.models import Organisation, OrganisationKind
from workflow.review import ReviewStatus

from . import permissions_filings as filing_perms
from .models import (
    Campaign,
    FilingStatus,
    ImplementationPlan,
    Phase,
    PlanForm,
    PlanRevision,
    SummaryProblem,
    TeamMember,
    WorkingTeam,
)
from .workflow_filings import files_anything, is_filer, is_receiving_office

_RUNNING = (ReviewStatus.PUBLISHED, ReviewStatus.SUPERSEDED)
# A phase's summary is asked for from this long before the phase ends.
_SOON = timedelta(days=30)


def already_runs_system(organisation: Organisation) -> bool:
    """Whether the organisation already runs the responsibility system (§3(一): it then files a
    *revised* plan): it has published a basis catalogue or a breakdown of powers. For a
    government, any department in its jurisdiction having done so counts (it has organised
    them already)."""
    if organisation.kind == OrganisationKind.DEPARTMENT:
        where = Q(department=organisation)
    else:
        where = Q(department__path__startswith=organisation.path, department__kind=OrganisationKind.DEPARTMENT)
    return (
        BasisCatalogue.objects.filter(where, status__in=_RUNNING).exists()
        or Breakdown.objects.filter(where, status__in=_RUNNING).exists()
    )


def plan_form_for(organisation: Organisation) -> str:
    """The form the organisation's flags call for: dual-managed → its own plan and the
    superior's arrangement; provincial-stationed or vertically managed → the superior's
    arrangement instead of a plan; anyone else → its own plan in six parts."""
    if organisation.dual_managed:
        return PlanForm.BOTH
    if organisation.stationed_provincial or organisation.vertically_managed:
        return PlanForm.SUPERIOR
    return PlanForm.OWN


def campaigns_for(organisation: Organisation) -> QuerySet[Campaign]:
    """The campaigns whose jurisdiction holds the organisation (the city's, and its county's if
    the county runs one), the nearest and latest first."""
    ancestors = [organisation.path[:i] for i in range(Organisation.steplen, len(organisation.path) + 1, Organisation.steplen)]
    return Campaign.objects.filter(jurisdiction__path__in=ancestors).select_related("jurisdiction").order_by(
        "-year", "-jurisdiction__depth"
    )


def campaign_holds(campaign: Campaign, organisation: Organisation) -> bool:
    return organisation.path.startswith(campaign.jurisdiction.path)


def current_campaign_for(organisation: Organisation) -> Campaign | None:
    return campaigns_for(organisation).first()


def revisions_of(plan: ImplementationPlan) -> QuerySet[PlanRevision]:
    return plan.revisions.select_related("created_by").prefetch_related(
        Prefetch("covered", queryset=Organisation.objects.order_by("path"))
    ).order_by("-number")


def latest_revision(plan: ImplementationPlan) -> PlanRevision | None:
    return plan.revisions.order_by("-number").first()


def covered_candidates(organisation: Organisation) -> QuerySet[Organisation]:
    """The authorised and entrusted organisations under a department in the tree: what its plan
    may list as covered."""
    from organisations.models import SubjectKind

    if organisation.kind != OrganisationKind.DEPARTMENT:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        path__startswith=organisation.path, depth__gt=organisation.depth, kind=OrganisationKind.DEPARTMENT,
        subject_kind__in=[SubjectKind.AUTHORISED, SubjectKind.ENTRUSTED], is_active=True,
    ).order_by("path")


def team_of(organisation: Organisation) -> WorkingTeam | None:
    return WorkingTeam.objects.filter(organisation=organisation).first()


def members_of(team: WorkingTeam | None) -> list[TeamMember]:
    return list(team.members.order_by("body", "order", "id")) if team else []


def team_changes(team: WorkingTeam | None, limit: int = 100):
    """The team's change log: every addition, change and removal of a member, latest first."""
    if team is None:
        return []
    return list(
        TeamMember.history.filter(team_id=team.pk).select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )


def phases_for(organisation: Organisation) -> QuerySet[Phase]:
    return Phase.objects.filter(campaign__in=campaigns_for(organisation)).select_related("campaign").order_by(
        "-campaign__year", "campaign__jurisdiction__depth", "number"
    )


@dataclass
class OpenProblem:
    problem: SummaryProblem
    days_open: int
    can_answer: bool = False


PROBLEM_ORDERS = {
    "age": ("raised_at", "id"),
    "-age": ("-raised_at", "-id"),
    "organisation": ("summary__organisation__path", "raised_at"),
    "phase": ("summary__phase__campaign__year", "summary__phase__number", "raised_at"),
}


def open_problems(user, order: str = "age", *, now=None) -> list[OpenProblem]:
    """Open problems the user sees, oldest first by default, with the days each has been open
    (counted in local calendar days from the day it was raised)."""
    now = now or timezone.now()
    rows = (
        filing_perms.problems_visible_to(user)
        .filter(answered_at__isnull=True)
        .select_related("summary__organisation", "summary__phase__campaign")
        .order_by(*PROBLEM_ORDERS.get(order, PROBLEM_ORDERS["age"]))
    )
    today = timezone.localdate(now)
    return [
        OpenProblem(p, (today - timezone.localdate(p.raised_at)).days, is_receiving_office(user, p.summary.organisation))
        for p in rows
    ]


def awaiting_for(user) -> list[tuple[str, int, str, str]]:
    """Home tiles: (label, count, url name, query). The counts come from the lists they open."""
    from django.utils.translation import gettext as _

    if not filing_perms.can_view_filings(user):
        return []
    items = []
    if role_of(user) in OFFICE_ROLES and jurisdiction_of(user) is not None:
        plans = [p for p in filing_perms.plans_visible_to(user).filter(status=FilingStatus.FILED).select_related("organisation")
                 if is_receiving_office(user, p.organisation)]
        summaries = [s for s in filing_perms.summaries_visible_to(user).filter(status=FilingStatus.FILED).select_related("organisation")
                     if is_receiving_office(user, s.organisation)]
        items.append((_("Implementation plans awaiting acknowledgement"), len(plans), "filings:plan_list", "queue=to_decide"))
        items.append((_("Phase summaries awaiting review"), len(summaries), "filings:summary_list", "queue=to_decide"))
        items.append((_("Open problems raised in summaries"), len(open_problems(user)), "filings:problem_list", ""))
    own = user.organisation
    if own is not None and files_anything(own) and is_filer(user, own):
        plan = filing_perms.plans_visible_to(user).filter(organisation=own).order_by("-campaign__year").first()
        todo = 0 if plan is not None and plan.status in (FilingStatus.FILED, FilingStatus.ACKNOWLEDGED) else 1
        items.append((_("Implementation plan to file"), todo, "filings:plan_mine", ""))
        written = set(
            filing_perms.summaries_visible_to(user).filter(organisation=own)
            .exclude(status__in=[FilingStatus.DRAFT, FilingStatus.RETURNED]).values_list("phase_id", flat=True)
        )
        due = [phase for phase in phases_for(own) if phase.pk not in written and phase.due_at and phase.due_at <= timezone.now() + _SOON]
        items.append((_("Phase summaries to submit"), len(due), "filings:summary_list", ""))
    return items
