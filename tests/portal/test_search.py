"""The portal's one search (issue 13): every field its label names finds the record, longer
queries find a subset of their prefix, one character asks for two, drafts never show, and a
page costs the same queries whatever it finds."""

import re

import pytest
from django.utils import timezone

from authority.models import ProcedureStep
from responsibility.models import HolderLevel, Responsibility
from tests.authority.factories import BreakdownFactory, PostFactory, kind, stage
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from portal import search as portal_search
from workflow.review import ReviewStatus

from .conftest import add_power, responsibility_kind

ADS_POWER = "对发布虚假广告的处罚"


@pytest.fixture
def laws(city, published):
    """Department B publishes a breakdown whose power rests on 《中华人民共和国广告法》, a
    food-safety power in county X, and a draft that must never be found."""
    now = timezone.now()
    ads = InstrumentFactory(name="中华人民共和国广告法")
    food = InstrumentFactory(name="中华人民共和国食品安全法")
    catalogue = CatalogueFactory(department=city.dept_b, published_at=now)
    EntryFactory(catalogue=catalogue, instrument=ads, provisions="第五十五条", rights_and_duties="查处虚假广告")
    breakdown = BreakdownFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED, published_at=now)
    post = PostFactory(agency=city.dept_b, name="广告监测岗")
    power = add_power(breakdown, post, "330218002000", ADS_POWER, instrument=ads)
    ProcedureStep.objects.create(power=power, order=1, stage=stage("filing"), post=post, duty="核查广告内容真实性")
    county = BreakdownFactory(department=city.dept_x1, status=ReviewStatus.PUBLISHED, published_at=now)
    food_power = add_power(county, PostFactory(agency=city.dept_x1, name="食品抽检岗"), "X1-001", "食品安全抽样检验", instrument=food)
    food_power.kind = kind("inspection") if _has_kind("inspection") else food_power.kind
    food_power.save()
    add_power(county, PostFactory(agency=city.dept_x1, name="食品经营岗"), "X1-002", "对食品经营者未按规定建立进货查验记录的处罚", instrument=food)
    draft = BreakdownFactory(department=city.dept_y1, status=ReviewStatus.DRAFT)
    add_power(draft, PostFactory(agency=city.dept_y1, name="草稿岗"), "DRAFT-广告", "草稿中的广告处罚", instrument=ads)
    return power


def _has_kind(code):
    from authority.models import PowerKind

    return PowerKind.objects.filter(code=code).exists()


def _page(client, query, scope="powers"):
    response = client.get("/search/", {"q": query, "in": scope})
    assert response.status_code == 200
    return response.content.decode()


def _rows(html):
    return set(re.findall(r"<tr><td>(.*?)</tr>", html, re.DOTALL))


def _power_names(html):
    return set(re.findall(r'<a href="/departments/[^/]+/powers/[^/]+/">([^<]+)</a>', html))


@pytest.mark.parametrize(
    "query",
    [
        "广告法",  # the law's name (short)
        "中华人民共和国广告法",  # the law's full name
        "虚假广告",  # the power's name
        "330218002000",  # the code
        "330218",  # part of the code
        "测试市卫生健康委员会",  # the department's name
        "核查广告内容",  # a duty of a procedure step
    ],
)
def test_a_power_is_found_by_every_field_the_label_names(client, laws, query):
    assert ADS_POWER in _power_names(_page(client, query))


def test_a_power_is_found_by_its_kind(client, laws, published):
    names = _power_names(_page(client, published.power.kind.name))
    assert {ADS_POWER, published.power.name} <= names


def test_a_power_is_found_by_its_accountability_grounds_and_published_responsibility(client, city, laws, published):
    assert published.power.name in _power_names(_page(client, "不依法履行职责"))
    # The published responsibility set of department A cites the power by code.
    assert published.power.name in _power_names(_page(client, "十个工作日内予以立案"))


def test_food_safety_law_finds_the_powers_resting_on_it(client, laws):
    names = _power_names(_page(client, "食品安全法"))
    assert names == {"食品安全抽样检验", "对食品经营者未按规定建立进货查验记录的处罚"}


def test_a_longer_query_finds_a_subset_of_its_prefix(client, laws):
    for longer, prefix in [("食品安全", "食品"), ("虚假广告", "广告"), ("广告法", "广告")]:
        for scope in ("powers", "entries", "departments", "posts", "responsibilities"):
            assert _rows(_page(client, longer, scope)) <= _rows(_page(client, prefix, scope))
    assert _power_names(_page(client, "食品安全")) <= _power_names(_page(client, "食品"))
    assert "食品安全抽样检验" in _power_names(_page(client, "食品"))


def test_two_characters_match_exactly(client, laws):
    names = _power_names(_page(client, "广告"))
    assert ADS_POWER in names
    assert "食品安全抽样检验" not in names


def test_one_character_asks_for_two(client, laws):
    page = _page(client, "食")
    assert "Type at least 2 characters to search." in page
    assert "Nothing published matches" not in page and "食品安全抽样检验" not in page


