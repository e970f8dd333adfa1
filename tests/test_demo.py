"""``load_demo`` builds Longnan with its real counties and departments and one user per role,
the market bureau's published catalogue, breakdown, officers, responsibilities and supporting
rules, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from authority.models import Breakdown, Certificate, Officer, PowerItem, valid_certificates
from organisations.models import (
    REVIEWING_GOVERNMENT_KINDS,
    OfficeFunction,
    Organisation,
    OrganisationKind,
)
from responsibility.models import EnforcementStandard, Responsibility, ResponsibilitySet, SupportingRule
from workflow.review import ReviewStatus

COUNTIES = {"武都区", "成县", "文县", "宕昌县", "康县", "西和县", "礼县", "徽县", "两当县"}


def _load():
    call_command("load_demo", stdout=StringIO())


def _counts():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "create events": AuditEvent.objects.filter(action=AuditAction.CREATE).count(),
        "all events": AuditEvent.objects.count(),
        "organisation history": Organisation.history.count(),
        "user history": User.history.count(),
        "breakdowns": Breakdown.objects.count(),
        "powers": PowerItem.objects.count(),
        "officers": Officer.objects.count(),
        "certificates": Certificate.objects.count(),
        "responsibility sets": ResponsibilitySet.objects.count(),
        "responsibilities": Responsibility.objects.count(),
        "standards": EnforcementStandard.objects.count(),
        "supporting rules": SupportingRule.objects.count(),
    }


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Loads the demo once for the module, in a transaction rolled back at the end; each test
    runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        _load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_loaded, db):
    return Organisation.objects.get(name="陇南市人民政府")


def test_second_run_creates_nothing(demo):
    first = _counts()
    assert first["organisations"] > 0 and first["users"] > 0
    _load()
    assert _counts() == first


def test_city_and_its_nine_counties(demo):
    assert demo.kind == OrganisationKind.CITY
    assert demo.is_root()
    counties = Organisation.objects.get_children(demo).filter(kind=OrganisationKind.COUNTY)
    assert {county.name.removesuffix("人民政府") for county in counties} == COUNTIES


def test_city_has_its_offices_and_at_least_twenty_departments(demo):
    departments = Organisation.objects.get_children(demo).filter(kind=OrganisationKind.DEPARTMENT)
    assert departments.filter(office_function="").count() >= 20
    assert {"陇南市市场监督管理局", "陇南市卫生健康委员会", "陇南市生态环境局", "陇南市交通运输局"} <= set(
        departments.values_list("name", flat=True)
    )
    for function in (OfficeFunction.LEGAL_AFFAIRS, OfficeFunction.ESTABLISHMENT):
        assert departments.filter(office_function=function).count() == 1


def test_every_county_has_its_legal_affairs_office_and_departments(demo):
    for county in Organisation.objects.get_children(demo).filter(kind=OrganisationKind.COUNTY):
        children = Organisation.objects.get_children(county)
        assert children.filter(office_function=OfficeFunction.LEGAL_AFFAIRS).count() == 1, county.name
        assert children.filter(kind=OrganisationKind.DEPARTMENT, office_function="").exists(), county.name


def test_jurisdictions_follow_the_tree(demo):
    """Each organisation's jurisdiction is the nearest city or county government at or above
    it, worked out here from the tree independently of the services."""
    by_path = {org.path: org for org in Organisation.objects.all()}
    step = Organisation.steplen
    for org in by_path.values():
        chain = [by_path[org.path[:end]] for end in range(len(org.path), 0, -step)]
        expected = next(node for node in chain if node.kind in REVIEWING_GOVERNMENT_KINDS)
        assert org.jurisdiction_id == expected.pk, org.name
    scj = Organisation.objects.get(name="陇南市市场监督管理局")
    assert scj.jurisdiction == demo
    wudu = Organisation.objects.get(name="武都区人民政府")
    assert all(
        child.jurisdiction == wudu for child in Organisation.objects.get_children(wudu)
    )


def test_one_user_per_role(demo):
    for role in Role.values:
        assert User.objects.filter(role=role, is_active=True).exists(), role
    for user in User.objects.filter(role__in=[Role.OFFICE_REVIEWER, Role.ESTABLISHMENT_REVIEWER]):
        wanted = OfficeFunction.LEGAL_AFFAIRS if user.role == Role.OFFICE_REVIEWER else OfficeFunction.ESTABLISHMENT
        assert user.organisation.office_function == wanted, user.username
    for user in User.objects.filter(role__in=[Role.DEPARTMENT_EDITOR, Role.DEPARTMENT_HEAD]):
        assert user.organisation.kind == OrganisationKind.DEPARTMENT and not user.organisation.office_function
    for user in User.objects.filter(role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]):
        assert user.organisation is None


def test_demo_users_can_sign_in(demo, client):
    from accounts.demo import DEMO_PASSWORD

    response = client.post("/accounts/login/", {"username": "scj_editor", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/office/").status_code == 200


def test_market_bureau_has_a_published_breakdown_with_certified_officers(demo):
    scj = Organisation.objects.get(code="621200-SCJ")
    breakdown = Breakdown.objects.get(department=scj, status=ReviewStatus.PUBLISHED)
    catalogue_instruments = set(
        scj.catalogues.get(status=ReviewStatus.PUBLISHED).entries.values_list("instrument_id", flat=True)
    )
    powers = list(breakdown.powers.prefetch_related("provisions", "assignments", "steps"))
    assert 5 <= len(powers) <= 8
    for power in powers:
        assert power.provisions.all() and {p.instrument_id for p in power.provisions.all()} <= catalogue_instruments
        assert power.assignments.all(), power.name
        assert power.steps.all() and all(step.time_limit for step in power.steps.all()), power.name
    officers = Officer.objects.filter(department=scj)
    assert officers.count() == 3
    for officer in officers:
        assert officer.trainings.filter(kind="pre_post").exists() and officer.exams.filter(passed=True).exists()
        assert valid_certificates().filter(officer=officer).exists()
        assert officer.placements.filter(until__isnull=True).exists()


def test_market_bureau_has_published_responsibilities_and_rules_with_gaps(demo):
    from responsibility.selectors import coverage

    scj = Organisation.objects.get(code="621200-SCJ")
    responsibility_set = ResponsibilitySet.objects.get(department=scj, status=ReviewStatus.PUBLISHED)
    per_step = responsibility_set.responsibilities.exclude(power_code="").exclude(stage=None)
    assert per_step.count() >= 7
    assert {"立案", "调查取证", "审理", "告知", "决定", "送达"} <= set(per_step.values_list("stage__name", flat=True))
    assert "十个工作日内予以立案" in " ".join(per_step.values_list("content", flat=True))
    assert {r.level for r in responsibility_set.responsibilities.all()} == {"department", "agency", "post"}
    standards = list(responsibility_set.standards.all())
    assert len(standards) == 2 and all(3 <= s.bands.count() <= 4 for s in standards)
    powers = set(Breakdown.objects.get(department=scj, status=ReviewStatus.PUBLISHED).powers.values_list("code", flat=True))
    assert {s.power_code for s in standards} <= powers
    assert set(per_step.values_list("power_code", flat=True)) <= powers
    row = coverage(Organisation.objects.filter(pk=scj.pk)).rows[0]
    assert len(row.missing) == 2
