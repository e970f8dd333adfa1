"""The back-office and public screens of the enforcement basis, driven through the client."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from basis.models import BasisCatalogue
from workflow.review import ReviewStatus

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions


@pytest.fixture
def draft(city):
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(name="中华人民共和国食品安全法"), provisions="第三十五条")
    return catalogue


def test_editor_builds_and_submits_through_the_screens(login, users, city, draft):
    client = login(users.editor_a)
    instrument = InstrumentFactory(name="中华人民共和国广告法")
    provisions(instrument, "第五十五条")
    response = client.post(
        f"/office/basis/catalogues/{draft.pk}/entries/new/",
        {
            "instrument": instrument.pk,
            "provisions": "第五十五条",
            "category": "sole",
            "lead_department": city.dept_a.pk,
            "rights_and_duties": "对虚假广告予以处罚",
            "subject_kind": "statutory_organ",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/office/basis/catalogues/{draft.pk}/")
    assert "中华人民共和国广告法" in page.content.decode()
    assert "第五十五条" in page.content.decode()
    response = client.post(f"/office/basis/catalogues/{draft.pk}/transition/submit/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED


def test_entry_form_refuses_an_unknown_provision_with_a_clear_message(login, users, city, draft):
    client = login(users.editor_a)
    instrument = InstrumentFactory(name="某条例")
    response = client.post(
        f"/office/basis/catalogues/{draft.pk}/entries/new/",
        {"instrument": instrument.pk, "provisions": "第九条", "category": "sole",
         "lead_department": city.dept_a.pk, "subject_kind": "statutory_organ"},
    )
    assert response.status_code == 200
    assert "某条例" in response.context["form"].errors["provisions"][0]
    assert "第九条" in response.context["form"].errors["provisions"][0]
    assert draft.entries.count() == 1


def test_wrong_transition_is_refused_with_a_reason(login, users, city, draft):
    client = login(users.city_reviewer)
    draft.status = ReviewStatus.SUBMITTED
    draft.save()
    response = client.post(f"/office/basis/catalogues/{draft.pk}/transition/approve/", follow=True)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED
    messages = [str(m) for m in response.context["messages"]]
    assert any("已提交" in m or "Submitted" in m for m in messages), messages


@pytest.mark.parametrize("user_key, expected", [
    ("editor_a", 200), ("head_a", 200), ("editor_b", 404), ("city_reviewer", 404),
    ("county_reviewer", 404), ("sysadmin", 403), ("auditadmin", 403),
])
def test_a_draft_is_the_department_s_alone(login, users, draft, user_key, expected):
    client = login(getattr(users, user_key))
    assert client.get(f"/office/basis/catalogues/{draft.pk}/").status_code == expected
    assert client.get(f"/api/basis/catalogues/{draft.pk}/").status_code == expected
    assert client.get(f"/office/basis/catalogues/{draft.pk}/export.xlsx").status_code == expected


def test_unpublished_catalogue_never_reaches_the_portal(client, city, draft):
    assert "中华人民共和国食品安全法" not in client.get(f"/departments/{city.dept_a.code}/catalogue/").content.decode()
    assert "中华人民共和国食品安全法" not in client.get("/catalogues/search/?q=食品").content.decode()
    draft.status = ReviewStatus.PUBLISHED
    draft.save()
    assert "中华人民共和国食品安全法" in client.get(f"/departments/{city.dept_a.code}/catalogue/").content.decode()


def _grow(city, n):
    from organisations.models import SubjectKind

    from ..factories import OrganisationFactory

    for i in range(n):
        department = OrganisationFactory(parent=city.city, code=f"G{n}-{i}", subject_kind=SubjectKind.STATUTORY_ORGAN)
        catalogue = CatalogueFactory(department=department, status=ReviewStatus.SUBMITTED)
        EntryFactory(catalogue=catalogue, provisions="第一条")
        EntryFactory(catalogue=catalogue)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user_key, url", [
    ("city_reviewer", "/office/basis/catalogues/"),
    ("city_reviewer", "/api/basis/catalogues/"),
    ("city_reviewer", "/office/basis/compilation/"),
    (None, "/catalogues/"),
    (None, "/catalogues/search/?q=测试"),
])
def test_list_pages_run_constant_queries(client, login, users, city, user_key, url):
    if user_key:
        client = login(getattr(users, user_key))
    _grow(city, 3)
    small = _count(client, url)
    _grow(city, 12)
    assert _count(client, url) == small


def _fill(catalogue, city, n):
    """``n`` entries with everything the catalogue page shows of one: provisions, partners on
    both sides, a comment and an establishment office's opinion."""
    from basis.models import EstablishmentOpinion, ReviewComment

    from ..factories import UserFactory

    author = UserFactory()
    for _ in range(n):
        entry = EntryFactory(catalogue=catalogue, provisions="第一条、第二条", category="joint",
                             joint_departments=[city.dept_b], assisting_departments=[city.dept_x1])
        ReviewComment.objects.create(catalogue=catalogue, entry=entry, author=author, body="请核对")
        EstablishmentOpinion.objects.create(catalogue=catalogue, entry=entry, author=author, verdict="agree")


def test_catalogue_page_runs_constant_queries(login, users, city):
    """The office's view of a catalogue: the same number of queries for 3 entries as for 40
    (a page of 50), each with provisions, partners, a comment and an opinion; and they show."""
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW)
    client = login(users.city_reviewer)
    url = f"/office/basis/catalogues/{catalogue.pk}/"
    _fill(catalogue, city, 3)
    client.get(url)  # the findings cached, as between two changes
    small = _count(client, url)
    _fill(catalogue, city, 37)
    client.get(url)
    assert _count(client, url) == small
    page = client.get(url).content.decode()
    assert page.count('<td data-label="条款">第一条、第二条</td>') == 40  # the entries' cells, not the findings naming them
    assert page.count(city.dept_x1.name) >= 40
    assert page.count("请核对") == 40


