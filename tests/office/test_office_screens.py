"""Issue 13 item 4: office screens that answer the office's questions. A home tile's count is
the number of rows of the page it opens; certificate buttons follow the certificate's status;
a 403 names who may act; the deadline takes a datetime-local input."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from authority import services as authority_services
from authority.models import CertificateStatus, TrainingKind
from basis.models import InstrumentLevel, InstrumentProposal, ProposalStatus, SubmissionDeadline
from organisations.models import Organisation
from responsibility import selectors
from responsibility.models import ResponsibilitySet, SupportingRuleKind
from tests.authority.factories import OfficerFactory, kind
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from tests.factories import OrganisationFactory, UserFactory
from tests.responsibility.factories import ResponsibilitySetFactory, SupportingRuleFactory
from workflow.review import ReviewStatus

TILE = re.compile(r'<a class="card tile" href="([^"]+)"[^>]*><div class="stat[^"]*">(\d+)</div><div>([^<]+)</div>')


def _rows(content: str) -> int:
    """The rows of a list page: its table's, or the items of a list marked ``data-queue`` (a
    department's missing kinds of supporting rule)."""
    if "<ul class=\"coverage\" data-queue>" in content:
        return content.split("data-queue>", 1)[1].split("</ul>", 1)[0].count("<li")
    if "<tbody>" not in content:
        return 0
    return content.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr")


def _tiles(client) -> list[tuple[str, int, str]]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [(html.unescape(url), int(count), label) for url, count, label in TILE.findall(response.content.decode())]


@pytest.fixture
def jurisdiction(city, users):
    """City C's departments in every state, with counties' catalogues around them (the office
    sees the counties too, which is how a tile said 24 and its page 78)."""
    law = InstrumentFactory(name="中华人民共和国食品安全法")
    SubmissionDeadline.objects.create(
        jurisdiction=city.city, due_at=timezone.now() - datetime.timedelta(days=3), created_by=users.city_reviewer
    )
    # A: published on time, and claims the food-safety law alone.
    a = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, submitted_at=timezone.now())
    EntryFactory(catalogue=a, instrument=law)
    # B: submitted late, claims the same law alone: a conflict with A.
    b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.SUBMITTED, is_late=True, submitted_at=timezone.now())
    EntryFactory(catalogue=b, instrument=law)
    # C: only a returned version (not submitted; late, the deadline has passed).
    dept_c = OrganisationFactory(parent=city.city, code="C-C", name="测试市生态环境局")
    CatalogueFactory(department=dept_c, status=ReviewStatus.RETURNED)
    # D: nothing at all. E: abolished, left out.
    OrganisationFactory(parent=city.city, code="C-D", name="测试市（原）文化广电新闻出版局")
    OrganisationFactory(parent=city.city, code="C-E", name="测试市粮食局", is_active=False)
    # Approved, in a county: the city office sees it in its queue.
    CatalogueFactory(department=city.dept_x1, status=ReviewStatus.APPROVED)
    CatalogueFactory(department=city.dept_y1, status=ReviewStatus.UNDER_REVIEW)
    # Responsibilities: A's set submitted, B's approved, a county's under review (its own office
    # reviews it); A has all eight supporting rules but one, the county department none.
    ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    ResponsibilitySetFactory(department=city.dept_b, status=ReviewStatus.APPROVED)
    ResponsibilitySetFactory(department=city.dept_x1, status=ReviewStatus.UNDER_REVIEW)
    for rule_kind in SupportingRuleKind.values[1:]:
        SupportingRuleFactory(department=city.dept_a, kind=rule_kind)
    # Proposals: two from the city's departments and one from a county's wait; one is decided.
    for department, name, status in [
        (city.dept_a, "测试市餐饮服务食品安全管理办法", ProposalStatus.PENDING),
        (city.dept_b, "测试市城市市容和环境卫生管理条例", ProposalStatus.PENDING),
        (city.dept_x1, "某县农贸市场管理办法", ProposalStatus.PENDING),
        (city.dept_b, "测试市户外广告设置管理办法（已废止）", ProposalStatus.REFUSED),
    ]:
        InstrumentProposal.objects.create(
            name=name, level=InstrumentLevel.LOCAL_GOVERNMENT_RULE, issuing_organ="测试市人民政府", department=department,
            proposed_by=users.editor_a, status=status,
        )
    return city


