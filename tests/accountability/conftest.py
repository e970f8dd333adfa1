from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role
from accountability import services
from tests.authority.factories import CertificateFactory, OfficerFactory, PostFactory, place
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def reference(db):
    call_command("load_authority_reference", verbosity=0)
    # A browser test's flush (transactional tests) empties the data migrations' rows too.
    call_command("load_appraisal_reference", verbosity=0)


@pytest.fixture(autouse=True)
def english(client, api_client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield


@pytest.fixture
def more_users(city, users):
    return SimpleNamespace(
        head_b=UserFactory(username="head_b", role=Role.DEPARTMENT_HEAD, organisation=city.dept_b),
        head_x1=UserFactory(username="head_x1", role=Role.DEPARTMENT_HEAD, organisation=city.dept_x1),
    )


@pytest.fixture
def officer(city):
    """An officer of department A on a post with a valid certificate."""
    officer = OfficerFactory(department=city.dept_a, name="李执法")
    post = PostFactory(agency=city.agency_a, name="稽查岗")
    officer.placement = place(officer, post)
    officer.certificate = CertificateFactory(officer=officer, number="SC2026000777")
    return officer


@pytest.fixture
def open_case(users, city):
    """Open a case against department A as the city office, registered."""

    def _open(department=None, register=True, actor=None):
        return services.case_open(
            actor=actor or users.city_reviewer, department=department or city.dept_a, source_kind="complaint",
            source_text="群众投诉：检查中未出示证件", act="2026年3月对某商户的现场检查", register=register,
        )

    return _open


@pytest.fixture
def investigating(open_case, users):
    def _make(**kwargs):
        case = open_case(**kwargs)
        return services.case_investigate(actor=users.city_reviewer, case=case)

    return _make


def add_person(case, actor, officer=None, name="", responsibility="direct"):
    return services.person_add(actor=actor, case=case, officer=officer, name=name, part="handler",
                               responsibility=responsibility, grounds="未出示执法证件即实施检查")


def decide_with(case, actor, kind, person=None, until=None, **decision):
    """Propose ``kind`` (on ``person``, or on the department), propose the decision and decide."""
    services.measure_propose(actor=actor, case=case, kind=kind, person=person, until=until)
    services.case_propose(actor=actor, case=case)
    return services.case_decide(actor=actor, case=case, grounds=decision.pop("grounds", "经调查，事实清楚"), **decision)


def notify(case, actor):
    return services.case_notify(actor=actor, case=case)

