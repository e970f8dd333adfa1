"""The back-office screens: scoping (another department's breakdown is not found), the editor's
forms, and the office's review and completeness report."""

import pytest

from audit.models import AuditEvent
from authority.models import Breakdown, CertificateStatus
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions
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


@pytest.fixture
def breakdown(city):
    instrument = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=instrument, provisions="第十条")
    breakdown = BreakdownFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    power = PowerFactory(breakdown=breakdown, provisions=provisions(instrument, "第十条"))
    post = PostFactory(agency=city.agency_a)
    assign(power, post)
    return breakdown


def _pages(breakdown):
    power = breakdown.powers.get()
    return [
        f"/office/authority/breakdowns/{breakdown.pk}/",
        f"/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/",
        f"/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/flowchart.svg",
    ]


@pytest.mark.parametrize(
    "user, expected",
    [
        ("editor_a", 200), ("head_a", 200), ("city_reviewer", 200), ("establishment", 200),
        ("editor_b", 404), ("county_reviewer", 404), ("sysadmin", 403), ("auditadmin", 403),
    ],
)
def test_breakdown_pages_scoped(client, login, users, breakdown, user, expected):
    login(getattr(users, user))
    for path in _pages(breakdown):
        assert client.get(path).status_code == expected, path
    if expected == 404:
        assert AuditEvent.objects.filter(action="permission_denied", actor=getattr(users, user)).exists()


def test_office_does_not_see_drafts(client, login, users, city):
    draft = BreakdownFactory(department=city.dept_a)
    login(users.city_reviewer)
    assert client.get(f"/office/authority/breakdowns/{draft.pk}/").status_code == 404


def test_department_index_redirects_to_its_breakdown(client, login, users, breakdown):
    login(users.editor_a)
    response = client.get("/office/authority/")
    assert response.status_code == 302 and response["Location"] == f"/office/authority/breakdowns/{breakdown.pk}/"


def test_editor_builds_a_breakdown_through_the_screens(client, login, users, city):
    instrument = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=instrument, provisions="第十条")
    outside = InstrumentFactory(name="测试林业条例")
    provisions(outside, "第三条")
    login(users.editor_a)
    assert client.post("/office/authority/start/").status_code == 302
    breakdown = Breakdown.objects.get(department=city.dept_a)
    form = {
        "name": "未经许可从事经营活动的处罚", "code": "330217001000", "kind": kind("penalty").pk,
        "enforcing_organ": city.dept_a.pk, "handling_agency": city.agency_a.pk,
        "basis": "《测试林业条例》第三条", "accountability_grounds": "滥用职权的",
    }
    refused = client.post(f"/office/authority/breakdowns/{breakdown.pk}/powers/new/", form)
    assert refused.status_code == 200
    assert "《测试林业条例》" in refused.content.decode() and "not in the current basis catalogue" in refused.content.decode()
    bad_article = client.post(f"/office/authority/breakdowns/{breakdown.pk}/powers/new/", {**form, "basis": "《测试市场监督条例》第九十九条"})
    assert "has no 第九十九条" in bad_article.content.decode()
    response = client.post(f"/office/authority/breakdowns/{breakdown.pk}/powers/new/", {**form, "basis": "《测试市场监督条例》第十条"})
    power = breakdown.powers.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/powers/{power.pk}/")

    assert client.post("/office/authority/posts/", {"agency": city.agency_a.pk, "name": "案件办理岗", "positions": 2}).status_code == 302
    post = city.agency_a.posts.get()
    client.post(f"/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/assign/", {"post": post.pk, "role": "handling"})
    assert list(power.assignments.values_list("post_id", "role")) == [(post.pk, "handling")]

    steps = {
        "form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "50",
        "form-0-stage": kind_stage("filing"), "form-0-post": post.pk, "form-0-duty": "十个工作日内予以立案",
        "form-0-time_limit": "10", "form-0-time_unit": "working_days",
        "form-1-stage": kind_stage("decision"), "form-1-time_unit": "calendar_days", "form-1-time_limit": "30",
        "form-2-time_unit": "working_days",
    }
    assert client.post(f"/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/procedure/", steps).status_code == 302
    assert list(power.steps.values_list("order", "stage__code", "time_limit")) == [(1, "filing", 10), (2, "decision", 30)]
    page = client.get(f"/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/").content.decode()
    assert page.count('<g class="step"') == 2 and "十个工作日内予以立案" in page

    client.post(f"/office/authority/breakdowns/{breakdown.pk}/transition/submit/")
    breakdown.refresh_from_db()
    assert breakdown.status == ReviewStatus.SUBMITTED


def kind_stage(code):
    from authority.models import ProcedureStage

    return ProcedureStage.objects.get(code=code).pk


def test_office_reviews_through_the_same_transitions(client, login, users, breakdown):
    login(users.city_reviewer)
    for name in ("start_review", "approve", "publish"):
        client.post(f"/office/authority/breakdowns/{breakdown.pk}/transition/{name}/")
    breakdown.refresh_from_db()
    assert breakdown.status == ReviewStatus.PUBLISHED


def test_editor_cannot_decide(client, login, users, breakdown):
    login(users.editor_a)
    assert client.post(f"/office/authority/breakdowns/{breakdown.pk}/transition/start_review/").status_code == 403
    breakdown.refresh_from_db()
    assert breakdown.status == ReviewStatus.SUBMITTED


