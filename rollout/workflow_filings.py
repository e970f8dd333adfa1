"""The life of what an organisation files (§3(一), §5(四)): its implementation plan and its
phase summaries. Both are filed with the organisation's receiving office, which acknowledges
(accepts) them or returns them with comments.

Who files and who receives, by the kind of organisation:

- an enforcement department: its own editors file; its competent legal-affairs office (the city
  office for city departments, a county's for its own) receives;
- a county government: its legal-affairs office files for it (the office is the government's
  working body for this) and the city office receives (§4: "各县(区)…实施方案要…报市政府法制办备案");
- a township government or street office: they hold no accounts of their own (an account sits in
  a department or an office), so the county office, which guides them (§3(一)), records their
  plans and summaries and is also the office that receives them.

The city government files nothing here: its arrangement is the campaign itself.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import (
    can_review_for,
    is_department_editor,
    is_legal_affairs_office,
    jurisdiction_of,
)
from organisations.models import Organisation, OrganisationKind, SubjectKind
from workflow.engine import Rule, TransitionTable

from .models import FilingStatus

FILING_KINDS = frozenset({
    OrganisationKind.DEPARTMENT, OrganisationKind.COUNTY, OrganisationKind.TOWNSHIP, OrganisationKind.STREET,
})
SUB_COUNTY_KINDS = frozenset({OrganisationKind.TOWNSHIP, OrganisationKind.STREET})
EDITABLE = (FilingStatus.DRAFT, FilingStatus.RETURNED)


def files_anything(organisation: Organisation) -> bool:
    """Whether the organisation files a plan and summaries at all: departments (not the offices,
    which receive them) and the governments below the city. An authorised or entrusted
    organisation under a department files nothing of its own: its department's plan covers it
    (§3(一): "只制定包括本部门和本部门管理的法定授权组织及受委托组织在内的…实施方案")."""
    if organisation.kind not in FILING_KINDS:
        return False
    if organisation.kind != OrganisationKind.DEPARTMENT:
        return True
    if organisation.office_function:
        return False
    return not is_covered_body(organisation)


def is_covered_body(organisation: Organisation) -> bool:
    """An authorised or entrusted organisation hanging under a department in the tree."""
    if organisation.subject_kind not in (SubjectKind.AUTHORISED, SubjectKind.ENTRUSTED) or organisation.depth < 2:
        return False
    parent_path = organisation.path[: -Organisation.steplen]
    return Organisation.objects.filter(path=parent_path, kind=OrganisationKind.DEPARTMENT).exists()


def is_filer(user, organisation: Organisation) -> bool:
    """Whether ``user`` files for ``organisation`` (see the module's docstring)."""
    if not files_anything(organisation):
        return False
    if organisation.kind == OrganisationKind.DEPARTMENT:
        return is_department_editor(user, organisation)
    if not is_legal_affairs_office(user):
        return False
    government = jurisdiction_of(user)
    if government is None:
        return False
    if organisation.kind == OrganisationKind.COUNTY:
        return government.pk == organisation.pk
    return government.pk == organisation.jurisdiction_id


def is_receiving_office(user, organisation: Organisation) -> bool:
    """Whether ``user`` is the office that acknowledges or returns what ``organisation`` files."""
    if not files_anything(organisation) or not is_legal_affairs_office(user):
        return False
    if organisation.kind == OrganisationKind.COUNTY:
        government = jurisdiction_of(user)
        return (
            government is not None
            and government.kind == OrganisationKind.CITY
            and organisation.path.startswith(government.path)
        )
    return can_review_for(user, organisation)


def _filer_of(user, filing) -> bool:
    return is_filer(user, filing.organisation)


def _receiver_of(user, filing) -> bool:
    return is_receiving_office(user, filing.organisation)


class PlanTransition(models.TextChoices):
    FILE = "file", _("File with the office")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RETURN = "return", _("Return with comments")
    REOPEN = "reopen", _("Revise the plan")


PLAN = TransitionTable(
    states=FilingStatus,
    transitions=PlanTransition,
    rules={
        PlanTransition.FILE: Rule(EDITABLE, FilingStatus.FILED, _filer_of),
        PlanTransition.ACKNOWLEDGE: Rule((FilingStatus.FILED,), FilingStatus.ACKNOWLEDGED, _receiver_of),
        PlanTransition.RETURN: Rule((FilingStatus.FILED,), FilingStatus.RETURNED, _receiver_of),
        # An acknowledged plan is revised later (a reform, a new campaign step): a new revision
        # is opened and filed again; the acknowledged one stays on record.
        PlanTransition.REOPEN: Rule((FilingStatus.ACKNOWLEDGED,), FilingStatus.DRAFT, _filer_of),
    },
    touch=("updated_at",),
)


class SummaryTransition(models.TextChoices):
    SUBMIT = "submit", _("Submit to the office")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return with comments")


SUMMARY = TransitionTable(
    states=FilingStatus,
    transitions=SummaryTransition,
    rules={
        SummaryTransition.SUBMIT: Rule(EDITABLE, FilingStatus.FILED, _filer_of),
        SummaryTransition.ACCEPT: Rule((FilingStatus.FILED,), FilingStatus.ACKNOWLEDGED, _receiver_of),
        SummaryTransition.RETURN: Rule((FilingStatus.FILED,), FilingStatus.RETURNED, _receiver_of),
    },
    touch=("updated_at",),
)