def test_a_draft_is_never_found(client, laws):
    for scope in ("powers", "posts"):
        page = _page(client, "草稿", scope)
        assert "草稿中的广告处罚" not in page and "草稿岗" not in page
    assert "草稿中的广告处罚" not in _page(client, "广告法")


def test_every_tab_has_its_count(client, city, laws):
    page = _page(client, "广告")
    tabs = dict(re.findall(r'in=(\w+)"[^>]*>[^<]+<span class="tab-count">(\d+\+?)</span>', page))
    assert set(tabs) == {"powers", "entries", "departments", "posts", "responsibilities"}
    assert tabs["powers"] == "1" and tabs["entries"] == "1" and tabs["posts"] == "1"
    departments = _page(client, "卫生健康", "departments")
    assert f'href="/departments/{city.dept_b.code}/"' in departments
    posts = _page(client, "广告监测", "posts")
    assert "广告监测岗" in posts and f"/departments/{city.dept_b.code}/posts/" in posts


def test_entries_tab_finds_laws_duties_and_departments(client, city, laws):
    assert "中华人民共和国广告法" in _page(client, "广告法", "entries")
    assert "中华人民共和国广告法" in _page(client, "查处虚假", "entries")
    assert "中华人民共和国广告法" in _page(client, "卫生健康委员会", "entries")


def test_responsibilities_tab(client, city, published):
    page = _page(client, "全面责任", "responsibilities")
    assert "对本部门执法工作负全面责任" in page and city.dept_a.name in page


def test_ranking_exact_name_first_then_name_then_other_fields(client, city, laws):
    breakdown = laws.breakdown
    post = PostFactory(agency=city.dept_b, name="其他岗")
    add_power(breakdown, post, "B-EXACT", "广告监测")
    add_power(breakdown, post, "B-CONTAINS", "组织开展广告监测工作")
    by_duty = add_power(breakdown, post, "B-DUTY", "其他检查")
    Responsibility.objects.create(
        responsibility_set=Responsibility.objects.first().responsibility_set, position=9, level=HolderLevel.DEPARTMENT,
        kind=responsibility_kind(), content="无关",
    )
    by_duty.accountability_grounds = "未履行广告监测职责的"
    by_duty.save()
    page = _page(client, "广告监测")
    order = re.findall(r'/powers/(B-[A-Z]+)/', page)
    assert order == ["B-EXACT", "B-CONTAINS", "B-DUTY"]


def test_query_count_is_constant(client, city, laws, django_assert_max_num_queries):
    breakdown = laws.breakdown
    post = PostFactory(agency=city.dept_b, name="批量岗")
    for n in range(40):
        add_power(breakdown, post, f"BULK-{n}", f"广告批量职权{n}", instrument=laws.provisions.first().instrument)
    for scope in ("powers", "entries", "departments", "posts", "responsibilities"):
        with django_assert_max_num_queries(14):
            client.get("/search/", {"q": "广告", "in": scope})


@pytest.mark.parametrize("cap", [0, 1, 2, 50])
def test_a_capped_count_is_the_true_count_up_to_the_cap(city, laws, monkeypatch, cap):
    """counts() takes at most CAP + 1 ids from each id set of a tab: the answer must be what
    counting every match and stopping at CAP + 1 gives."""
    from portal import search as portal_search

    post = PostFactory(agency=city.dept_b, name="广告复核岗")
    for n in range(4):
        add_power(laws.breakdown, post, f"CAP-{n}", f"广告职权{n}", instrument=laws.provisions.first().instrument)
    monkeypatch.setattr(portal_search, "CAP", cap)
    for query in ("广告", "食品", "监督", "广告法"):
        expected = {
            key: min(search(query).count(), cap + 1) for key, search in portal_search.SEARCHES.items()
        }
        assert portal_search.counts(query) == expected, query


@pytest.mark.parametrize("scope", ["powers", "entries", "departments", "posts", "responsibilities"])
@pytest.mark.parametrize("query", ["广告", "食品", "法", "测试市"])
def test_a_tab_past_the_cap_lists_the_same_rows_in_the_same_order(laws, scope, query):
    # Past CAP the listing joins the ids by hashing (IN) instead of fetching them one by one:
    # what it finds and how it ranks them must not change.
    search = portal_search.SEARCHES[scope]
    few = list(search(query).values_list("pk", flat=True))
    assert list(search(query, many=True).values_list("pk", flat=True)) == few


def test_the_page_switches_to_the_hash_join_past_the_cap(client, laws, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listing(captured):
        found = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "authority_poweritem"."id" AS "pk"')]
        assert len(found) == 1
        return found[0]

    with CaptureQueriesContext(connection) as captured:
        names = _power_names(_page(client, "广告"))
    few = listing(captured)
    monkeypatch.setattr(portal_search, "CAP", 0)  # every tab with a match is past it
    with CaptureQueriesContext(connection) as captured:
        assert _power_names(_page(client, "广告")) == names != set()
    many = listing(captured)
    if connection.vendor == "postgresql":  # elsewhere both are IN (subquery)
        assert "= ANY(ARRAY(" in few and "= ANY(ARRAY(" not in many