def test_office_tiles_count_the_rows_of_the_pages_they_open(client, users, jurisdiction):
    client.force_login(users.city_reviewer)
    tiles = {url: count for url, count, _label in _tiles(client) if "?" in url}
    progress = reverse("basis:catalogue_progress")
    catalogues = reverse("basis:catalogue_list")
    sets, coverage = reverse("responsibility:index"), reverse("responsibility:coverage")
    missing = len(selectors.coverage_for(users.city_reviewer, government=jurisdiction.city).rows)
    assert missing == 5, missing  # A (one kind short), its 执法支队, B, C, D; not the abolished E
    assert tiles == {
        # C (returned only), D and A's entrusted enforcement team (it keeps a catalogue of its own)
        f"{progress}?state=not_submitted": 3,
        f"{progress}?state=late": 4,  # B late, and the three after the deadline
        # B; not the counties' catalogues, which their own offices review
        f"{catalogues}?queue=awaiting_review": 1,
        f"{catalogues}?queue=awaiting_publication": 0,
        f"{catalogues}?queue=conflicts": 2,  # A and B
        # The city's and its counties' proposals: the office keeps the registry for them all
        reverse("basis:proposal_list") + "?status=pending": 3,
        # A's; not the county's, which its own office reviews
        f"{sets}?queue=awaiting_review": 1,
        f"{sets}?queue=awaiting_publication": 1,  # B's
        # Of the city's own subjects: every one but A (which lacks one kind too) lacks all eight
        f"{coverage}?queue=missing": missing,
        # The rollout's filings: none filed in this city yet
        reverse("filings:plan_list") + "?queue=to_decide": 0,
        reverse("filings:summary_list") + "?queue=to_decide": 0,
        # Appraisal: no rating held for review; accountability: no case opened yet
        reverse("appraisal:rating_index") + "?status=held": 0,
        reverse("accountability:case_list") + "?status=open": 0,
        reverse("accountability:case_list") + "?overdue=1": 0,
    }
    for url, count in tiles.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _rows(response.content.decode()) == count, url


def test_editor_tiles_count_the_rows_of_the_pages_they_open(client, users, jurisdiction):
    CatalogueFactory(department=jurisdiction.dept_a, status=ReviewStatus.DRAFT)
    client.force_login(users.editor_a)
    ResponsibilitySet.objects.filter(department=jurisdiction.dept_a).update(status=ReviewStatus.RETURNED)
    client.force_login(users.editor_a)
    tiles = {url: count for url, count, _label in _tiles(client) if "?" in url}
    assert tiles[reverse("basis:catalogue_list") + "?queue=to_fix"] == 1
    assert tiles[reverse("responsibility:index") + "?queue=to_fix"] == 1
    assert tiles[reverse("responsibility:rule_home") + "?queue=missing"] == 1  # 岗位责任制度, the first kind
    for url, count in tiles.items():
        assert _rows(client.get(url, follow=True).content.decode()) == count, url


def test_editor_home_shows_the_deadline_overdue_and_what_to_do(client, users, jurisdiction):
    client.force_login(users.editor_b)  # B submitted (late): done
    content = client.get(reverse("home")).content.decode()
    assert "Your deadlines" in content and "Submitted on" in content
    assert "submitted late" in content
    dept_c_editor = UserFactory(
        username="editor_c", role=users.editor_a.role, organisation=Organisation.objects.get(code="C-C")
    )
    client.force_login(dept_c_editor)
    content = client.get(reverse("home")).content.decode()
    assert "overdue by 3 days" in content and 'class="badge bad overdue"' in content
    assert "Submit the catalogue to the office." in content


