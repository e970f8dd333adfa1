"""The enforcement basis through the API: every endpoint's happy path and its refusals with the
exact status code (403 for the role, 404 outside the scope, 409 for the state, 400 for input),
the public API's view of published catalogues only, import and export, constant query counts,
and an OpenAPI schema that validates without a warning."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from basis.models import BasisCatalogue, CatalogueEntry, CatalogueEvent, ReviewComment, SubmissionDeadline
from organisations.models import OrganisationKind, SubjectKind
from workflow.review import ReviewStatus

from ..factories import OrganisationFactory
from .factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions
from .fixtures.sheets import PNG, row, sheet_values, upload, xlsx_bytes

FOOD = "中华人民共和国食品安全法"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATALOGUES = "/api/basis/catalogues/"

# Anonymous callers get 403, not 401: the first authentication class is the session's, which
# sends no WWW-Authenticate challenge, and DRF answers 401 only with one.
ANONYMOUS = 403

EVERY_ROLE = [
    "editor_a", "editor_b", "head_a", "city_reviewer", "county_reviewer", "establishment",
    "sysadmin", "secadmin", "auditadmin", None,
]


@pytest.fixture
def as_user(users):
    """An API client for a user of the ``users`` fixture (None = anonymous), reading English."""

    def make(key):
        client = APIClient()
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        if key is not None:
            client.force_authenticate(getattr(users, key))
        return client

    return make


@pytest.fixture
def food(db):
    instrument = InstrumentFactory(name=FOOD, code="FOOD")
    provisions(instrument, "第十条、第十二条、第十二条第二款、第三十五条")
    return instrument


@pytest.fixture
def draft(city, food):
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=catalogue, position=1, instrument=food, provisions="第三十五条", rights_and_duties="依法实施食品生产许可")
    return catalogue


def _in(catalogue, status):
    catalogue.status = status
    catalogue.save(update_fields=["status"])
    return catalogue


def denials():
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


# -- Starting a version -----------------------------------------------------------------------


@pytest.mark.parametrize("key, expected", [
    ("editor_a", 201), ("editor_b", 201), ("head_a", 403), ("city_reviewer", 403), ("establishment", 403),
    ("sysadmin", 403), ("auditadmin", 403), (None, ANONYMOUS),
])
def test_start_a_version(as_user, users, key, expected):
    response = as_user(key).post(CATALOGUES)
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["department"] == getattr(users, key).organisation_id


def test_start_copies_the_published_version_and_refuses_a_second_open_one(as_user, city, food):
    published = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=published, instrument=food, provisions="第十条")
    client = as_user("editor_a")
    response = client.post(CATALOGUES)
    assert response.status_code == 201
    assert response.json()["based_on"] == published.pk
    assert BasisCatalogue.objects.get(pk=response.json()["id"]).entries.count() == 1
    again = client.post(CATALOGUES)
    assert again.status_code == 409
    assert again.json() == {"detail": "This department already has a version in progress."}


# -- Reading catalogues -----------------------------------------------------------------------


@pytest.mark.parametrize("key, expected", [
    ("editor_a", 200), ("head_a", 200), ("editor_b", 404), ("city_reviewer", 404), ("county_reviewer", 404),
    ("establishment", 404), ("sysadmin", 403), ("secadmin", 403), ("auditadmin", 403), (None, ANONYMOUS),
])
@pytest.mark.parametrize("suffix", ["", "entries/", "comments/", "findings/", "departments/", "export/"])
def test_a_draft_is_read_by_its_department_alone(as_user, draft, key, expected, suffix):
    assert as_user(key).get(f"{CATALOGUES}{draft.pk}/{suffix}").status_code == expected


@pytest.mark.parametrize("key, expected", [
    ("editor_a", 200), ("city_reviewer", 200), ("establishment", 200), ("county_reviewer", 404), ("editor_b", 404),
])
def test_a_submitted_version_is_read_by_the_department_and_its_offices(as_user, draft, key, expected):
    _in(draft, ReviewStatus.SUBMITTED)
    assert as_user(key).get(f"{CATALOGUES}{draft.pk}/").status_code == expected


def test_catalogue_detail_has_entries_history_and_deadline(as_user, users, city, draft):
    SubmissionDeadline.objects.create(jurisdiction=city.city, due_at="2030-12-15T18:00:00+08:00", created_by=users.city_reviewer)
    body = as_user("editor_a").get(f"{CATALOGUES}{draft.pk}/").json()
    assert body["deadline"].startswith("2030-12-15")
    [entry] = body["entries"]
    assert entry["instrument_name"] == FOOD
    assert entry["provisions_text"] == "第三十五条"
    assert entry["lead_department"] == {"id": city.dept_a.pk, "code": "C-A", "name": city.dept_a.name}


def test_review_queue_counts_entries_and_findings(as_user, city, food, draft):
    _in(draft, ReviewStatus.SUBMITTED)
    rival = CatalogueFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=rival, instrument=food, provisions="第三十五条")
    rows = {row["id"]: row for row in as_user("city_reviewer").get(CATALOGUES).json()["results"]}
    assert rows[draft.pk]["entry_count"] == 1
    assert rows[draft.pk]["conflict_count"] == 1
    assert rows[rival.pk]["conflict_count"] == 1


# -- Entries ----------------------------------------------------------------------------------


def entry_body(city, food, **changes):
    return {
        "instrument": food.pk,
        "provisions_text": "第十条、第十二条第二款",
        "category": "joint",
        "joint_departments": [city.dept_b.pk],
        "rights_and_duties": "对食品经营实施监督检查",
        **changes,
    }


@pytest.mark.parametrize("key, expected", [
    ("editor_a", 201), ("head_a", 403), ("editor_b", 404), ("city_reviewer", 404), ("county_reviewer", 404),
    ("sysadmin", 403), (None, ANONYMOUS),
])
def test_add_an_entry_to_a_draft(as_user, city, food, draft, key, expected):
    before = denials()
    response = as_user(key).post(f"{CATALOGUES}{draft.pk}/entries/", entry_body(city, food), format="json")
    assert response.status_code == expected
    assert draft.entries.count() == (2 if expected == 201 else 1)
    # A refusal of a logged-in caller is on record once (a 404 here is a real catalogue out of reach).
    assert denials() - before == (1 if key and expected in (403, 404) else 0)


def test_an_entry_comes_back_as_written(as_user, city, food, draft):
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", entry_body(city, food), format="json")
    body = response.json()
    assert body["position"] == 2
    assert [p["label"] for p in body["provisions"]] == ["第十条", "第十二条第二款"]
    assert body["provisions_text"] == "第十条、第十二条第二款"
    assert body["lead_department"]["id"] == city.dept_a.pk  # the catalogue's department by default
    assert [d["id"] for d in body["joint_departments"]] == [city.dept_b.pk]
    assert body["subject_kind"] == "statutory_organ"
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="basis.catalogueentry", object_id=str(body["id"]))
    assert created.count() == 1


def test_provisions_by_id(as_user, city, food, draft):
    ids = list(food.provisions.filter(article=12).order_by("paragraph").values_list("pk", flat=True))
    body = entry_body(city, food, provisions=ids)
    del body["provisions_text"]
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", body, format="json")
    assert response.status_code == 201
    assert response.json()["provisions_text"] == "第十二条、第十二条第二款"


def _invalid_pk(pk):
    return [f'Invalid pk "{pk}" - object does not exist.']


# Each case: the changes to a good entry (given the organisations involved), the one field
# refused, and its messages.
@pytest.mark.parametrize("changes, field, message", [
    (lambda o: {"provisions_text": "第九十九条"}, "provisions_text", [f"{FOOD} has no 第九十九条 in the registry."]),
    (lambda o: {"provisions_text": "第十条第二款、第九十九条"}, "provisions_text",
     [f"{FOOD} has no 第十条第二款 in the registry.", f"{FOOD} has no 第九十九条 in the registry."]),
    (lambda o: {"provisions_text": "十条"}, "provisions_text",
     ["Write provisions as 第十条 or 第十二条第二款, separated by 、."]),
    (lambda o: {"provisions": [1]}, "provisions_text", ["Give the provisions either as ids or as text, not both."]),
    (lambda o: {"subject_kind": "entrusted"}, "principal", ["An entrusted organisation must name its principal."]),
    (lambda o: {"principal": o.dept_b}, "principal", ["Only an entrusted organisation has a principal."]),
    (lambda o: {"category": "shared"}, "category", ['"shared" is not a valid choice.']),
    (lambda o: {"instrument": 0}, "instrument", _invalid_pk(0)),
    # An office, and a department of another city, are no departments an entry of A may name.
    (lambda o: {"lead_department": o.city_office}, "lead_department", "invalid pk"),
    (lambda o: {"joint_departments": [o.other_city_department]}, "joint_departments", "invalid pk"),
], ids=["unknown article", "two unknown", "syntax", "ids and text", "no principal", "stray principal",
        "category", "instrument", "office as lead", "other city's department"])
def test_entry_input_is_refused_with_a_clear_400(as_user, city, food, draft, changes, field, message):
    other_city = OrganisationFactory(code="D", name="邻市人民政府", kind=OrganisationKind.CITY)
    involved = SimpleNamespace(
        dept_b=city.dept_b.pk,
        city_office=city.city_office.pk,
        other_city_department=OrganisationFactory(parent=other_city, code="D-A", name="邻市市场监督管理局").pk,
    )
    body = entry_body(city, food, **changes(involved))
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", body, format="json")
    assert response.status_code == 400
    if message == "invalid pk":
        value = body[field]
        message = _invalid_pk(value[0] if isinstance(value, list) else value)
    assert response.json() == {field: message}
    assert draft.entries.count() == 1


def test_provision_ids_of_another_instrument_are_refused(as_user, city, food, draft):
    other = InstrumentFactory(name="中华人民共和国广告法")
    [foreign] = provisions(other, "第五十五条")
    body = entry_body(city, food, provisions=[foreign.pk])
    del body["provisions_text"]
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"provisions": [f"Provision 中华人民共和国广告法第五十五条 is not part of {FOOD}."]}
    body["provisions"] = [foreign.pk + 1000]
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", body, format="json")
    assert response.json() == {"provisions": _invalid_pk(foreign.pk + 1000)}


def test_entrusted_entry_names_its_principal(as_user, city, food, draft):
    body = entry_body(city, food, subject_kind="entrusted", principal=city.dept_a.pk)
    response = as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/entries/", body, format="json")
    assert response.status_code == 201
    assert response.json()["principal"]["id"] == city.dept_a.pk


def test_put_replaces_and_patch_keeps_what_is_left_out(as_user, city, food, draft):
    client = as_user("editor_a")
    entry = draft.entries.get()
    url = f"{CATALOGUES}{draft.pk}/entries/{entry.pk}/"
    response = client.patch(url, {"rights_and_duties": "改写的权责"}, format="json")
    assert response.status_code == 200
    assert response.json()["rights_and_duties"] == "改写的权责"
    assert response.json()["provisions_text"] == "第三十五条"
    assert response.json()["category"] == "sole"

    response = client.put(url, {"instrument": food.pk, "category": "sole", "provisions_text": "第十条"}, format="json")
    assert response.status_code == 200
    assert response.json()["provisions_text"] == "第十条"
    assert response.json()["rights_and_duties"] == ""

    other = InstrumentFactory(name="中华人民共和国广告法")
    response = client.patch(url, {"instrument": other.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"provisions": [f"Provision {FOOD}第十条 is not part of 中华人民共和国广告法."]}
    response = client.patch(url, {"instrument": other.pk, "provisions": []}, format="json")
    assert response.status_code == 200
    assert response.json()["instrument_name"] == "中华人民共和国广告法"


def test_put_requires_the_whole_entry(as_user, draft):
    entry = draft.entries.get()
    response = as_user("editor_a").put(f"{CATALOGUES}{draft.pk}/entries/{entry.pk}/", {"rights_and_duties": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"instrument", "category"}


def test_delete_an_entry(as_user, draft):
    entry = draft.entries.get()
    url = f"{CATALOGUES}{draft.pk}/entries/{entry.pk}/"
    assert as_user("head_a").delete(url).status_code == 403
    assert as_user("editor_b").delete(url).status_code == 404
    assert as_user("editor_a").delete(url).status_code == 204
    assert not CatalogueEntry.objects.filter(pk=entry.pk).exists()
    assert as_user("editor_a").delete(url).status_code == 404


@pytest.mark.parametrize(
    "status", [ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED, ReviewStatus.PUBLISHED]
)
def test_entries_of_a_version_out_of_the_department_s_hands_are_409(as_user, city, food, draft, status):
    _in(draft, status)
    entry = draft.entries.get()
    client = as_user("editor_a")
    url = f"{CATALOGUES}{draft.pk}/entries/"
    for response in (
        client.post(url, entry_body(city, food), format="json"),
        client.patch(f"{url}{entry.pk}/", {"rights_and_duties": "x"}, format="json"),
        client.delete(f"{url}{entry.pk}/"),
    ):
        assert response.status_code == 409
        assert "cannot be edited" in response.json()["detail"]
    # The office can read the version but never write it: the role, not the state, refuses.
    assert as_user("city_reviewer").post(url, entry_body(city, food), format="json").status_code == 403
    assert draft.entries.get().rights_and_duties == "依法实施食品生产许可"


def test_an_entry_is_reached_through_its_own_catalogue_only(as_user, city, food, draft):
    other = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    foreign = EntryFactory(catalogue=other, instrument=food)
    client = as_user("editor_a")
    assert client.get(f"{CATALOGUES}{draft.pk}/entries/{foreign.pk}/").status_code == 404
    response = client.patch(f"{CATALOGUES}{draft.pk}/entries/{foreign.pk}/", {"rights_and_duties": "x"}, format="json")
    assert response.status_code == 404
    assert client.get(f"{CATALOGUES}{other.pk}/entries/{foreign.pk}/").status_code == 200


def test_departments_an_entry_may_name(as_user, city, draft):
    names = {d["code"] for d in as_user("editor_a").get(f"{CATALOGUES}{draft.pk}/departments/").json()["results"]}
    # The city's departments (the entrusted body under A among them) and its counties', never an
    # office or an agency.
    assert names == {"C-A", "C-A-2", "C-B", "X-1", "Y-1"}


# -- Workflow ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action, status, key, expected", [
    ("submit", ReviewStatus.DRAFT, "editor_a", 200),
    ("submit", ReviewStatus.DRAFT, "head_a", 200),
    ("submit", ReviewStatus.DRAFT, "editor_b", 404),
    ("submit", ReviewStatus.SUBMITTED, "editor_a", 409),
    ("start-review", ReviewStatus.SUBMITTED, "city_reviewer", 200),
    ("start-review", ReviewStatus.SUBMITTED, "establishment", 403),
    ("start-review", ReviewStatus.SUBMITTED, "editor_a", 403),
    ("start-review", ReviewStatus.SUBMITTED, "county_reviewer", 404),
    ("start-review", ReviewStatus.UNDER_REVIEW, "city_reviewer", 409),
    ("approve", ReviewStatus.UNDER_REVIEW, "city_reviewer", 200),
    ("approve", ReviewStatus.SUBMITTED, "city_reviewer", 409),
    ("return", ReviewStatus.UNDER_REVIEW, "city_reviewer", 200),
    ("return", ReviewStatus.APPROVED, "city_reviewer", 409),
    ("publish", ReviewStatus.APPROVED, "city_reviewer", 200),
    ("publish", ReviewStatus.APPROVED, "head_a", 403),
    ("publish", ReviewStatus.UNDER_REVIEW, "city_reviewer", 409),
    ("publish", ReviewStatus.APPROVED, None, ANONYMOUS),
])
def test_transitions(as_user, draft, action, status, key, expected):
    _in(draft, status)
    response = as_user(key).post(f"{CATALOGUES}{draft.pk}/{action}/", {"comment": "请补充"}, format="json")
    assert response.status_code == expected
    if expected == 409:
        assert response.json()["detail"].startswith("Cannot ")
        assert str(ReviewStatus(status).label) in response.json()["detail"]
    draft.refresh_from_db()
    assert (draft.status != status) == (expected == 200)


def test_returning_without_a_reason_is_409(as_user, draft):
    _in(draft, ReviewStatus.UNDER_REVIEW)
    response = as_user("city_reviewer").post(f"{CATALOGUES}{draft.pk}/return/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Say why the catalogue is returned: add a comment on it or on an entry."}


# -- Comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key, expected", [
    ("city_reviewer", 201), ("establishment", 201), ("editor_a", 403), ("head_a", 403),
    ("county_reviewer", 404), ("editor_b", 404), ("sysadmin", 403),
])
def test_comment_on_a_version_under_review(as_user, draft, key, expected):
    _in(draft, ReviewStatus.UNDER_REVIEW)
    entry = draft.entries.get()
    response = as_user(key).post(f"{CATALOGUES}{draft.pk}/comments/", {"body": "条款引用不全", "entry": entry.pk}, format="json")
    assert response.status_code == expected
    assert ReviewComment.objects.filter(entry=entry).count() == (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["entry"] == entry.pk
        assert response.json()["body"] == "条款引用不全"


def test_comments_are_read_by_the_department(as_user, users, draft):
    _in(draft, ReviewStatus.UNDER_REVIEW)
    as_user("city_reviewer").post(f"{CATALOGUES}{draft.pk}/comments/", {"body": "总体意见"}, format="json")
    [comment] = as_user("editor_a").get(f"{CATALOGUES}{draft.pk}/comments/").json()["results"]
    assert comment["entry"] is None
    assert comment["author_name"] == str(users.city_reviewer)


def test_comment_refusals(as_user, city, food, draft):
    client = as_user("city_reviewer")
    url = f"{CATALOGUES}{draft.pk}/comments/"
    _in(draft, ReviewStatus.SUBMITTED)
    response = client.post(url, {"body": "意见"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Comments are made while a catalogue is under review."}
    _in(draft, ReviewStatus.UNDER_REVIEW)
    assert client.post(url, {"body": ""}, format="json").status_code == 400
    foreign = EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=food)
    response = client.post(url, {"body": "意见", "entry": foreign.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["entry"]


# -- Findings and versions --------------------------------------------------------------------


def test_findings_name_departments_instrument_provisions_and_entries(as_user, city, food, draft):
    assert as_user("editor_a").get(f"{CATALOGUES}{draft.pk}/findings/").json() == []
    rival = CatalogueFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    rival_entry = EntryFactory(catalogue=rival, instrument=food, provisions="第三十五条")
    [finding] = as_user("editor_a").get(f"{CATALOGUES}{draft.pk}/findings/").json()
    assert finding["kind"] == "multi_head"
    assert finding["instrument_id"] == food.pk
    assert set(finding["department_names"]) == {city.dept_a.name, city.dept_b.name}
    assert finding["provisions"] == ["第三十五条"]
    assert set(finding["entry_ids"]) == {draft.entries.get().pk, rival_entry.pk}
    assert city.dept_b.name in finding["message"]


def test_diff_between_versions(as_user, city, food, draft):
    published = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=published, instrument=food, provisions="第三十五条", rights_and_duties="旧的权责")
    removed = EntryFactory(catalogue=published, instrument=InstrumentFactory(name="已删除条例"))
    draft.based_on = published
    draft.version = published.version + 1
    draft.save()
    added = EntryFactory(catalogue=draft, instrument=InstrumentFactory(name="新增条例"))
    client = as_user("editor_a")
    body = client.get(f"{CATALOGUES}{draft.pk}/diff/").json()
    assert (body["old"]["id"], body["new"]["id"]) == (published.pk, draft.pk)
    assert [e["id"] for e in body["added"]] == [added.pk]
    assert [e["id"] for e in body["removed"]] == [removed.pk]
    [change] = body["changed"]
    assert change["changes"] == [
        {"field": "rights_and_duties", "label": "statutory rights and duties", "old": "旧的权责", "new": "依法实施食品生产许可"}
    ]
    assert client.get(f"{CATALOGUES}{published.pk}/diff/?against={draft.pk}").json()["new"]["id"] == draft.pk


def test_diff_refusals(as_user, city, draft):
    client = as_user("editor_a")
    response = client.get(f"{CATALOGUES}{draft.pk}/diff/")
    assert response.status_code == 400
    assert response.json() == {"against": ["This field is required."]}
    assert client.get(f"{CATALOGUES}{draft.pk}/diff/?against=abc").status_code == 400
    assert client.get(f"{CATALOGUES}{draft.pk}/diff/?against={draft.pk}").status_code == 404
    other = CatalogueFactory(department=city.dept_b)
    assert client.get(f"{CATALOGUES}{draft.pk}/diff/?against={other.pk}").status_code == 404
    # The office never sees a draft, so it cannot compare with one either.
    submitted = CatalogueFactory(department=city.dept_a, status=ReviewStatus.SUPERSEDED)
    assert as_user("city_reviewer").get(f"{CATALOGUES}{submitted.pk}/diff/?against={draft.pk}").status_code == 404


# -- Import and export ------------------------------------------------------------------------


def _import(client, catalogue, data, name="catalogue.xlsx", confirm=False):
    body = {"file": upload(name, data)}
    if confirm:
        body["confirm"] = "true"
    return client.post(f"{CATALOGUES}{catalogue.pk}/import/", body, format="multipart")


def test_import_previews_then_saves_a_good_file(as_user, city, food, draft):
    client = as_user("editor_a")
    data = xlsx_bytes([row(provisions="第十条"), row(provisions="第十二条", position=2)])
    response = _import(client, draft, data)
    assert response.status_code == 200
    assert response.json() == {
        "file_name": "catalogue.xlsx", "rows": 2, "errors": [], "ignored_columns": [], "is_clean": True, "imported": None,
    }
    assert list(draft.entries.values_list("instrument__name", flat=True)) == [FOOD]  # nothing saved yet
    response = _import(client, draft, data, confirm=True)
    assert response.status_code == 200
    assert response.json()["imported"] == 2
    assert [e.provisions.get().label for e in draft.entries.order_by("position")] == ["第十条", "第十二条"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(draft.pk)).count() == 1


def test_import_of_a_bad_file_reports_every_row_and_saves_nothing(as_user, city, food, draft):
    data = xlsx_bytes([row(), row(instrument="不存在的条例", position=2), row(category="独家管理", provisions="第九条", position=3)])
    for confirm in (False, True):
        response = _import(as_user("editor_a"), draft, data, confirm=confirm)
        assert response.status_code == (400 if confirm else 200)
        body = response.json()
        assert body["rows"] == 1
        assert body["is_clean"] is False
        assert body["imported"] is None
        assert body["errors"] == [
            {"row": 3, "column": "法律法规名称", "message": "“不存在的条例” is not in the registry of legal instruments. The legal-affairs office keeps the registry: propose the instrument to it, or correct the name."},
            {"row": 4, "column": "条款", "message": f"{FOOD} has no 第九条 in the registry."},
            {"row": 4, "column": "管理类别", "message": "Unknown management category “独家管理”: write 单一主管, 共同管理 or 协同管理."},
        ]
    assert body["detail"] == "The file has errors; nothing was saved. Correct them and upload the file again."
    assert list(draft.entries.values_list("rights_and_duties", flat=True)) == ["依法实施食品生产许可"]


def test_an_upload_refused_as_a_whole_is_400_with_the_reason(as_user, draft):
    response = _import(as_user("editor_a"), draft, PNG, name="catalogue.xlsx")
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is neither an Excel workbook (.xlsx) nor CSV text."]}
    assert as_user("editor_a").post(f"{CATALOGUES}{draft.pk}/import/", {}, format="multipart").status_code == 400


@pytest.mark.parametrize("key, status, confirm, expected", [
    ("head_a", ReviewStatus.DRAFT, False, 403),
    ("editor_b", ReviewStatus.DRAFT, False, 404),
    ("city_reviewer", ReviewStatus.SUBMITTED, False, 403),
    ("editor_a", ReviewStatus.SUBMITTED, True, 409),
    ("editor_a", ReviewStatus.RETURNED, True, 200),
])
def test_import_refusals(as_user, city, food, draft, key, status, confirm, expected):
    _in(draft, status)
    response = _import(as_user(key), draft, xlsx_bytes([row()]), confirm=confirm)
    assert response.status_code == expected
    assert draft.entries.get().provisions.get().label == ("第十条" if expected == 200 else "第三十五条")


def test_export_round_trip_and_audit(as_user, city, food, draft):
    client = as_user("editor_a")
    response = client.get(f"{CATALOGUES}{draft.pk}/export/", HTTP_ACCEPT=XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="catalogue-C-A-v{draft.version}.xlsx"'
    assert sheet_values(response.content)[1][1] == FOOD
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(draft.pk)).count() == 1
    imported = _import(client, draft, response.content, confirm=True)
    assert imported.json()["imported"] == 1
    assert draft.entries.get().provisions.get().label == "第三十五条"


def test_a_refused_export_still_explains_itself_in_json(as_user, draft):
    response = as_user("editor_b").get(f"{CATALOGUES}{draft.pk}/export/", HTTP_ACCEPT=XLSX)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


# -- The office: instruments, deadlines, compilation ------------------------------------------


@pytest.mark.parametrize("key, expected", [
    ("city_reviewer", 200), ("county_reviewer", 200), ("establishment", 403), ("editor_a", 403),
    ("sysadmin", 403), (None, ANONYMOUS),
])
def test_record_an_instrument_amended(as_user, city, food, key, expected):
    published = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=published, instrument=food)
    response = as_user(key).post(
        f"/api/basis/instruments/{food.pk}/record-status/",
        {"to_status": "amended", "note": "第十条修改", "effective_on": "2025-01-01"},
        format="json",
    )
    assert response.status_code == expected
    published.refresh_from_db()
    assert published.needs_revision == (expected == 200)
    if expected == 200:
        assert response.json()["flagged_catalogues"] == 1
        assert response.json()["instrument"]["status"] == "amended"


def test_record_status_refusals(as_user, food):
    client = as_user("city_reviewer")
    url = f"/api/basis/instruments/{food.pk}/record-status/"
    assert client.post(url, {"to_status": "in_force", "note": "x"}, format="json").status_code == 400
    assert client.post(url, {"to_status": "amended"}, format="json").json() == {"note": ["This field is required."]}
    missing = client.post("/api/basis/instruments/999999/record-status/", {"to_status": "repealed", "note": "x"}, format="json")
    assert missing.status_code == 404
    assert client.post(url, {"to_status": "repealed", "note": "废止"}, format="json").status_code == 200
    response = client.post(url, {"to_status": "amended", "note": "x"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "A repealed instrument cannot change status again."}


def test_instruments_are_public_with_their_provisions(as_user, food):
    client = as_user(None)
    assert client.get("/api/basis/instruments/?search=食品").json()["count"] == 1
    body = client.get(f"/api/basis/instruments/{food.pk}/").json()
    assert [p["label"] for p in body["provisions"]] == ["第十条", "第十二条", "第十二条第二款", "第三十五条"]


@pytest.mark.parametrize("key, expected", [
    ("city_reviewer", 201), ("county_reviewer", 201), ("establishment", 403), ("editor_a", 403),
    ("auditadmin", 403), (None, ANONYMOUS),
])
def test_set_a_deadline(as_user, users, key, expected):
    response = as_user(key).post("/api/basis/deadlines/", {"due_at": "2030-12-15T18:00:00+08:00", "note": "年度"}, format="json")
    assert response.status_code == expected
    if expected == 201:
        government = getattr(users, key).organisation.jurisdiction
        assert response.json()["jurisdiction"]["id"] == government.pk
        assert SubmissionDeadline.objects.get().jurisdiction == government


def test_deadlines_are_read_by_the_government_they_bind(as_user, city):
    as_user("city_reviewer").post("/api/basis/deadlines/", {"due_at": "2030-12-15T18:00:00+08:00"}, format="json")
    as_user("city_reviewer").post("/api/basis/deadlines/", {"due_at": "2030-12-20T18:00:00+08:00"}, format="json")
    listed = as_user("editor_a").get("/api/basis/deadlines/").json()["results"]
    assert [d["due_at"][:10] for d in listed] == ["2030-12-20", "2030-12-15"]
    assert as_user("county_reviewer").get("/api/basis/deadlines/").json()["count"] == 0
    assert as_user("city_reviewer").post("/api/basis/deadlines/", {"due_at": "soon"}, format="json").status_code == 400


@pytest.fixture
def published_everywhere(city, food, draft):
    """Published catalogues of a city department and a county department, and a draft."""
    city_published = CatalogueFactory(department=city.dept_b, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=city_published, instrument=food, provisions="第十条", rights_and_duties="卫生监督")
    county_published = CatalogueFactory(department=city.dept_x1, status=ReviewStatus.PUBLISHED)
    EntryFactory(catalogue=county_published, instrument=food, provisions="第十二条", rights_and_duties="县级监督")
    return SimpleNamespace(city=city_published, county=county_published, draft=draft)


@pytest.mark.parametrize("key, query, expected", [
    ("city_reviewer", "", {"C-B", "X-1"}),
    ("city_reviewer", "?government=X", {"X-1"}),
    ("city_reviewer", "?department=C-B", {"C-B"}),
    ("county_reviewer", "", {"X-1"}),
    ("establishment", "", {"C-B", "X-1"}),
])
def test_compilation_lists_published_catalogues_in_scope(as_user, published_everywhere, key, query, expected):
    rows = as_user(key).get(f"/api/basis/compilation/{query}").json()["results"]
    assert {row["department_code"] for row in rows} == expected


@pytest.mark.parametrize("key", ["editor_a", "head_a", "sysadmin", None])
def test_compilation_is_the_office_s(as_user, key):
    expected = ANONYMOUS if key is None else 403
    assert as_user(key).get("/api/basis/compilation/").status_code == expected


def test_compilation_as_a_workbook(as_user, published_everywhere):
    response = as_user("city_reviewer").get("/api/basis/compilation/?format=xlsx&government=X")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = sheet_values(response.content)
    assert [r[0] for r in rows[1:]] == ["甲县市场监督管理局"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


# -- Public -----------------------------------------------------------------------------------


def test_public_catalogues_show_published_versions_only(as_user, city, published_everywhere):
    client = as_user(None)
    rows = client.get("/api/public/catalogues/").json()["results"]
    assert {r["department"]["code"] for r in rows} == {"C-B", "X-1"}
    assert [r["department"]["code"] for r in client.get("/api/public/catalogues/?government=X").json()["results"]] == ["X-1"]
    assert [r["department"]["code"] for r in client.get("/api/public/catalogues/?department=C-B").json()["results"]] == ["C-B"]
    body = client.get(f"/api/public/catalogues/{published_everywhere.city.pk}/").json()
    assert body["government"]["code"] == "C"
    [entry] = body["entries"]
    assert (entry["instrument"]["name"], entry["provisions"], entry["rights_and_duties"]) == (FOOD, ["第十条"], "卫生监督")
    assert client.get(f"/api/public/catalogues/{published_everywhere.draft.pk}/").status_code == 404


@pytest.mark.parametrize("status", [s for s in ReviewStatus if s != ReviewStatus.PUBLISHED])
def test_no_unpublished_version_reaches_the_public_api(as_user, draft, status):
    _in(draft, status)
    client = as_user(None)
    assert client.get("/api/public/catalogues/").json()["results"] == []
    assert client.get(f"/api/public/catalogues/{draft.pk}/").status_code == 404
    assert client.get("/api/public/entries/?q=食品").json()["results"] == []
    _in(draft, ReviewStatus.PUBLISHED)
    assert len(client.get("/api/public/entries/?q=食品").json()["results"]) == 1


@pytest.mark.parametrize("query, expected", [
    ("食", {"卫生监督", "县级监督"}),
    ("监督", {"卫生监督", "县级监督"}),
    ("卫生健康", {"卫生监督"}),  # the department's name
    ("县级监督", {"县级监督"}),
    ("生产许可", set()),  # only in the draft
])
def test_public_search(as_user, published_everywhere, query, expected):
    rows = as_user(None).get("/api/public/entries/", {"q": query}).json()["results"]
    assert {r["rights_and_duties"] for r in rows} == expected


def test_public_search_filters_by_government(as_user, published_everywhere):
    [result] = as_user(None).get("/api/public/entries/", {"q": "监督", "government": "X"}).json()["results"]
    assert result["catalogue"]["department"]["code"] == "X-1"


# -- A whole round through the API ------------------------------------------------------------


def test_a_department_system_and_the_office_go_through_a_whole_round(as_user, city, food):
    editor, office, public = as_user("editor_a"), as_user("city_reviewer"), as_user(None)
    catalogue = editor.post(CATALOGUES).json()["id"]
    entries = f"{CATALOGUES}{catalogue}/entries/"
    entry = editor.post(entries, entry_body(city, food, category="sole", joint_departments=[]), format="json").json()["id"]
    assert editor.post(f"{CATALOGUES}{catalogue}/submit/").status_code == 200
    assert office.post(f"{CATALOGUES}{catalogue}/start-review/").status_code == 200
    assert office.post(f"{CATALOGUES}{catalogue}/comments/", {"body": "补充第十二条", "entry": entry}, format="json").status_code == 201
    assert office.post(f"{CATALOGUES}{catalogue}/return/", {}, format="json").status_code == 200
    assert editor.patch(f"{entries}{entry}/", {"provisions_text": "第十条、第十二条"}, format="json").status_code == 200
    assert editor.post(f"{CATALOGUES}{catalogue}/submit/").status_code == 200
    assert public.get("/api/public/catalogues/").json()["results"] == []
    for step in ("start-review", "approve", "publish"):
        assert office.post(f"{CATALOGUES}{catalogue}/{step}/").status_code == 200
    [published] = public.get("/api/public/catalogues/").json()["results"]
    assert published["id"] == catalogue
    [shown] = public.get(f"/api/public/catalogues/{catalogue}/").json()["entries"]
    assert shown["provisions"] == ["第十条", "第十二条"]
    events = [(e["from_status"], e["to_status"]) for e in editor.get(f"{CATALOGUES}{catalogue}/").json()["events"]]
    assert events[-1] == ("approved", "published")


# -- Constant queries -------------------------------------------------------------------------


@pytest.fixture
def target(city, users, food):
    """A version under review of department A, which the growing lists below add to."""
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW)
    EntryFactory(catalogue=catalogue, instrument=food, provisions="第十条")
    return catalogue


def _grow(city, users, target, n):
    for i in range(n):
        department = OrganisationFactory(parent=city.city, code=f"G{n}-{i}", subject_kind=SubjectKind.STATUTORY_ORGAN)
        OrganisationFactory(parent=city.city, code=f"O{n}-{i}", office_function="")  # more candidates
        published = CatalogueFactory(department=department, status=ReviewStatus.PUBLISHED)
        instrument = InstrumentFactory()
        EntryFactory(
            catalogue=published, instrument=instrument, provisions="第一条", joint_departments=[city.dept_b],
            rights_and_duties="监督检查",
        )
        entry = EntryFactory(
            catalogue=target, instrument=instrument, provisions="第一条、第二条", joint_departments=[department],
            assisting_departments=[city.dept_b], category="joint",
        )
        ReviewComment.objects.create(catalogue=target, entry=entry, author=users.city_reviewer, body="意见")
        CatalogueEvent.objects.create(catalogue=target, actor=users.city_reviewer, to_status=ReviewStatus.UNDER_REVIEW)
        SubmissionDeadline.objects.create(jurisdiction=city.city, due_at="2030-12-15T18:00:00+08:00", created_by=users.city_reviewer)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("key, url", [
    ("city_reviewer", CATALOGUES),
    ("editor_a", CATALOGUES),
    ("city_reviewer", f"{CATALOGUES}{{target}}/"),
    ("city_reviewer", f"{CATALOGUES}{{target}}/entries/"),
    ("city_reviewer", f"{CATALOGUES}{{target}}/comments/"),
    ("city_reviewer", f"{CATALOGUES}{{target}}/departments/"),
    ("city_reviewer", "/api/basis/compilation/"),
    ("editor_a", "/api/basis/deadlines/"),
    (None, "/api/basis/instruments/"),
    (None, "/api/public/catalogues/"),
    (None, "/api/public/entries/?q=监督"),
])
def test_lists_run_constant_queries(as_user, users, city, target, key, url):
    client = as_user(key)
    url = url.format(target=target.pk)
    _grow(city, users, target, 3)
    # A first request warms what the forced user object caches (its organisation), which would
    # otherwise count as one query less the second time.
    client.get(url)
    # Counted with the cached conflict checks empty each time, so that their queries count too.
    cache.clear()
    small = _count(client, url)
    _grow(city, users, target, 12)
    cache.clear()
    assert _count(client, url) == small


# -- Schema -----------------------------------------------------------------------------------


def test_schema_validates_without_warnings(tmp_path, as_user, db):
    GENERATOR_STATS.reset()
    path = tmp_path / "schema.yml"
    # --fail-on-warn raises CommandError on any warning or error of the generator.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    text = path.read_text()
    for endpoint in (
        "/api/basis/catalogues/{catalogue_pk}/entries/{entry_id}/:",
        "/api/basis/catalogues/{id}/import/:",
        "/api/basis/instruments/{id}/record-status/:",
        "/api/public/entries/:",
    ):
        assert endpoint in text
    assert as_user(None).get("/api/schema/").status_code == 200


def test_the_public_lists_page_by_cursor_to_the_last_row(as_user, city, django_assert_max_num_queries):
    """Every published entry can be read by following ``next`` (issue 17: a capped page count
    made deep pages 404); each page costs the same few queries however deep."""
    catalogue = CatalogueFactory(department=city.dept_a)
    made = {EntryFactory(catalogue=catalogue, position=n, rights_and_duties=f"监督事项{n}").pk for n in range(1, 24)}
    client = as_user(None)
    seen, url, pages = [], "/api/public/entries/?page_size=5", 0
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 5 and len(seen) == len(set(seen)) and set(seen) == made
    assert seen == sorted(seen)
    # A cursor that was not made by the server is refused, not an error page.
    assert client.get("/api/public/entries/?cursor=not-a-cursor").status_code == 404


def test_published_catalogues_page_by_cursor_in_the_tree_order(as_user, city):
    for department in (city.dept_b, city.dept_a, city.dept_x1, city.dept_y1):
        CatalogueFactory(department=department)
    client = as_user(None)
    first = client.get("/api/public/catalogues/?page_size=3").json()
    second = client.get(first["next"]).json()
    codes = [row["department"]["code"] for row in first["results"] + second["results"]]
    assert codes == ["C-A", "C-B", "X-1", "Y-1"] and second["next"] is None
