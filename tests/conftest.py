"""Shared fixtures: a small city built through the services, and one user per role."""

from types import SimpleNamespace

import pytest

from accounts.models import Role
from organisations.models import OfficeFunction, OrganisationKind, SubjectKind

from .factories import PASSWORD, OrganisationFactory, UserFactory
from .two_factor import needs_second_factor, pass_second_factor, verify_session


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with one step more at the end on PostgreSQL: the
    session-scoped live server (browser tests) stops after the database is dropped, and its
    thread still holds a connection; ending the other sessions first lets DROP DATABASE run
    instead of failing with "being accessed by other users"."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def city(db):
    """City C with its two offices, departments A (with an agency and an entrusted body) and B;
    county X with its offices and department X1; county Y with department Y1."""
    c = OrganisationFactory(code="C", name="测试市人民政府", kind=OrganisationKind.CITY)
    ns = SimpleNamespace(city=c)
    ns.city_office = OrganisationFactory(parent=c, code="C-FZB", name="测试市法制办", office_function=OfficeFunction.LEGAL_AFFAIRS)
    ns.city_establishment = OrganisationFactory(parent=c, code="C-BB", name="测试市编办", office_function=OfficeFunction.ESTABLISHMENT)
    ns.dept_a = OrganisationFactory(parent=c, code="C-A", name="测试市市场监督管理局", subject_kind=SubjectKind.STATUTORY_ORGAN)
    ns.dept_b = OrganisationFactory(parent=c, code="C-B", name="测试市卫生健康委员会", subject_kind=SubjectKind.STATUTORY_ORGAN)
    ns.agency_a = OrganisationFactory(parent=ns.dept_a, code="C-A-1", name="执法稽查科", kind=OrganisationKind.AGENCY)
    ns.entrusted_a = OrganisationFactory(
        parent=ns.dept_a, code="C-A-2", name="测试市市场监管执法支队",
        subject_kind=SubjectKind.ENTRUSTED, principal=ns.dept_a,
    )
    ns.county_x = OrganisationFactory(parent=c, code="X", name="甲县人民政府", kind=OrganisationKind.COUNTY)
    ns.county_x_office = OrganisationFactory(parent=ns.county_x, code="X-FZB", name="甲县法制办", office_function=OfficeFunction.LEGAL_AFFAIRS)
    ns.county_x_establishment = OrganisationFactory(parent=ns.county_x, code="X-BB", name="甲县编办", office_function=OfficeFunction.ESTABLISHMENT)
    ns.dept_x1 = OrganisationFactory(parent=ns.county_x, code="X-1", name="甲县市场监督管理局", subject_kind=SubjectKind.STATUTORY_ORGAN)
    ns.county_y = OrganisationFactory(parent=c, code="Y", name="乙县人民政府", kind=OrganisationKind.COUNTY)
    ns.county_y_office = OrganisationFactory(parent=ns.county_y, code="Y-FZB", name="乙县法制办", office_function=OfficeFunction.LEGAL_AFFAIRS)
    ns.dept_y1 = OrganisationFactory(parent=ns.county_y, code="Y-1", name="乙县市场监督管理局", subject_kind=SubjectKind.STATUTORY_ORGAN)
    return ns


@pytest.fixture
def users(city):
    """One user per role (and a county reviewer), keyed by a short name."""
    return SimpleNamespace(
        city_reviewer=UserFactory(username="city_reviewer", role=Role.OFFICE_REVIEWER, organisation=city.city_office),
        county_reviewer=UserFactory(username="county_reviewer", role=Role.OFFICE_REVIEWER, organisation=city.county_x_office),
        establishment=UserFactory(username="establishment", role=Role.ESTABLISHMENT_REVIEWER, organisation=city.city_establishment),
        editor_a=UserFactory(username="editor_a", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_a),
        editor_b=UserFactory(username="editor_b", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_b),
        head_a=UserFactory(username="head_a", role=Role.DEPARTMENT_HEAD, organisation=city.dept_a),
        sysadmin=UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN),
        secadmin=UserFactory(username="secadmin", role=Role.SECURITY_ADMIN),
        auditadmin=UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN),
    )


@pytest.fixture
def login(client):
    """Log a user in through the real login form (axes, signals and all), and through the
    second-factor step with a code from a confirmed device where the user needs one."""

    def _login(user, password=PASSWORD):
        response = client.post("/accounts/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        pass_second_factor(client, user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``force_login`` skips the login form, and with it the second factor: clients signed in
    that way are verified too (through a confirmed device), so that tests of what a role may
    do need not repeat the sign-in. Tests of the gate itself sign in through the form."""
    from django.test.client import ClientMixin

    force_login = ClientMixin.force_login

    def _force_login(self, user, backend=None):
        force_login(self, user, backend)
        if needs_second_factor(user):
            verify_session(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", _force_login)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the cached conflict checks, the rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
