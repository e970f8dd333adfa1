"""Issue 12, item 8: coverage from law to duty (不重不漏, 有权必有责), as the office reads it: a
registry instrument no department of a jurisdiction claims, a catalogue instrument without a
power, powers without procedure or time limits, a power given to two posts in one role, powers
and posts without a responsibility; scoped to the office's jurisdiction."""

import pytest
from django.utils import translation

from authority.selectors import FindingKind as AuthorityKind
from basis.models import InstrumentLevel
from responsibility import selectors
from responsibility.models import HolderLevel
from responsibility.selectors import DutyFindingKind
from workflow.review import ReviewStatus

from ..authority.factories import PostFactory, PowerFactory, assign, step
from ..basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from .factories import ResponsibilityFactory, ResponsibilitySetFactory, breakdown_with

URL = "/office/responsibility/law-to-duty/"


@pytest.fixture
def food_market(city):
    """Dept A (市场监督管理局): the published catalogue lists the Food Safety Law (cited by power
    P-1) and the Advertising Law (cited by no power); power P-1 on two handling posts; P-2 has no
    steps; responsibilities cover P-1 and post 处罚岗 only. County X's market regulator claims
    the Food Safety Law; nobody claims the Advertising Law in county X."""
    food = InstrumentFactory(name="中华人民共和国食品安全法", level=InstrumentLevel.LAW)
    ads = InstrumentFactory(name="中华人民共和国广告法", level=InstrumentLevel.LAW)
    InstrumentFactory(name="中华人民共和国行政处罚法", level=InstrumentLevel.LAW, binds_all_departments=True)
    catalogue = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=catalogue, instrument=food, provisions="第一百二十二条")
    EntryFactory(catalogue=catalogue, instrument=ads, provisions="第五十五条")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=food, provisions="第一百二十二条")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_x1), instrument=food)
    breakdown = breakdown_with(city.dept_a, codes=("P-1",))
    p1 = breakdown.powers.get()
    from tests.basis.factories import provisions

    p1.provisions.set(provisions(food, "第一百二十二条"))
    p2 = PowerFactory(breakdown=breakdown, code="P-2", name="对未按规定公示食品经营许可证的处罚")
    punish, inspect = PostFactory(agency=city.agency_a, name="处罚岗"), PostFactory(agency=city.agency_a, name="稽查岗")
    assign(p1, punish)
    assign(p1, inspect)
    assign(p2, punish, role="decision")
    responsibilities = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    ResponsibilityFactory(responsibility_set=responsibilities, power_code="P-1")
    ResponsibilityFactory(responsibility_set=responsibilities, level=HolderLevel.POST, post=punish)
    return locals()


def test_every_kind_once_with_exact_counts(city, users, food_market):
    with translation.override("en"):
        found = selectors.law_to_duty_findings(users.city_reviewer)

    by_kind = {}
    for finding in found:
        by_kind.setdefault(finding.kind, []).append(finding)
    assert {kind: len(items) for kind, items in by_kind.items()} == {
        # The city claims both laws (A lists both); county X lacks the Advertising Law, county Y both.
        DutyFindingKind.UNCLAIMED_INSTRUMENT: 3,
        AuthorityKind.INSTRUMENT_WITHOUT_POWER: 1,
        AuthorityKind.POWER_WITHOUT_STEPS: 1,
        AuthorityKind.OVERLAPPING_ASSIGNMENT: 1,
        DutyFindingKind.POWER_WITHOUT_RESPONSIBILITY: 1,
        DutyFindingKind.POST_WITHOUT_RESPONSIBILITY: 1,
    }
    assert sorted((f.department, f.message) for f in by_kind[DutyFindingKind.UNCLAIMED_INSTRUMENT]) == [
        ("乙县人民政府", "No department of 乙县人民政府 lists 《中华人民共和国广告法》 in its current catalogue: a possible gap."),
        ("乙县人民政府", "No department of 乙县人民政府 lists 《中华人民共和国食品安全法》 in its current catalogue: a possible gap."),
        ("甲县人民政府", "No department of 甲县人民政府 lists 《中华人民共和国广告法》 in its current catalogue: a possible gap."),
    ]
    assert "《中华人民共和国广告法》" in by_kind[AuthorityKind.INSTRUMENT_WITHOUT_POWER][0].message
    assert by_kind[DutyFindingKind.POWER_WITHOUT_RESPONSIBILITY][0].message == (
        "Power P-2 对未按规定公示食品经营许可证的处罚 has no responsibility in the current responsibility set."
    )
    assert "稽查岗" in by_kind[DutyFindingKind.POST_WITHOUT_RESPONSIBILITY][0].message


def test_time_limits(city, users, food_market):
    step(food_market["p2"], 1, limit=None)
    kinds = [f.kind for f in selectors.law_to_duty_findings(users.city_reviewer)]
    assert AuthorityKind.POWER_WITHOUT_TIME_LIMITS in kinds and AuthorityKind.POWER_WITHOUT_STEPS not in kinds


def test_a_responsibility_in_the_works_counts(city, food_market):
    """The version in the works answers for the power before it is published."""
    draft = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    for code in ("P-1", "P-2"):
        ResponsibilityFactory(responsibility_set=draft, power_code=code)
    for post in (food_market["punish"], food_market["inspect"]):
        ResponsibilityFactory(responsibility_set=draft, level=HolderLevel.POST, post=post)

    from organisations.models import Organisation

    assert selectors.duty_findings(Organisation.objects.filter(pk=city.dept_a.pk)) == []


def test_county_office_sees_its_county_only(client, city, users, food_market):
    client.force_login(users.county_reviewer)
    response = client.get(URL)
    assert response.status_code == 200
    departments = {f.department for f in response.context["page"].object_list}
    assert departments == {"甲县人民政府"}


def test_page_filters_by_kind_and_counts(client, users, food_market):
    client.force_login(users.city_reviewer)
    response = client.get(URL, {"kind": DutyFindingKind.UNCLAIMED_INSTRUMENT})
    assert response.context["page"].paginator.count == 3
    counts = {value: count for value, _label, count in response.context["counts"]}
    assert counts[DutyFindingKind.UNCLAIMED_INSTRUMENT] == 3 and sum(counts.values()) == 8


@pytest.mark.parametrize("role", ["editor_a", "head_a", "establishment", "sysadmin"])
def test_others_are_refused(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(URL).status_code == 403


def test_query_count_does_not_grow(client, city, users, food_market, django_assert_max_num_queries):
    client.force_login(users.city_reviewer)
    client.get(URL)
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    for number in range(5):
        breakdown_with(city.dept_b, codes=(f"B-{number}",))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
