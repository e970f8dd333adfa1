"""Reads: the coverage matrix of supporting rules, responsibilities grouped by holder with
their power names, the powers a department may cite, and the home-page counts."""

import pytest

from responsibility import selectors
from responsibility.models import HolderLevel, SupportingRuleKind, SupportingRuleStatus
from tests.authority.factories import PostFactory
from workflow.review import ReviewStatus

from .factories import (
    ResponsibilityFactory,
    ResponsibilitySetFactory,
    SupportingRuleFactory,
    breakdown_with,
    stage,
)

pytestmark = pytest.mark.usefixtures("english")
ALL = [value for value, _label in SupportingRuleKind.choices]


def test_coverage_matrix_on_crafted_data(city, users, django_assert_num_queries):
    for kind in ALL:
        SupportingRuleFactory(department=city.dept_a, kind=kind)
    # B has two kinds in force, one under revision and one repealed (neither counts).
    SupportingRuleFactory(department=city.dept_b, kind=SupportingRuleKind.APPRAISAL)
    SupportingRuleFactory(department=city.dept_b, kind=SupportingRuleKind.REWARDS)
    SupportingRuleFactory(department=city.dept_b, kind=SupportingRuleKind.REWARDS)  # a second rule of a kind
    SupportingRuleFactory(department=city.dept_b, kind=SupportingRuleKind.CASE_FILE_REVIEW, status=SupportingRuleStatus.UNDER_REVISION)
    SupportingRuleFactory(department=city.dept_b, kind=SupportingRuleKind.FAULT_ACCOUNTABILITY, status=SupportingRuleStatus.REPEALED)
    with django_assert_num_queries(2):
        result = selectors.coverage_for(users.city_reviewer)
    rows = {row.department.code: row for row in result.rows}
    # The city office sees every enforcement subject of the city and its counties (the entrusted
    # 执法支队 C-A-2 included) and the county governments (§5(二)), no office, no agency.
    assert set(rows) == {"C-A", "C-A-2", "C-B", "X", "X-1", "Y", "Y-1"}
    assert rows["C-A-2"].missing == ALL and rows["X"].missing == ALL
    assert rows["C-A"].missing == []
    assert rows["C-B"].in_force == {"appraisal", "rewards"}
    assert rows["C-B"].missing == [k for k in ALL if k not in ("appraisal", "rewards")]
    assert rows["X-1"].missing == ALL
    assert result.complete == 1 and result.incomplete == 6
    assert result.missing_by_kind["appraisal"] == 5 and result.missing_by_kind["post_responsibility"] == 6
    assert [cell[2] for cell in rows["C-B"].cells] == [k in ("appraisal", "rewards") for k in ALL]
    only = selectors.coverage_for(users.city_reviewer, only_missing=True)
    assert {row.department.code for row in only.rows} == {"C-A-2", "C-B", "X", "X-1", "Y", "Y-1"}
    county = selectors.coverage_for(users.city_reviewer, government=city.county_x)
    assert [row.department.code for row in county.rows] == ["X", "X-1"]
    assert [row.department.code for row in selectors.coverage_for(users.county_reviewer).rows] == ["X", "X-1"]
    assert [row.department.code for row in selectors.coverage_for(users.editor_b).rows] == ["C-B"]
    assert selectors.coverage_for(users.sysadmin).rows == []


def test_coverage_runs_two_queries_for_many_departments(city, users, django_assert_num_queries):
    from tests.factories import OrganisationFactory

    for i in range(30):
        department = OrganisationFactory(parent=city.city, code=f"C-D{i}", name=f"测试局{i}")
        SupportingRuleFactory(department=department, kind=ALL[i % 8])
    with django_assert_num_queries(2):
        result = selectors.coverage_for(users.city_reviewer)
    assert len(result.rows) == 37  # 34 departments, the entrusted body, two county governments


def test_responsibilities_grouped_by_holder_with_power_names(city, django_assert_num_queries):
    breakdown_with(city.dept_a, codes=("P-1",))
    responsibility_set = ResponsibilitySetFactory(department=city.dept_a)
    post = PostFactory(agency=city.agency_a, name="案件承办岗")
    ResponsibilityFactory(responsibility_set=responsibility_set, level=HolderLevel.POST, agency=city.agency_a, post=post,
                          power_code="P-1", stage=stage("filing"))
    ResponsibilityFactory(responsibility_set=responsibility_set, level=HolderLevel.AGENCY, agency=city.agency_a)
    ResponsibilityFactory(responsibility_set=responsibility_set, power_code="P-GONE")
    responsibility_set = type(responsibility_set).objects.select_related("department").get(pk=responsibility_set.pk)
    with django_assert_num_queries(4):  # responsibilities, breakdowns, powers, steps
        groups = selectors.responsibilities_by_holder(responsibility_set)
    assert [(g.level, g.label) for g in groups] == [
        ("department", "测试市市场监督管理局"), ("agency", "执法稽查科"), ("post", "执法稽查科 · 案件承办岗"),
    ]
    department_item = groups[0].responsibilities[0]
    assert department_item.power_missing and department_item.power_name == ""
    assert groups[2].responsibilities[0].power_name == "职权P-1的处罚"


def test_current_powers_prefer_the_version_before_the_office(city):
    breakdown_with(city.dept_a, codes=("P-1", "P-2"))
    newer = breakdown_with(city.dept_a, codes=("P-1", "P-3"), status=ReviewStatus.UNDER_REVIEW, stages=("decision",))
    newer.powers.filter(code="P-1").update(name="新名称")
    powers = selectors.current_powers(city.dept_a)
    assert set(powers) == {"P-1", "P-2", "P-3"}
    assert powers["P-1"].name == "新名称" and powers["P-1"].stage_names == ["决定"]
    assert powers["P-2"].stage_names == ["立案", "调查取证"]


def test_awaiting_for_office_and_department(city, users):
    ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    ResponsibilitySetFactory(department=city.dept_b, status=ReviewStatus.APPROVED)
    ResponsibilitySetFactory(department=city.dept_x1, status=ReviewStatus.SUBMITTED)  # the county's to review
    SupportingRuleFactory(department=city.dept_a, kind=SupportingRuleKind.APPRAISAL)
    office = selectors.awaiting_for(users.city_reviewer)
    assert [(label, count) for label, count, _url, _query in office] == [
        ("Responsibility sets awaiting review", 1),
        ("Approved responsibility sets awaiting publication", 1),
        # A, B and A's entrusted 执法支队, which keeps the eight rules too.
        ("Departments missing supporting rules", 3),
    ]
    from django.urls import reverse

    assert all(reverse(url).startswith("/office/responsibility/") for _label, _count, url, _query in office)
    department = selectors.awaiting_for(users.editor_a)
    assert [(label, count) for label, count, _url, _query in department] == [
        ("Responsibility set versions to complete or fix", 0),
        ("Kinds of supporting rule missing", 7),
    ]
    assert selectors.awaiting_for(users.auditadmin) == []