def test_editor_home_counts_days_left(client, users, city):
    SubmissionDeadline.objects.create(
        jurisdiction=city.city, due_at=timezone.now() + datetime.timedelta(days=10, hours=1), created_by=users.city_reviewer
    )
    client.force_login(users.editor_a)
    content = client.get(reverse("home")).content.decode()
    assert "10 days left" in content
    assert "Start a catalogue version and submit it." in content


# -- Officers ---------------------------------------------------------------------------------


def _certified(users, city, number="闽执SC2026000001"):
    officer = OfficerFactory(department=city.dept_a, name="王小明")
    today = datetime.date.today()
    authority_services.training_record(
        actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST, hours=Decimal(40), completed_on=today,
        kinds=[kind("penalty")],
    )
    authority_services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=today, score=Decimal(80))
    certificate = authority_services.certificate_issue(
        actor=users.city_reviewer, officer=officer, number=number, area="测试市", kinds=[kind("penalty")]
    )
    return officer, certificate


def _buttons(client, officer) -> set[str]:
    content = client.get(reverse("authority:officer_detail", args=[officer.pk])).content.decode()
    return set(re.findall(r"/certificates/\d+/([a-z]+)/", content)) | ({"issue"} if "Issue a certificate" in content else set())


@pytest.mark.parametrize(
    "status, valid_until_days, expected",
    [
        (CertificateStatus.VALID, 400, {"renew", "suspend", "revoke"}),
        (CertificateStatus.VALID, -1, {"renew", "revoke", "issue"}),  # expired
        (CertificateStatus.SUSPENDED, 400, {"reinstate", "revoke"}),
        (CertificateStatus.REVOKED, 400, {"issue"}),
    ],
)
def test_certificate_buttons_follow_the_status(client, users, city, reference, status, valid_until_days, expected):
    officer, certificate = _certified(users, city)
    certificate.status = status
    certificate.valid_until = datetime.date.today() + datetime.timedelta(days=valid_until_days)
    certificate.save()
    client.force_login(users.city_reviewer)
    assert _buttons(client, officer) == expected


def test_officer_list_shows_number_status_and_expiry(client, users, city, reference):
    _officer, certificate = _certified(users, city)
    client.force_login(users.city_reviewer)
    content = client.get(reverse("authority:officer_list")).content.decode()
    assert "闽执SC2026000001" in content
    assert certificate.valid_until.strftime("%Y-%m-%d") in content
    assert 'data-label="Certificate status"' in content


# -- 403, deadline, compilation ---------------------------------------------------------------


