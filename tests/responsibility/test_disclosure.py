"""Disclosure PDFs: what they contain (read back with pdftotext and pdffonts), what they never
contain, idempotent rendering, failure and retry, the office's screens and the API."""

import re
import shutil
import subprocess
import tempfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from authority.models import Breakdown
from authority.services import breakdown_publish
from responsibility import disclosure, disclosure_services
from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus
from responsibility.tasks import render_disclosure_document
from tests.authority.factories import BreakdownFactory, PowerFactory, step
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from workflow.review import ReviewStatus

from .disclosure_fixtures import published_department

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

CJK_FONT_NAME = re.compile(r"CJK|Noto|Han|Hei|Song|Ming|Kai|Fang|WenQuanYi", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _authority_reference(db):
    """Power kinds and procedure stages (the package's conftest may load them too; loading is
    idempotent)."""
    call_command("load_authority_reference", verbosity=0)


@pytest.fixture
def published(city):
    return published_department(city.dept_a, agency=city.agency_a)


@pytest.fixture
def render_now(django_capture_on_commit_callbacks):
    """request_render with its on-commit task run (eagerly, as in the embedded default)."""

    def _render(organisation, kind=DocumentKind.BOOKLET, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            document = disclosure_services.request_render(organisation, kind, actor=actor)
        document.refresh_from_db()
        return document

    return _render


def _pdf_path(document) -> str:
    with document.file.open("rb") as source, tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as target:
        target.write(source.read())
    return target.name


def pdf_text(document) -> str:
    """The PDF's text with white space removed: CJK lines wrap inside table cells anywhere."""
    output = subprocess.run(["pdftotext", "-enc", "UTF-8", _pdf_path(document), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", output.stdout)


def pdf_fonts(document) -> list[tuple[str, str]]:
    """(name, emb) of each font pdffonts lists."""
    output = subprocess.run(["pdffonts", _pdf_path(document)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in output.splitlines()[2:]:
        parts = line.split()
        # name, type words…, encoding, emb, sub, uni, object, id
        rows.append((parts[0], parts[-5]))
    return rows


# -- Content ----------------------------------------------------------------------------------


def test_booklet_contains_the_published_data_in_embedded_cjk_fonts(published, render_now):
    document = render_now(published.department)

    assert document.status == DocumentStatus.READY, document.error
    assert document.version == 1 and document.attempts == 1
    assert document.pages >= 7 and document.size == document.file.size
    text = pdf_text(document)
    assert published.department.name in text
    assert published.powers[0].name in text
    assert f"{published.instrument.name}第十条" in text  # a provision the power rests on
    assert published.post.name in text
    assert "依法受理案件并调查取证" in text  # a responsibility
    assert "占道经营裁量基准" in text and "首次违法且及时改正" in text  # a standard and its band
    assert published.officer.name in text and published.certificate.number in text
    assert published.officer.id_number not in text  # name, post and certificate number only
    fonts = pdf_fonts(document)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert all(CJK_FONT_NAME.search(name) for name, _ in fonts), fonts


def test_powers_sharing_a_procedure_share_one_flowchart(published, city, render_now):
    """The fixture's two powers follow the same three steps: one chart names both; a power with
    a procedure of its own gets a chart of its own, with its time limit and posts."""
    first, second = published.powers
    own = PowerFactory(breakdown=published.breakdown, name="对未按规定设置户外广告的处罚")
    step(own, 1, "filing", post=published.post, limit=3)
    step(own, 2, "decision", post=published.post, limit=7)

    with translation.override("zh-hans"):
        procedures = disclosure.department_content(published.department)["procedures"]

    assert [[p["position"] for p in procedure["powers"]] for procedure in procedures] == [
        [first.position, second.position],
        [own.position],
    ]
    assert procedures[0]["applies_to"] == f"{first.position}–{second.position}"
    assert [s["time_limit"] for s in procedures[1]["steps"]] == ["3 个工作日", "7 个工作日"]

    text = pdf_text(render_now(published.department))
    assert f"第{first.position}–{second.position}项（共2项）" in text
    assert f"{own.position}.对未按规定设置户外广告的处罚" in text
    assert f"1立案{published.agency.name}·{published.post.name}·3个工作日" in text


def test_powers_without_procedure_steps_say_so_in_the_flowchart_section(city, render_now):
    published = published_department(city.dept_b, steps=0)

    text = pdf_text(render_now(published.department))

    assert published.powers[0].name in text
    assert "已公布的职权事项尚未列出办理流程" in text


@pytest.mark.parametrize(
    ("positions", "expected"),
    [([1], "1"), ([3, 1, 2], "1–3"), ([1, 2, 3, 5, 7, 8], "1–3、5、7–8"), ([2, 4], "2、4")],
)
def test_position_ranges(positions, expected):
    assert disclosure._position_ranges(positions) == expected


def test_bulletin_sheet_has_the_essentials_and_the_portal_address(published, render_now, settings):
    settings.SITE_URL = "https://zwgk.example.gov.cn"
    document = render_now(published.department, DocumentKind.BULLETIN)

    assert document.status == DocumentStatus.READY, document.error
    assert document.pages == 1
    text = pdf_text(document)
    assert published.department.name in text
    assert published.powers[0].name in text
    assert f"https://zwgk.example.gov.cn/departments/{published.department.code}/" in text


def test_drafts_and_versions_in_review_never_reach_a_pdf(published, city, render_now):
    draft = BreakdownFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    PowerFactory(breakdown=draft, name="草稿中不应公开的职权事项")
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED),
        instrument=InstrumentFactory(name="尚在审核中的条例"),
    )

    text = pdf_text(render_now(city.dept_a))

    assert published.powers[0].name in text
    assert "草稿中不应公开的职权事项" not in text
    assert "尚在审核中的条例" not in text


def test_sections_without_published_data_say_so(city, render_now):
    """A department with a published catalogue only: the other sections say nothing is
    published, and the booklet still renders."""
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=InstrumentFactory(name="只公开了依据的条例"))

    document = render_now(city.dept_b)

    assert document.status == DocumentStatus.READY, document.error
    assert "只公开了依据的条例" in pdf_text(document)


def test_nothing_published_is_refused(city):
    with pytest.raises(disclosure.DisclosureError):
        disclosure_services.request_render(city.dept_b, DocumentKind.BOOKLET)
    assert not DisclosureDocument.objects.exists()


# -- Idempotence and versions -----------------------------------------------------------------


def _stored_files() -> list[str]:
    try:
        years = default_storage.listdir("disclosure")[0]
    except FileNotFoundError:
        return []
    return [f"{year}/{name}" for year in years for name in default_storage.listdir(f"disclosure/{year}")[1]]


def test_the_task_run_twice_gives_one_document_and_one_file(published, render_now):
    files_before = len(_stored_files())
    document = render_now(published.department)

    assert render_disclosure_document.apply(args=[document.pk]).get() is None  # already ready

    document.refresh_from_db()
    assert DisclosureDocument.objects.filter(organisation=published.department, kind=DocumentKind.BOOKLET).count() == 1
    assert document.attempts == 1
    assert len(_stored_files()) == files_before + 1


def test_a_second_delivery_while_rendering_does_nothing(published):
    document = disclosure_services.request_render(published.department, DocumentKind.BOOKLET)  # not run: on_commit held
    assert disclosure._claim(document.pk)  # the first delivery has it

    assert disclosure.render(document.pk) is None

    document.refresh_from_db()
    assert (document.status, document.attempts, document.file.name) == (DocumentStatus.RENDERING, 1, "")


def test_unchanged_content_is_not_rendered_again(published, render_now, django_capture_on_commit_callbacks):
    first = render_now(published.department)

    with django_capture_on_commit_callbacks() as callbacks:
        again = disclosure_services.request_render(published.department, DocumentKind.BOOKLET)

    assert again.pk == first.pk and again.status == DocumentStatus.READY
    assert callbacks == []  # nothing enqueued
    assert disclosure.content_hash(published.department, DocumentKind.BOOKLET) == first.content_hash


def test_publishing_a_new_version_gives_version_two(published, city, render_now, users, django_capture_on_commit_callbacks):
    first = render_now(city.dept_a)
    approved = BreakdownFactory(department=city.dept_a, status=ReviewStatus.APPROVED)
    PowerFactory(breakdown=approved, name="第二版新增的职权事项")

    # Publication goes out through the workflow; its signal asks for the booklet and the sheet.
    with django_capture_on_commit_callbacks(execute=True):
        breakdown_publish(actor=users.city_reviewer, breakdown=approved)

    second = DisclosureDocument.objects.get(organisation=city.dept_a, kind=DocumentKind.BOOKLET, version=2)
    assert second.status == DocumentStatus.READY, second.error
    assert second.content_hash != first.content_hash
    assert "第二版新增的职权事项" in pdf_text(second)
    assert published.powers[0].name not in pdf_text(second)  # version 1 is superseded
    assert DisclosureDocument.objects.filter(organisation=city.dept_a, kind=DocumentKind.BULLETIN, status="ready").exists()
    first.refresh_from_db()
    assert first.status == DocumentStatus.READY and first.file  # old versions stay available
    assert Breakdown.objects.get(pk=published.breakdown.pk).status == ReviewStatus.SUPERSEDED


# -- Failure and retry ------------------------------------------------------------------------


def test_a_failed_render_shows_its_reason_and_retry_makes_it_ready(
    published, render_now, settings, login, users, django_capture_on_commit_callbacks
):
    settings.DISCLOSURE_FONT_FILE = "/nonexistent/no-such-font.ttc"
    document = render_now(published.department)
    assert document.status == DocumentStatus.FAILED
    assert "fonts-noto-cjk" in document.error and "Traceback" not in document.error
    assert not document.file

    client = login(users.editor_a)
    page = client.get(f"/office/disclosure/{document.pk}/")
    assert page.status_code == 200
    assert "fonts-noto-cjk" in page.content.decode()
    assert f'action="/office/disclosure/{document.pk}/retry/"' in page.content.decode()
    assert client.get(f"/office/disclosure/{document.pk}/status/").json()["status"] == "failed"

    del settings.DISCLOSURE_FONT_FILE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/office/disclosure/{document.pk}/retry/")
    assert response.status_code == 302

    document.refresh_from_db()
    assert (document.status, document.version, document.attempts, document.error) == (DocumentStatus.READY, 1, 2, "")
    assert AuditEvent.objects.filter(object_type="responsibility.disclosuredocument", object_id=str(document.pk), action="update").exists()
    download = client.get(f"/office/disclosure/{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_template_value_cannot_fetch_from_the_network(published, city, render_now):
    """A crafted value in the data is escaped text, and the url fetcher refuses http(s) anyway."""
    fetch = disclosure._url_fetcher(set())
    with pytest.raises(ValueError):
        fetch("http://example.com/x.png")
    published.powers[0].name = '<img src="http://10.255.255.1/x.png">'
    published.powers[0].save()

    document = render_now(city.dept_a)

    assert document.status == DocumentStatus.READY, document.error


def test_retry_is_refused_for_a_ready_document(published, render_now, users):
    document = render_now(published.department)
    with pytest.raises(disclosure.DisclosureError):
        disclosure_services.document_retry(actor=users.editor_a, document=document)


# -- The office -------------------------------------------------------------------------------


def test_office_compilation_contains_each_department(city, login, users, django_capture_on_commit_callbacks):
    a = published_department(city.dept_a, agency=city.agency_a)
    b = published_department(city.dept_b, prefix="乙")
    x1 = published_department(city.dept_x1, prefix="丙")
    client = login(users.city_reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/office/disclosure/render/", {"organisation": city.city.pk, "kind": "compilation"})

    document = DisclosureDocument.objects.get(organisation=city.city, kind=DocumentKind.COMPILATION)
    assert response.status_code == 302 and response.url == f"/office/disclosure/{document.pk}/"
    assert document.status == DocumentStatus.READY, document.error
    assert document.requested_by == users.city_reviewer
    text = pdf_text(document)
    assert a.department.name in text and b.department.name in text
    assert a.instrument.name in text and b.instrument.name in text
    assert x1.instrument.name not in text  # the county's departments are the county's compilation
    assert AuditEvent.objects.filter(object_type="responsibility.disclosuredocument", action="create").exists()


def test_a_department_may_not_render_the_compilation(city, login, users):
    published_department(city.dept_a, agency=city.agency_a)
    client = login(users.editor_a)
    response = client.post("/office/disclosure/render/", {"organisation": city.city.pk, "kind": "compilation"})
    assert response.status_code in (403, 404)
    assert not DisclosureDocument.objects.exists()


def test_another_departments_editor_gets_404(published, render_now, login, users):
    document = render_now(published.department)
    client = login(users.editor_b)
    assert client.get(f"/office/disclosure/{document.pk}/").status_code == 404
    assert client.get(f"/office/disclosure/{document.pk}/download/").status_code == 404
    assert client.post(f"/office/disclosure/{document.pk}/retry/").status_code == 404
    assert client.get("/office/disclosure/").context["page"].paginator.count == 0


def test_administrators_get_403(client, login, users):
    assert login(users.auditadmin).get("/office/disclosure/").status_code == 403


def test_status_page_of_a_queued_document_polls_and_refreshes(published, login, users):
    document = disclosure_services.request_render(published.department, DocumentKind.BOOKLET)  # on_commit held: queued
    client = login(users.editor_a)

    page = client.get(f"/office/disclosure/{document.pk}/").content.decode()

    assert "js/disclosure.js" in page and 'http-equiv="refresh"' in page and "<progress" in page
    assert client.get(f"/office/disclosure/{document.pk}/status/").json() == {
        "id": document.pk, "status": "queued", "status_display": str(DocumentStatus.QUEUED.label), "error": "",
        "attempts": 0, "pages": None, "size": None, "done": False, "download": "",
    }


def _documents(organisation, count):
    from django.utils import timezone

    start = DisclosureDocument.objects.filter(organisation=organisation).count()
    DisclosureDocument.objects.bulk_create(
        DisclosureDocument(
            organisation=organisation, kind=DocumentKind.BOOKLET, version=start + n + 1,
            content_hash=f"{organisation.pk}-{start + n}", data_as_of=timezone.now(), status=DocumentStatus.READY,
        )
        for n in range(count)
    )


def test_document_list_runs_a_constant_number_of_queries(city, login, users, django_assert_max_num_queries):
    client = login(users.city_reviewer)
    _documents(city.dept_a, 2)
    with django_assert_max_num_queries(30) as few:
        response = client.get("/office/disclosure/?kind=booklet")
    assert response.status_code == 200
    _documents(city.dept_b, 20)
    _documents(city.dept_x1, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/office/disclosure/?kind=booklet")
    assert response.context["page"].paginator.count == 42


def test_document_list_filters(city, login, users):
    _documents(city.dept_a, 2)
    _documents(city.dept_b, 3)
    client = login(users.city_reviewer)
    assert client.get("/office/disclosure/", {"organisation": "卫生健康"}).context["page"].paginator.count == 3
    assert client.get("/office/disclosure/", {"status": "failed"}).context["page"].paginator.count == 0
    assert client.get("/office/disclosure/", {"kind": "compilation"}).context["page"].paginator.count == 0
    client.logout()
    empty = login(users.county_reviewer).get("/office/disclosure/")
    assert empty.context["page"].paginator.count == 0 and 'class="empty"' in empty.content.decode()


# -- API --------------------------------------------------------------------------------------


def test_api_lists_in_scope_and_retries(published, render_now, api_client, users, settings, django_capture_on_commit_callbacks):
    settings.DISCLOSURE_FONT_FILE = "/nonexistent/font.ttc"
    document = render_now(published.department)
    assert document.status == DocumentStatus.FAILED
    del settings.DISCLOSURE_FONT_FILE

    api_client.force_authenticate(users.editor_b)
    assert api_client.get("/api/disclosure/documents/").json()["count"] == 0
    assert api_client.post(f"/api/disclosure/documents/{document.pk}/retry/").status_code == 404

    api_client.force_authenticate(users.city_reviewer)
    listed = api_client.get("/api/disclosure/documents/", {"status": "failed"}).json()
    assert [d["id"] for d in listed["results"]] == [document.pk]
    assert "fonts-noto-cjk" in listed["results"][0]["error"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/disclosure/documents/{document.pk}/retry/")
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert api_client.post(f"/api/disclosure/documents/{document.pk}/retry/").status_code == 409
    detail = api_client.get(f"/api/disclosure/documents/{document.pk}/").json()
    assert detail["download_url"] == f"/office/disclosure/{document.pk}/download/"


def test_api_requests_a_compilation(city, api_client, users, django_capture_on_commit_callbacks):
    published_department(city.dept_a, agency=city.agency_a)
    api_client.force_authenticate(users.city_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/disclosure/documents/", {"organisation": city.city.pk, "kind": "compilation"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "compilation" and response.json()["version"] == 1

    api_client.force_authenticate(users.county_reviewer)
    refused = api_client.post("/api/disclosure/documents/", {"organisation": city.city.pk, "kind": "compilation"}, format="json")
    assert refused.status_code == 404
    api_client.force_authenticate(users.editor_a)
    refused = api_client.post("/api/disclosure/documents/", {"organisation": city.dept_a.pk, "kind": "compilation"}, format="json")
    assert refused.status_code == 409  # a department gets booklets and sheets, not a compilation