def test_officer_screens_and_certificate_actions(client, login, users, city):
    officer = OfficerFactory(department=city.dept_a, name="王明")
    certificate = CertificateFactory(officer=officer)
    login(users.editor_a)
    page = client.get(f"/office/authority/officers/{officer.pk}/").content.decode()
    assert "王明" in page and certificate.number in page
    assert client.post(f"/office/authority/certificates/{certificate.pk}/revoke/", {"reason": "x"}).status_code == 403
    client.logout()
    login(users.city_reviewer)
    client.post(f"/office/authority/certificates/{certificate.pk}/revoke/", {"reason": "取消执法资格"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    client.logout()
    login(users.editor_b)
    assert client.get(f"/office/authority/officers/{officer.pk}/").status_code == 404


def test_officer_lists_do_not_show_id_numbers(client, login, users, city):
    OfficerFactory(department=city.dept_a, id_number="110101199001011234")
    login(users.editor_a)
    for path in ("/office/authority/officers/",):
        assert "110101199001011234" not in client.get(path).content.decode()


def test_completeness_report(client, login, users, breakdown, city):
    PowerFactory(breakdown=breakdown, name="没人管的职权")
    other = BreakdownFactory(department=city.dept_x1, status=ReviewStatus.SUBMITTED)
    PowerFactory(breakdown=other, name="县里的职权")
    login(users.city_reviewer)
    page = client.get("/office/authority/completeness/").content.decode()
    assert "没人管的职权" in page and "县里的职权" in page
    client.logout()
    login(users.editor_b)
    page = client.get("/office/authority/completeness/").content.decode()
    assert "没人管的职权" not in page


def test_breakdown_page_query_count_is_constant(client, login, users, breakdown, city, django_assert_max_num_queries):
    login(users.editor_a)
    path = f"/office/authority/breakdowns/{breakdown.pk}/"
    client.get(path)
    officer = OfficerFactory(department=city.dept_a)
    place(officer, breakdown.powers.get().assignments.get().post)
    with django_assert_max_num_queries(40) as few:
        client.get(path)
    for _ in range(30):
        power = PowerFactory(breakdown=breakdown)
        assign(power, PostFactory(agency=city.agency_a))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_removal_from_post_screen(client, login, users, city):
    officer = OfficerFactory(department=city.dept_a)
    placement = place(officer, PostFactory(agency=city.agency_a))
    login(users.editor_b)
    assert client.post(f"/office/authority/officers/{officer.pk}/placements/{placement.pk}/end/").status_code == 404
    client.logout()
    login(users.editor_a)
    assert client.post(f"/office/authority/officers/{officer.pk}/placements/{placement.pk}/end/").status_code == 302
    placement.refresh_from_db()
    assert placement.until is not None


def test_breakdown_page_findings_table_follows_every_change(client, login, users, breakdown, city, django_capture_on_commit_callbacks):
    """The findings table is rendered once per change of the data it reads (issue 17): a power
    left without a post shows at once, and goes once it has one."""
    login(users.editor_a)
    path = f"/office/authority/breakdowns/{breakdown.pk}/"
    assert "is assigned to no post" not in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        lonely = PowerFactory(breakdown=breakdown, name="没有岗位的职权")
    page = client.get(path).content.decode()
    assert f"Power {lonely.code} 没有岗位的职权 is assigned to no post." in page
    with django_capture_on_commit_callbacks(execute=True):
        assign(lonely, PostFactory(agency=city.agency_a))
    assert "is assigned to no post" not in client.get(path).content.decode()


def test_breakdown_page_rows_show_basis_posts_and_links(client, login, users, breakdown, city):
    """Each row: the power's form link, kind, basis in the registry's order, posts with their role."""
    other = InstrumentFactory(name="另一条例")
    power = breakdown.powers.get()
    power.provisions.add(*provisions(other, "第二条"))
    assign(power, PostFactory(agency=city.agency_a, name="审核岗"), role="review")
    login(users.editor_a)
    page = client.get(f"/office/authority/breakdowns/{breakdown.pk}/").content.decode()
    assert f'<a href="/office/authority/breakdowns/{breakdown.pk}/powers/{power.pk}/">{power.name}</a>' in page
    shown = [page.index(f"《{p.instrument.name}》{p.label}") for p in power.provisions.select_related("instrument")]
    assert len(shown) == 2 and shown == sorted(shown)  # the registry's order (Provision.Meta.ordering)
    assert '审核岗 <span class="muted">Review</span>' in page and '<span class="muted">Handling</span>' in page
    assert power.kind.name in page


def test_breakdown_page_query_count_does_not_grow_with_powers(client, login, users, breakdown, city, django_assert_num_queries, django_assert_max_num_queries, settings):
    settings.SESSION_REFRESH_SECONDS = 3600  # however slow the machine, no refresh of the session in between
    login(users.editor_a)
    path = f"/office/authority/breakdowns/{breakdown.pk}/"
    client.get(path)
    client.get(path)
    with django_assert_max_num_queries(40) as captured:
        client.get(path)
    few = captured.captured_queries
    for _ in range(60):
        power = PowerFactory(breakdown=breakdown, provisions=provisions(InstrumentFactory(), "第一条"))
        assign(power, PostFactory(agency=city.agency_a))
    client.get(path)  # the findings change: computed and cached again
    with django_assert_num_queries(len(few)):
        assert client.get(path).status_code == 200
    with django_assert_num_queries(len(few)):
        assert client.get(path + "?page=2").status_code == 200
