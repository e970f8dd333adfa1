import datetime
from decimal import Decimal

import pytest

from appraisal import services
from appraisal.reference import reference_load
from appraisal.models import CaseFile, CaseKind, Rubric
from authority.models import Officer


@pytest.fixture(autouse=True)
def reference(db):
    """The reference indicators and rubrics: loaded by migration, but a transactional (browser)
    test's flush on the same worker empties them."""
    reference_load()


@pytest.fixture
def scheme(users, city):
    return services.scheme_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, title="2026年度执法责任制考核")


@pytest.fixture
def cut_off():
    return datetime.date(2026, 11, 30)


@pytest.fixture
def officers(city):
    return {
        "a1": Officer.objects.create(department=city.dept_a, name="张一"),
        "a2": Officer.objects.create(department=city.dept_a, name="张二"),
        "b1": Officer.objects.create(department=city.dept_b, name="李一"),
    }


@pytest.fixture
def penalty_rubric(db):
    return Rubric.objects.filter(case_kind=CaseKind.PENALTY).order_by("-version").first()


def case_file(department, number, officers=(), kind=CaseKind.PENALTY, decided=datetime.date(2026, 3, 1)):
    f = CaseFile.objects.create(department=department, number=number, title=f"案件{number}", case_kind=kind, decided_on=decided)
    f.officers.set(officers)
    return f


def weights(scheme, target):
    return sum((i.weight for i in scheme.indicators.filter(target=target)), Decimal(0))
