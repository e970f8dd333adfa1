"""The authority lists are built in a fixed number of queries: the same page at two sizes asks
the database the same number of times. (The breakdown page has its own test in test_views.)"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from basis.models import InstrumentStatus
from tests.basis.factories import InstrumentFactory, provisions
from workflow.review import ReviewStatus

from .factories import (
    BreakdownFactory,
    CertificateFactory,
    OfficerFactory,
    PostFactory,
    PowerFactory,
    assign,
    kind,
    place,
)


def _grow(city, breakdowns, n):
    """``n`` more of everything a list shows, in every department of ``breakdowns``: powers
    (some unassigned, some on a repealed instrument), posts with officers, certificates (some
    expiring soon, some beyond the post's kinds), officers without one."""
    repealed = InstrumentFactory(name=f"已废止条例{n}", status=InstrumentStatus.REPEALED)
    soon = datetime.date.today() + datetime.timedelta(days=30)
    for breakdown in breakdowns:
        department = breakdown.department
        agency = city.agency_a if department == city.dept_a else department
        for i in range(n):
            power = PowerFactory(breakdown=breakdown, kind=kind("coercion" if i % 2 else "penalty"))
            if i % 3 == 0:
                power.provisions.set(provisions(repealed, "第一条"))
            if i % 4 == 0:
                continue  # assigned to no post
            post = PostFactory(agency=agency)
            assign(power, post)
            officer = OfficerFactory(department=department)
            place(officer, post)
            if i % 5:
                CertificateFactory(officer=officer, kinds=[kind("penalty")], valid_until=soon if i % 2 else soon + datetime.timedelta(days=900))


def _count(client, path) -> tuple[int, int]:
    """The number of queries, and the length of the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), len(response.content)


@pytest.fixture
def breakdowns(city):
    instrument = InstrumentFactory(name="测试条例")
    result = []
    for department in (city.dept_a, city.dept_b, city.dept_x1):
        breakdown = BreakdownFactory(department=department, status=ReviewStatus.SUBMITTED)
        power = PowerFactory(breakdown=breakdown, provisions=provisions(instrument, "第十条"))
        post = PostFactory(agency=city.agency_a if department == city.dept_a else department)
        assign(power, post)
        officer = OfficerFactory(department=department)
        place(officer, post)
        CertificateFactory(officer=officer, kinds=[kind("penalty")])
        result.append(breakdown)
    return result


@pytest.mark.parametrize(
    "user, path",
    [
        ("editor_a", "/office/authority/officers/"),
        ("city_reviewer", "/office/authority/officers/"),
        ("editor_a", "/office/authority/posts/"),
        ("city_reviewer", "/office/authority/posts/"),
        ("city_reviewer", "/office/authority/completeness/"),
        ("editor_a", "/office/authority/completeness/"),
    ],
)
def test_list_query_count_is_constant(client, login, users, city, breakdowns, user, path):
    login(getattr(users, user))
    client.get(path)  # the session and the user's organisation are read on every request alike
    few, short = _count(client, path)
    _grow(city, breakdowns, 25)
    many, long = _count(client, path)
    assert long > short + 2000, "the list did not grow"
    assert many == few