def test_403_names_the_office_for_an_office_action(client, users, city):
    client.force_login(users.editor_a)
    response = client.get(reverse("basis:deadline"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "Only the legal affairs office" in content
    assert "system administrator" not in content


def test_403_for_the_progress_page_names_the_office(client, users, city):
    client.force_login(users.editor_a)
    response = client.get(reverse("basis:catalogue_progress"))
    assert response.status_code == 403
    assert "Only the legal affairs office" in response.content.decode()


OFFICE = ("Only the legal affairs office of the government concerned can do this.", "只有本级政府法制办可以进行此操作。")
EDITOR = ("Only an editor of the department concerned can do this.", "只有本部门填报员可以进行此操作。")
AUDIT = ("Only the audit administrator can do this.", "只有审计管理员可以进行此操作。")
SECURITY = ("Only the security administrator can do this.", "只有安全管理员可以进行此操作。")


def _refused(client, user, url, *, post=None):
    """The 403 page of ``url`` for ``user``, in English and in Chinese."""
    client.force_login(user)
    pages = []
    for language in ("en", "zh-hans"):
        response = client.post(url, post or {}, HTTP_ACCEPT_LANGUAGE=language) if post is not None else \
            client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 403, (url, language)
        pages.append(response.content.decode())
    return pages


def _names(pages, who):
    for page, sentence in zip(pages, who, strict=True):
        assert sentence in page
        assert "system administrator" not in page and "系统管理员" not in page


def test_403_in_authority_names_the_office_for_a_certificate_and_the_editor_for_an_officer(client, users, city, reference):
    _officer, certificate = _certified(users, city)
    # A department may not revoke its officer's certificate: the competent office does.
    url = reverse("authority:certificate_action", args=[certificate.pk, "revoke"])
    _names(_refused(client, users.editor_a, url, post={"reason": "调离执法岗位"}), OFFICE)
    # The office may not add an officer to a department: the department's editor does.
    _names(_refused(client, users.city_reviewer, reverse("authority:officer_list"), post={"name": "李四"}), EDITOR)


def test_403_in_responsibility_names_the_office_for_a_decision_and_the_editor_for_a_rule(client, users, city):
    responsibility_set = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    url = reverse("responsibility:set_transition", args=[responsibility_set.pk, "approve"])
    _names(_refused(client, users.editor_a, url, post={"comment": "同意"}), OFFICE)
    _names(_refused(client, users.city_reviewer, reverse("responsibility:rule_create", args=[city.dept_a.pk])), EDITOR)


def test_403_of_the_administrators_names_the_right_one(client, users, city):
    _names(_refused(client, users.city_reviewer, reverse("audit:list")), AUDIT)
    _names(_refused(client, users.editor_a, reverse("accounts:user_unlock", args=[users.editor_b.pk]), post={}), SECURITY)


def test_deadline_form_renders_a_datetime_local_input(client, users, city):
    client.force_login(users.city_reviewer)
    content = client.get(reverse("basis:deadline")).content.decode()
    assert re.search(r'<input type="datetime-local" name="due_at"', content)
    with open("static/css/app.css", encoding="utf-8") as css:
        assert "input[type=datetime-local]" in css.read()


def test_compilation_page_links_the_pdf_when_one_is_ready(client, users, city, settings, tmp_path):
    from django.core.files.base import ContentFile

    from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.city_reviewer)
    url = reverse("basis:compilation")
    content = client.get(url).content.decode()
    assert "No compilation PDF is ready yet." in content
    document = DisclosureDocument(
        organisation=city.city, kind=DocumentKind.COMPILATION, version=1, content_hash="h1",
        status=DocumentStatus.QUEUED, data_as_of=timezone.now(),
    )
    document.save()
    assert "No compilation PDF is ready yet." in client.get(url).content.decode()  # queued: no link
    document.file.save("compilation.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    document.status = DocumentStatus.READY
    document.save()
    content = client.get(url).content.decode()
    download = reverse("disclosure:download", args=[document.pk])
    assert f'href="{download}"' in content and "Compilation PDF of 测试市人民政府 (v1)" in content
    assert client.get(download).status_code == 200


# -- Searchable selects, served by the app ----------------------------------------------------


def test_searchable_select_library_is_served_by_the_app(client, users, city):
    """tom-select comes from the npm registry (package.json, npm ci in scripts/setup.sh) and is
    served from our own origin; the page links no other host."""
    client.force_login(users.city_reviewer)
    content = client.get(reverse("home")).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', content)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', content)
    assert all(src.startswith("/static/") for src in scripts + styles), scripts + styles
    assert "/static/vendor/tom-select/js/tom-select.complete.min.js" in scripts
    for url in ["/static/vendor/tom-select/js/tom-select.complete.min.js", "/static/vendor/tom-select/css/tom-select.default.min.css"]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000


def test_department_fields_are_searchable_selects_that_work_without_javascript(city):
    from basis.forms import EntryForm

    form = EntryForm(department=city.dept_a)
    for name in ["lead_department", "joint_departments", "assisting_departments", "principal", "instrument"]:
        rendered = str(form[name])
        assert rendered.startswith("<select") and "data-searchable" in rendered, name