def test_export_is_on_record(login, users, draft):
    client = login(users.editor_a)
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.get(f"/office/basis/catalogues/{draft.pk}/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before + 1


def test_amendment_screen_flags_catalogues(login, users, city):
    published = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    entry = EntryFactory(catalogue=published)
    client = login(users.city_reviewer)
    response = client.post(
        f"/office/basis/instruments/{entry.instrument.pk}/amend/",
        {"to_status": "amended", "note": "第十条修改"},
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.needs_revision
    editor = login(users.editor_a)
    assert "第十条修改" in editor.get(f"/office/basis/catalogues/{published.pk}/").content.decode()


def test_api_transition_refusal_is_409_with_reason(api_client, users, draft):
    api_client.force_authenticate(users.city_reviewer)
    draft.status = ReviewStatus.SUBMITTED
    draft.save()
    response = api_client.post(f"/api/basis/catalogues/{draft.pk}/publish/")
    assert response.status_code == 409
    assert response.json()["detail"]
    api_client.force_authenticate(users.editor_b)
    assert api_client.post(f"/api/basis/catalogues/{draft.pk}/submit/").status_code == 404
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.post(f"/api/basis/catalogues/{draft.pk}/start-review/").status_code == 200
    assert BasisCatalogue.objects.get(pk=draft.pk).status == ReviewStatus.UNDER_REVIEW


@pytest.mark.parametrize("name, content, accepted", [
    ("text.pdf", b"%PDF-1.7 body", True),
    ("text.txt", "中华人民共和国食品安全法全文".encode(), True),
    ("text.pdf", b"MZ\x90\x00 an executable", False),
    ("text.docx", b"%PDF-1.7 a pdf named docx", False),
])
def test_entry_attachment_is_checked_by_its_bytes(login, users, city, draft, name, content, accepted):
    from django.core.files.uploadedfile import SimpleUploadedFile

    entry = draft.entries.get()
    client = login(users.editor_a)
    response = client.post(
        f"/office/basis/catalogues/{draft.pk}/entries/{entry.pk}/",
        {"instrument": entry.instrument_id, "category": "sole", "lead_department": city.dept_a.pk,
         "subject_kind": "statutory_organ", "attachment": SimpleUploadedFile(name, content)},
    )
    entry.refresh_from_db()
    assert bool(entry.attachment) is accepted
    assert response.status_code == (302 if accepted else 200)
    if accepted:
        download = client.get(f"/office/basis/catalogues/{draft.pk}/entries/{entry.pk}/text/")
        assert b"".join(download.streaming_content) == content
        other = Client()
        other.force_login(users.editor_b)
        assert other.get(f"/office/basis/catalogues/{draft.pk}/entries/{entry.pk}/text/").status_code == 404


def test_cached_findings_follow_every_change(users, city):
    from basis import services
    from basis.checks import cached_findings_for_catalogue

    food = InstrumentFactory(name="中华人民共和国食品安全法")
    other = CatalogueFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=other, instrument=food)
    mine = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=mine, instrument=InstrumentFactory())
    assert cached_findings_for_catalogue(mine) == []
    services.entry_create(
        actor=users.editor_a,
        catalogue=mine,
        data=services.EntryData(
            instrument=food, category="sole", lead_department=city.dept_a, provisions=[],
            joint_departments=[], assisting_departments=[],
        ),
    )
    assert [f.kind for f in cached_findings_for_catalogue(mine)] == ["multi_head"]
    from basis.models import InstrumentStatus

    services.instrument_record_status(actor=users.city_reviewer, instrument=food, to_status=InstrumentStatus.REPEALED, note="废止")
    assert sorted(f.kind for f in cached_findings_for_catalogue(mine)) == ["multi_head", "repealed"]


def test_home_page_lists_what_awaits_each_user(users, city):
    CatalogueFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    CatalogueFactory(department=city.dept_x1, status=ReviewStatus.SUBMITTED)  # the county's to review
    CatalogueFactory(department=city.dept_b, status=ReviewStatus.RETURNED)

    def awaiting(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        client.post("/i18n/setlang/", {"language": "en"})
        response = client.get("/office/")
        return {str(item["label"]): item["count"] for item in response.context["awaiting"]}

    assert awaiting(users.city_reviewer)["Catalogues awaiting review"] == 1
    assert awaiting(users.county_reviewer)["Catalogues awaiting review"] == 1
    assert awaiting(users.editor_b)["Catalogue versions to complete or fix"] == 1
    assert awaiting(users.editor_a)["Catalogue versions to complete or fix"] == 0


def test_office_adds_an_instrument_with_its_articles(users, city):
    from basis.models import LegalInstrument

    office = Client()
    office.force_login(users.city_reviewer)
    response = office.post("/office/basis/instruments/new/", {
        "code": "LR-GS-001", "name": "甘肃省食品小作坊小经营店小摊点管理条例", "level": "local_regulation",
        "issuing_organ": "甘肃省人民代表大会常务委员会", "articles": 5,
    })
    assert response.status_code == 302
    instrument = LegalInstrument.objects.get(code="LR-GS-001")
    assert list(instrument.provisions.values_list("article", flat=True)) == [1, 2, 3, 4, 5]
    assert "第五条" in office.get(f"/office/basis/instruments/{instrument.pk}/").content.decode()
    editor = Client()
    editor.force_login(users.editor_a)
    assert editor.get("/office/basis/instruments/new/").status_code == 403
    assert editor.get(f"/office/basis/instruments/{instrument.pk}/").status_code == 200
