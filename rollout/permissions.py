"""Who may see and change the rollout's campaigns and spot checks (the filings' own predicates
live in ``filings_permissions``). Built on ``accounts.permissions``: the legal-affairs office
runs the campaign of its government (the city office sees the counties' too); a department's
people see their own checklist and the rectifications asked of them."""

from django.db.models import QuerySet

from accounts.permissions import department_of, is_department_editor, is_legal_affairs_office, jurisdiction_of, within
from organisations.models import Organisation

from .models import Campaign, Finding, SpotCheck


def office_government(user) -> Organisation | None:
    """The government whose legal-affairs office the user works in."""
    return jurisdiction_of(user) if is_legal_affairs_office(user) else None


def can_view_campaigns(user) -> bool:
    return office_government(user) is not None


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The campaigns of the office's government and of the governments under it."""
    government = office_government(user)
    if government is None:
        return Campaign.objects.none()
    return within(Campaign.objects.all(), government, "jurisdiction__path")


def can_open_campaign(user, jurisdiction: Organisation) -> bool:
    government = office_government(user)
    return government is not None and government.pk == jurisdiction.pk


def can_change_campaign(user, campaign: Campaign) -> bool:
    """Only the office of the campaign's own government sets its dates and draws its checks
    (the city office reads a county's campaign, it does not run it)."""
    government = office_government(user)
    return government is not None and government.pk == campaign.jurisdiction_id


def spot_checks_visible_to(user) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.filter(campaign__in=campaigns_visible_to(user))


def can_record_finding(user, spot_check: SpotCheck) -> bool:
    return can_change_campaign(user, spot_check.campaign)


def can_view_checklist(user) -> bool:
    return department_of(user) is not None


def findings_visible_to(user) -> QuerySet[Finding]:
    """The office's findings in its campaigns; a department's people, those about it."""
    if can_view_campaigns(user):
        return Finding.objects.filter(target__spot_check__campaign__in=campaigns_visible_to(user))
    department = department_of(user)
    if department is not None:
        return Finding.objects.filter(target__organisation=department)
    return Finding.objects.none()


def can_report_rectification(user, finding: Finding) -> bool:
    return is_department_editor(user, finding.target.organisation_id)


def can_accept_rectification(user, finding: Finding) -> bool:
    return can_record_finding(user, finding.target.spot_check)
