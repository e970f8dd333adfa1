"""Who sees what, through the pages: scoping by role (a department head of another department
gets 404, the administrators see none), an audit event per case view, the list's constant
query count, the forms (bad input saves nothing), evidence uploads and downloads."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability import services
from accountability.models import Case, CaseStatus, Evidence, Measure
from audit.models import AuditAction, AuditEvent
from authority.models import CertificateStatus

from .conftest import add_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cases(open_case, users, city):
    a = open_case()
    b = open_case(department=city.dept_b)
    x = services.case_open(actor=users.county_reviewer, department=city.dept_x1, source_kind="spot_check",
                           source_text="案卷评查发现", act="违法送达", register=True)
    return a, b, x


def _listed(client, user):
    client.force_login(user)
    response = client.get("/office/accountability/")
    return response.status_code, {c.number for c in response.context["page"].object_list} if response.status_code == 200 else set()


def test_scoping_of_the_list(client, cases, users, more_users):
    a, b, x = cases
    assert _listed(client, users.city_reviewer) == (200, {a.number, b.number, x.number})
    assert _listed(client, users.county_reviewer) == (200, {x.number})
    assert _listed(client, users.head_a) == (200, {a.number})
    assert _listed(client, more_users.head_b) == (200, {b.number})
    for who in (users.editor_a, users.establishment, users.sysadmin, users.secadmin, users.auditadmin):
        assert _listed(client, who) == (403, set()), who.username


@pytest.mark.parametrize("who,status", [
    ("city_reviewer", 200), ("head_a", 200), ("head_b", 404), ("head_x1", 404), ("county_reviewer", 404),
    ("editor_a", 403), ("establishment", 403), ("sysadmin", 403), ("secadmin", 403), ("auditadmin", 403),
])
def test_scoping_of_the_case_page(client, cases, users, more_users, who, status):
    a = cases[0]
    user = getattr(users, who, None) or getattr(more_users, who)
    client.force_login(user)
    assert client.get(f"/office/accountability/{a.pk}/").status_code == status
    if status != 200:
        assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=user).exists()


def test_every_view_of_a_case_is_audited(client, cases, users):
    a = cases[0]
    client.force_login(users.head_a)
    for _ in range(2):
        client.get(f"/office/accountability/{a.pk}/")
    views = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="accountability.case", object_id=str(a.pk), actor=users.head_a)
    assert views.count() == 2


def test_the_head_reads_but_does_not_act(client, cases, users):
    a = cases[0]
    client.force_login(users.head_a)
    body = client.get(f"/office/accountability/{a.pk}/").content.decode()
    assert 'id="do-investigate"' not in body
    assert client.post(f"/office/accountability/{a.pk}/transition/investigate/").status_code == 403
    assert Case.objects.get(pk=a.pk).status == CaseStatus.REGISTERED


def test_list_query_count_is_constant(client, open_case, users, officer, django_assert_max_num_queries):
    client.force_login(users.city_reviewer)
    open_case()
    client.get("/office/accountability/")
    with django_assert_max_num_queries(14) as few:
        client.get("/office/accountability/")
    for _ in range(30):
        case = open_case()
        add_person(case, users.city_reviewer, officer=officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/office/accountability/")
    assert len(response.context["page"].object_list) == 31


def test_list_search_and_filter(client, cases, users):
    a, b, x = cases
    services.case_investigate(actor=users.city_reviewer, case=b)
    client.force_login(users.city_reviewer)
    numbers = lambda **q: {c.number for c in client.get("/office/accountability/", q).context["page"].object_list}  # noqa: E731
    assert numbers(q="卫生健康") == {b.number}
    assert numbers(status="investigating") == {b.number}
    assert numbers(status="open") == {a.number, b.number, x.number}
    assert numbers(q=x.number) == {x.number}


def test_open_a_case_through_the_form(client, users, city):
    client.force_login(users.city_reviewer)
    response = client.post("/office/accountability/new/", {
        "department": city.dept_a.pk, "source_kind": "complaint", "source_text": "投诉", "act": "", "register": "on",
    })
    assert response.status_code == 200 and "act" in response.context["form"].errors
    assert not Case.objects.exists()
    response = client.post("/office/accountability/new/", {
        "department": city.dept_x1.pk, "source_kind": "complaint", "source_text": "投诉", "act": "行为",
    })
    assert response.status_code == 200 and "department" in response.context["form"].errors  # a county's: not this office's
    response = client.post("/office/accountability/new/", {
        "department": city.dept_a.pk, "source_kind": "complaint", "source_text": "投诉", "act": "检查未亮证", "register": "on",
    })
    case = Case.objects.get()
    assert response.status_code == 302 and case.status == CaseStatus.REGISTERED


def test_the_decision_form_refuses_a_revocation_that_cannot_apply(client, investigating, users, officer, city):
    """Through the page: the measure form says why, nothing saved."""
    from tests.authority.factories import OfficerFactory

    case = investigating()
    bare = OfficerFactory(department=city.dept_a, name="无证")
    person = add_person(case, users.city_reviewer, officer=bare)
    client.force_login(users.city_reviewer)
    response = client.post(f"/office/accountability/{case.pk}/measures/", {"kind": "revoke", "person": person.pk}, follow=True)
    assert "holds no valid enforcement certificate" in response.content.decode()
    assert not Measure.objects.exists()


def test_decision_form_and_effect(client, investigating, users, officer):
    case = investigating()
    person = add_person(case, users.city_reviewer, officer=officer)
    services.measure_propose(actor=users.city_reviewer, case=case, kind="revoke", person=person)
    services.case_propose(actor=users.city_reviewer, case=case)
    client.force_login(users.city_reviewer)
    page = client.get(f"/office/accountability/{case.pk}/decide/")
    assert page.status_code == 200 and "self_corrected" in page.content.decode()
    response = client.post(f"/office/accountability/{case.pk}/decide/", {"grounds": "", "mitigating": ["force_majeure"]})
    assert response.status_code == 200
    assert {"grounds", "mitigating_note"} <= set(response.context["form"].errors)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID
    response = client.post(f"/office/accountability/{case.pk}/decide/", {"grounds": "事实清楚", "publish": "on", "published_summary": "对某局执法人员取消执法资格"})
    assert response.status_code == 302
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.REVOKED
    # Published: the summary reaches the portal.
    public = client.get("/accountability/", {"tab": "decisions"}).content.decode()
    assert "对某局执法人员取消执法资格" in public and "李执法" not in public


def test_unpublished_decisions_stay_off_the_portal(client, investigating, users, officer):
    case = investigating()
    person = add_person(case, users.city_reviewer, officer=officer)
    from .conftest import decide_with

    decide_with(case, users.city_reviewer, "criticism", person=person)
    assert case.number not in client.get("/accountability/", {"tab": "decisions"}).content.decode()


def test_evidence_is_checked_and_its_download_scoped_and_logged(client, investigating, users, more_users):
    case = investigating()
    client.force_login(users.city_reviewer)
    fake = SimpleUploadedFile("笔录.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(f"/office/accountability/{case.pk}/evidence/", {"title": "询问笔录", "file": fake}, follow=True)
    assert "is not a PDF document" in response.content.decode()
    assert not Evidence.objects.exists()
    good = SimpleUploadedFile("笔录.pdf", PDF, content_type="application/pdf")
    client.post(f"/office/accountability/{case.pk}/evidence/", {"title": "询问笔录", "file": good})
    evidence = Evidence.objects.get()
    url = f"/office/accountability/{case.pk}/evidence/{evidence.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="accountability.evidence", object_id=str(evidence.pk)).exists()
    client.force_login(more_users.head_b)
    assert client.get(url).status_code == 404


def test_extension_form_without_approval_saves_nothing(client, open_case, users):
    case = open_case()
    due = case.decision_due
    client.force_login(users.city_reviewer)
    client.post(f"/office/accountability/{case.pk}/extend/", {"reason": "复杂", "approved_by": ""})
    case.refresh_from_db()
    assert case.decision_due == due and case.extended_on is None


def test_appeal_form_after_the_period(client, investigating, users, officer):
    from .conftest import decide_with, notify

    case = investigating()
    person = add_person(case, users.city_reviewer, officer=officer)
    decide_with(case, users.city_reviewer, "criticism", person=person)
    notify(case, users.city_reviewer)
    case.refresh_from_db()
    client.force_login(users.city_reviewer)
    late = case.appeal_until + datetime.timedelta(days=1)
    import time_machine

    with time_machine.travel(datetime.datetime.combine(late, datetime.time(10))):
        client.force_login(users.city_reviewer)
        response = client.post(f"/office/accountability/{case.pk}/appeal/", {"kind": "complaint", "appellant": "李", "grounds": "不服"})
    assert response.status_code == 200 and "appeal period ended" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTIFIED


def test_home_tiles(client, open_case, users):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 1, 5, 10)):
        open_case()
    open_case()
    client.force_login(users.city_reviewer)
    tiles = {str(t["label"]): t["count"] for t in client.get("/office/").context["awaiting"]}
    assert tiles["Open accountability cases"] == 2
    assert tiles["Accountability decisions overdue"] == 1
    overdue = client.get("/office/accountability/", {"overdue": "1"}).context["page"].object_list
    assert len(overdue) == 1


def test_api_is_scoped_and_audited(api_client, cases, users, more_users):
    a, b, x = cases
    api_client.force_authenticate(users.head_a)
    listed = api_client.get("/api/accountability/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["number"] for r in rows] == [a.number]
    assert api_client.get(f"/api/accountability/cases/{a.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(a.pk), actor=users.head_a).exists()
    assert api_client.get(f"/api/accountability/cases/{b.pk}/").status_code == 404
    assert api_client.post(f"/api/accountability/cases/{a.pk}/transition/", {"transition": "investigate"}).status_code == 403
    api_client.force_authenticate(users.sysadmin)
    assert api_client.get("/api/accountability/cases/").status_code == 403
    api_client.force_authenticate(users.city_reviewer)
    response = api_client.post(f"/api/accountability/cases/{a.pk}/transition/", {"transition": "investigate"})
    assert response.status_code == 200 and response.json()["status"] == "investigating"
    assert api_client.post(f"/api/accountability/cases/{a.pk}/transition/", {"transition": "register"}).status_code == 409
    assert api_client.post(f"/api/accountability/cases/{a.pk}/transition/", {"transition": "dismiss", "reason": ""}).status_code == 409


def test_api_list_query_count_is_constant(api_client, open_case, users, django_assert_max_num_queries):
    api_client.force_authenticate(users.city_reviewer)
    open_case()
    with django_assert_max_num_queries(12) as few:
        api_client.get("/api/accountability/cases/")
    for _ in range(20):
        open_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get("/api/accountability/cases/").status_code == 200


def test_an_officer_with_his_own_login_sees_the_cases_naming_him(client, open_case, users, officer, city):
    from django.core.exceptions import PermissionDenied

    from authority.services import officer_link_account
    from tests.factories import UserFactory

    own = UserFactory(username="li_officer", role="department_editor", organisation=city.dept_a)
    client.force_login(own)
    assert client.get("/office/accountability/").status_code == 403  # an editor sees no case
    with pytest.raises(PermissionDenied):
        officer_link_account(actor=users.editor_b, officer=officer, account=own)
    with pytest.raises(Exception, match="own department"):
        officer_link_account(actor=users.editor_a, officer=officer, account=users.editor_b)
    officer_link_account(actor=users.editor_a, officer=officer, account=own)
    mine, other = open_case(), open_case()
    add_person(mine, users.city_reviewer, officer=officer)
    assert _listed(client, own) == (200, {mine.number})
    assert client.get(f"/office/accountability/{other.pk}/").status_code == 404
    body = client.get(f"/office/accountability/{mine.pk}/").content.decode()
    assert officer.name in body and 'id="do-' not in body


def test_linking_through_the_officer_page(client, users, officer, city):
    from tests.factories import UserFactory

    own = UserFactory(username="li_officer2", role="department_editor", organisation=city.dept_a)
    client.force_login(users.editor_a)
    client.post(f"/office/authority/officers/{officer.pk}/account/", {"account": own.pk})
    officer.refresh_from_db()
    assert officer.account == own


def test_own_officer_id_asks_once_per_user(users, officer, django_assert_num_queries):
    """The menu and the case list both ask; the database is asked once per request's user
    (dict.setdefault evaluated its query on every call)."""
    from accountability.permissions import own_officer_id
    from accounts.models import User

    officer.account = users.editor_a
    officer.save()
    user = User.objects.get(pk=users.editor_a.pk)
    with django_assert_num_queries(1):
        assert own_officer_id(user) == officer.pk
        assert own_officer_id(user) == officer.pk
        assert own_officer_id(user) == officer.pk
