"""The back-office navigation, a context processor that composes every chapter's menu entry.
Each entry is shown only to those whose permission predicate allows it, so the menu and the
views can never disagree."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountability import permissions as accountability_perms
from accounts import permissions as perms
from appraisal import permissions as appraisal_perms
from audit import permissions as audit_perms
from authority import permissions as authority_perms
from basis import permissions as basis_perms
from organisations import permissions as org_perms
from responsibility import permissions as responsibility_perms
from rollout import permissions as rollout_perms
from rollout import permissions_filings as filing_perms

_ENTRIES = (
    ("home", _("Home"), lambda user: True),
    ("basis:catalogue_list", _("Basis catalogues"), basis_perms.can_view_catalogues),
    ("basis:instrument_list", _("Legal instruments"), basis_perms.can_view_catalogues),
    ("basis:compilation", _("Compilation"), perms.can_use_office_functions),
    ("basis:finding_list", _("Findings"), basis_perms.can_view_findings),
    ("authority:index", _("Authority breakdown"), authority_perms.can_view_breakdowns),
    ("responsibility:index", _("Responsibilities"), responsibility_perms.can_view_responsibilities),
    ("responsibility:rule_home", _("Supporting rules"), responsibility_perms.can_view_responsibilities),
    ("responsibility:law_to_duty", _("Law to duty"), responsibility_perms.can_view_law_to_duty),
    ("disclosure:list", _("Disclosure documents"), responsibility_perms.can_view_responsibilities),
    ("campaigns:campaign_list", _("Rollout campaign"), rollout_perms.can_view_campaigns),
    ("campaigns:checklist", _("Rollout checklist"), rollout_perms.can_view_checklist),
    ("filings:plan_list", _("Implementation plans"), filing_perms.can_view_filings),
    ("filings:summary_list", _("Phase summaries"), filing_perms.can_view_filings),
    ("filings:problem_list", _("Open problems"), filing_perms.can_view_problem_queue),
    ("appraisal:index", _("Appraisal"), appraisal_perms.can_view_appraisal),
    ("accountability:case_list", _("Accountability cases"), accountability_perms.can_view_cases),
    ("accountability:commendation_list", _("Commendations"), accountability_perms.can_manage_commendations),
    ("organisations:list", _("Organisations"), org_perms.can_view_organisations),
    ("accounts:user_list", _("Accounts"), perms.can_view_users),
    ("accounts:role_request_list", _("Role requests"), perms.can_decide_role_requests),
    ("audit:list", _("Audit trail"), audit_perms.can_view_audit),
    ("status", _("System status"), perms.can_view_system_status),
    ("api-docs", _("API"), lambda user: perms.role_of(user) is not None),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    items = []
    for name, label, allowed in _ENTRIES:
        if allowed(user):
            url = reverse(name)
            items.append({"url": url, "label": label, "active": path == url if name == "home" else path.startswith(url)})
    # One entry is current: the one whose address is the longest prefix of the path (the
    # supporting rules live under the responsibilities' address).
    current = max((item for item in items if item["active"]), key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return {"nav": items}
