"""The back-office screens: scoping (another department's set is not found, offices see no
drafts), the editor's forms, the transitions, the supporting-rule register with its documents,
the coverage page, and lists built in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from responsibility.models import EnforcementStandard, HolderLevel, Responsibility, ResponsibilitySet, SupportingRule
from tests.authority.factories import PostFactory
from tests.factories import OrganisationFactory
from workflow.review import ReviewStatus

from .factories import (
    ResponsibilityFactory,
    ResponsibilitySetFactory,
    StandardFactory,
    SupportingRuleFactory,
    breakdown_with,
    responsibility_kind,
    stage,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def submitted(city):
    breakdown_with(city.dept_a, codes=("P-1",))
    responsibility_set = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    item = ResponsibilityFactory(responsibility_set=responsibility_set, power_code="P-1")
    standard = StandardFactory(responsibility_set=responsibility_set)
    return responsibility_set, item, standard


def _pages(responsibility_set):
    return [f"/office/responsibility/sets/{responsibility_set.pk}/"]


@pytest.mark.parametrize(
    "user, expected",
    [
        ("editor_a", 200), ("head_a", 200), ("city_reviewer", 200), ("establishment", 200),
        ("editor_b", 404), ("county_reviewer", 404), ("sysadmin", 403), ("auditadmin", 403),
    ],
)
def test_set_page_scoped(client, login, users, submitted, user, expected):
    login(getattr(users, user))
    for path in _pages(submitted[0]):
        assert client.get(path).status_code == expected, path
    if expected == 404:
        assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=getattr(users, user)).exists()


def test_another_departments_draft_is_not_found(client, login, users, city):
    draft = ResponsibilitySetFactory(department=city.dept_a)
    item = ResponsibilityFactory(responsibility_set=draft)
    login(users.editor_b)
    for path in (
        f"/office/responsibility/sets/{draft.pk}/",
        f"/office/responsibility/sets/{draft.pk}/responsibilities/{item.pk}/",
        f"/office/responsibility/sets/{draft.pk}/standards/new/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/office/responsibility/sets/{draft.pk}/responsibilities/{item.pk}/delete/").status_code == 404
    assert client.post(f"/office/responsibility/sets/{draft.pk}/transition/submit/").status_code == 404
    assert Responsibility.objects.filter(pk=item.pk).exists()


def test_office_sees_no_drafts(client, login, users, city):
    draft = ResponsibilitySetFactory(department=city.dept_a)
    login(users.city_reviewer)
    assert client.get(f"/office/responsibility/sets/{draft.pk}/").status_code == 404
    assert draft.department.name not in client.get("/office/responsibility/?status=").content.decode()


def test_office_queue_filters_and_searches(client, login, users, city):
    ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    ResponsibilitySetFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    login(users.city_reviewer)
    queue = client.get("/office/responsibility/").content.decode()
    assert "测试市市场监督管理局" in queue and "测试市卫生健康委员会" not in queue
    published = client.get("/office/responsibility/?status=published").content.decode()
    assert "测试市卫生健康委员会" in published and "测试市市场监督管理局" not in published
    searched = client.get("/office/responsibility/?status=&q=卫生").content.decode()
    assert "测试市卫生健康委员会" in searched and "测试市市场监督管理局" not in searched
    assert "No responsibility set matches." in client.get("/office/responsibility/?q=不存在").content.decode()


def test_editor_builds_and_submits_a_set_through_the_screens(client, login, users, city):
    breakdown_with(city.dept_a, codes=("P-1",))
    post = PostFactory(agency=city.agency_a, name="案件承办岗")
    login(users.editor_a)
    assert "No responsibility set yet" in client.get("/office/responsibility/").content.decode()
    assert client.post("/office/responsibility/start/").status_code == 302
    draft = ResponsibilitySet.objects.get(department=city.dept_a)
    base = f"/office/responsibility/sets/{draft.pk}"
    form = {
        "level": HolderLevel.POST, "post": post.pk, "kind": responsibility_kind().pk,
        "power_code": "P-1", "stage": stage("decision").pk, "content": "对符合立案条件的，十个工作日内予以立案。",
    }
    refused = client.post(f"{base}/responsibilities/new/", form)
    assert refused.status_code == 200 and "is not a step of the procedure" in refused.content.decode()
    response = client.post(f"{base}/responsibilities/new/", {**form, "stage": stage("filing").pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    item = draft.responsibilities.get()
    assert item.post == post and item.agency == city.agency_a
    standard_form = {
        "power_code": "P-1", "title": "未经许可经营的裁量基准", "note": "",
        "bands-TOTAL_FORMS": "3", "bands-INITIAL_FORMS": "0", "bands-MIN_NUM_FORMS": "0", "bands-MAX_NUM_FORMS": "30",
        "bands-0-order": "1", "bands-0-label": "轻微", "bands-0-circumstances": "首次违法，及时改正", "bands-0-measure": "不予处罚",
        "bands-1-order": "1", "bands-1-label": "一般", "bands-1-circumstances": "货值不足一万元", "bands-1-measure": "罚款五万元以上十万元以下",
        "bands-2-order": "", "bands-2-label": "", "bands-2-circumstances": "", "bands-2-measure": "",
    }
    refused = client.post(f"{base}/standards/new/", standard_form)
    assert "1 is used more than once" in refused.content.decode()
    response = client.post(f"{base}/standards/new/", {**standard_form, "bands-1-order": "2"})
    assert response.status_code == 302
    standard = EnforcementStandard.objects.get()
    assert [b.label for b in standard.bands.order_by("order")] == ["轻微", "一般"]
    edit = client.get(f"{base}/standards/{standard.pk}/").content.decode()
    assert "货值不足一万元" in edit
    page = client.get(f"{base}/").content.decode()
    assert "执法稽查科 · 案件承办岗" in page and "职权P-1的处罚" in page and "罚款五万元以上十万元以下" in page
    assert 'data-confirm' in page
    response = client.post(f"{base}/transition/submit/", follow=True)
    assert "The responsibility set is now Submitted." in response.content.decode()
    # Submitted: the forms are closed.
    assert client.get(f"{base}/responsibilities/new/").status_code == 403


def test_reviewer_return_needs_a_comment_and_wrong_state_says_why(client, login, users, submitted):
    responsibility_set = submitted[0]
    login(users.city_reviewer)
    base = f"/office/responsibility/sets/{responsibility_set.pk}"
    response = client.post(f"{base}/transition/approve/", follow=True)
    assert "Cannot Approve a record that is Submitted" in response.content.decode()
    client.post(f"{base}/transition/start_review/")
    response = client.post(f"{base}/transition/return/", {"comment": ""}, follow=True)
    assert "Say why the responsibility set is returned." in response.content.decode()
    client.post(f"{base}/transition/return/", {"comment": "请细化调查取证责任"})
    responsibility_set.refresh_from_db()
    assert responsibility_set.status == ReviewStatus.RETURNED
    assert "请细化调查取证责任" in client.get(f"{base}/").content.decode()
    assert client.post(f"{base}/transition/nonsense/").status_code == 404


def test_editor_deletes_a_responsibility_and_a_standard(client, login, users, city):
    breakdown_with(city.dept_a, codes=("P-1",))
    draft = ResponsibilitySetFactory(department=city.dept_a)
    item = ResponsibilityFactory(responsibility_set=draft)
    standard = StandardFactory(responsibility_set=draft)
    login(users.editor_a)
    client.post(f"/office/responsibility/sets/{draft.pk}/responsibilities/{item.pk}/delete/")
    client.post(f"/office/responsibility/sets/{draft.pk}/standards/{standard.pk}/delete/")
    assert not draft.responsibilities.exists() and not draft.standards.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 2


# -- Supporting rules -------------------------------------------------------------------------


def test_rule_register_upload_and_download(client, login, users, city):
    login(users.editor_a)
    assert client.get("/office/responsibility/rules/")["Location"] == f"/office/responsibility/rules/{city.dept_a.pk}/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("制度.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    base = f"/office/responsibility/rules/{city.dept_a.pk}"
    data = {"kind": "post_responsibility", "title": "行政执法岗位责任制度", "document_number": "测市监发〔2024〕1号",
            "adopted_on": "2024-03-15", "status": "in_force", "note": ""}
    fake = SimpleUploadedFile("制度.pdf", b"GIF89a", content_type="application/pdf")
    refused = client.post(f"{base}/new/", {**data, "document": fake})
    assert "content is not a PDF document" in refused.content.decode()
    assert client.post(f"{base}/new/", {**data, "document": pdf}).status_code == 302
    rule = SupportingRule.objects.get()
    listing = client.get(f"{base}/").content.decode()
    assert "行政执法岗位责任制度" in listing and "Download" in listing
    download = client.get(f"{base}/{rule.pk}/document/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(rule.pk)).exists()
    client.post(f"{base}/{rule.pk}/status/", {"status": "repealed"})
    rule.refresh_from_db()
    assert rule.status == "repealed"


def test_rule_register_lists_kinds_in_the_plans_order_under_one_current_menu_entry(client, login, users, city):
    """The plan's order (post responsibility first, rewards last), not the codes' alphabet; the
    newest rule of a kind first. Only 配套制度 is the current menu entry, although its address
    lies under that of 执法责任."""
    import datetime

    rewards = SupportingRuleFactory(department=city.dept_a, kind="rewards", title="奖励办法")
    old = SupportingRuleFactory(department=city.dept_a, kind="enforcement_procedure", title="旧程序规定",
                                adopted_on=datetime.date(2019, 5, 20))
    new = SupportingRuleFactory(department=city.dept_a, kind="enforcement_procedure", title="新程序规定")
    post = SupportingRuleFactory(department=city.dept_a, kind="post_responsibility", title="岗位责任制度")
    agency = SupportingRuleFactory(department=city.dept_a, kind="agency_management", title="机构管理办法")
    login(users.editor_a)

    page = client.get(f"/office/responsibility/rules/{city.dept_a.pk}/")

    assert [rule.pk for rule in page.context["page"].object_list] == [post.pk, new.pk, old.pk, agency.pk, rewards.pk]
    assert [item["url"] for item in page.context["nav"] if item["active"]] == ["/office/responsibility/rules/"]
    api = client.get("/api/responsibility/supporting-rules/").json()["results"]
    assert [row["id"] for row in api] == [post.pk, new.pk, old.pk, agency.pk, rewards.pk]


def test_rule_register_scoped(client, login, users, city):
    rule = SupportingRuleFactory(department=city.dept_a)
    base = f"/office/responsibility/rules/{city.dept_a.pk}"
    login(users.editor_b)
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/{rule.pk}/document/").status_code == 404
    client.logout()
    login(users.city_reviewer)
    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"{base}/new/").status_code == 403
    assert client.post(f"{base}/{rule.pk}/status/", {"status": "repealed"}).status_code == 403
    client.logout()
    login(users.sysadmin)
    assert client.get(f"{base}/").status_code == 403


def test_coverage_page(client, login, users, city):
    SupportingRuleFactory(department=city.dept_a, kind="appraisal")
    login(users.city_reviewer)
    page = client.get("/office/responsibility/coverage/").content.decode()
    assert "测试市市场监督管理局" in page and "甲县市场监督管理局" in page
    # The entrusted 执法支队 and the county governments keep the eight rules too (§5(二)).
    assert "测试市市场监管执法支队" in page and "甲县人民政府" in page and "乙县人民政府" in page
    assert f"/office/responsibility/rules/{city.dept_a.pk}/" in page
    county = client.get("/office/responsibility/coverage/?government=X").content.decode()
    assert "甲县市场监督管理局" in county and "测试市市场监督管理局" not in county
    client.logout()
    login(users.county_reviewer)
    assert "测试市市场监督管理局" not in client.get("/office/responsibility/coverage/").content.decode()


# -- Query counts -----------------------------------------------------------------------------


def _count(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), len(response.content)


def _grow(city, responsibility_set, n, offset):
    post = PostFactory(agency=city.agency_a)
    for i in range(n):
        department = OrganisationFactory(parent=city.city, code=f"C-G{offset + i}", name=f"测试局{offset + i}")
        ResponsibilitySetFactory(department=department, status=ReviewStatus.SUBMITTED)
        SupportingRuleFactory(department=department, kind="appraisal")
        SupportingRuleFactory(department=city.dept_a, kind="rewards")
        ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUPERSEDED)
        ResponsibilityFactory(responsibility_set=responsibility_set, level=HolderLevel.POST, agency=city.agency_a, post=post, power_code="P-1")
        ResponsibilityFactory(responsibility_set=responsibility_set, level=HolderLevel.AGENCY, agency=city.agency_a, power_code="P-1")
        StandardFactory(responsibility_set=responsibility_set, bands=3)


@pytest.mark.parametrize(
    "user, path",
    [
        ("city_reviewer", "/office/responsibility/"),
        ("city_reviewer", "/office/responsibility/coverage/"),
        ("city_reviewer", "SET"),
        ("editor_a", "SET"),
        ("editor_a", "/office/responsibility/"),
        ("editor_a", "RULES"),
    ],
)
def test_list_query_count_is_constant(client, login, users, city, submitted, user, path):
    responsibility_set = submitted[0]
    path = {"SET": f"/office/responsibility/sets/{responsibility_set.pk}/",
            "RULES": f"/office/responsibility/rules/{city.dept_a.pk}/"}.get(path, path)
    login(getattr(users, user))
    _grow(city, responsibility_set, 1, 100)  # every list has rows, so both sizes run the same queries
    client.get(path)
    few, short = _count(client, path)
    _grow(city, responsibility_set, 12, 0)
    many, long = _count(client, path)
    assert long > short + 1000, "the page did not grow"
    assert many == few


def test_county_government_rules_page_is_open_to_its_offices(client, users, city):
    """The coverage links to a county government's register: its offices see it, other
    departments do not."""
    SupportingRuleFactory(department=city.county_x, kind="appraisal", title="甲县人民政府行政执法评议考核制度")
    client.force_login(users.county_reviewer)
    page = client.get(f"/office/responsibility/rules/{city.county_x.pk}/")
    assert page.status_code == 200 and "甲县人民政府行政执法评议考核制度" in page.content.decode()
    client.force_login(users.editor_a)
    assert client.get(f"/office/responsibility/rules/{city.county_x.pk}/").status_code == 404
