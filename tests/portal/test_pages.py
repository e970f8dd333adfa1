"""The portal's pages: what they show, what they never show, stable URLs, 404s, constant
queries."""

import re

import pytest
from django.urls import reverse

from authority.models import PostAssignment, valid_certificates

from responsibility.models import (
    DocumentStatus,
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilitySet,
)
from tests.authority.factories import (
    BreakdownFactory,
    CertificateFactory,
    OfficerFactory,
    PostFactory,
    place,
    step,
)
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from workflow.review import ReviewStatus

from .conftest import ID_NUMBER, add_power, document, responsibility_kind


def test_department_pages_show_the_published_dossier(client, city, published):
    texts = {path: client.get(path) for path in published.pages}
    for path, response in texts.items():
        assert response.status_code == 200, path
        assert 'class="data-as-of"' in response.content.decode(), path
    overview, catalogue, powers, power, posts, officers, responsibilities, standards = (
        texts[p].content.decode() for p in published.pages
    )
    assert city.agency_a.name in overview and "案件办理岗" not in overview
    assert "测试市场监督条例" in catalogue
    assert "未经许可从事经营活动的处罚" in powers and "第十条" in powers and city.agency_a.name in powers
    assert "<svg" in power and "10 working days" in power and "5 working days" in power
    assert "不依法履行职责的" in power and "十个工作日内予以立案" in power and "无照经营处罚裁量基准" in power
    assert "案件办理岗" in posts and "未经许可从事经营活动的处罚" in posts and "Handling" in posts
    assert "王明" in officers and "SC2026000777" in officers and "案件办理岗" in officers
    assert "对本部门执法工作负全面责任" in responsibilities and "未经许可从事经营活动的处罚" in responsibilities
    assert "轻微" in standards and "责令改正" in standards


def test_officers_show_name_post_and_number_only(client, published):
    page = client.get(published.pages[5]).content.decode()
    assert ID_NUMBER not in page and "620102199202021111" not in page
    assert "Male" not in page and "male" not in page
    # Revoked and expired certificates and their holders are not listed.
    assert "赵撤销" not in page and "SC-REVOKED-1" not in page and "钱过期" not in page
    for path in published.pages:
        assert ID_NUMBER not in client.get(path).content.decode(), path


@pytest.mark.parametrize(
    "status", [ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED, ReviewStatus.RETURNED]
)
def test_unpublished_versions_never_appear(client, city, published, status):
    secret = "绝密草稿"
    law = InstrumentFactory(name=f"{secret}条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a, status=status), instrument=law, rights_and_duties=f"{secret}职责")
    draft = BreakdownFactory(department=city.dept_a, status=status)
    post = PostFactory(agency=city.agency_a, name=f"{secret}岗位")
    power = add_power(draft, post, "DRAFT-0001", f"{secret}职权", city.agency_a)
    step(power, 1, "filing", post=post)
    # The draft also changes a power that exists in the published version.
    add_power(draft, published.post, published.power.code, f"{secret}改名", city.agency_a)
    rset = ResponsibilitySet.objects.create(department=city.dept_a, version=2, status=status)
    Responsibility.objects.create(
        responsibility_set=rset, level=HolderLevel.DEPARTMENT, kind=responsibility_kind(), content=f"{secret}责任",
        power_code=published.power.code,
    )
    EnforcementStandard.objects.create(responsibility_set=rset, power_code=published.power.code, title=f"{secret}标准")
    paths = [
        *published.pages, *published.public,
        f"/departments/{city.dept_a.code}/powers/DRAFT-0001/",
        f"/search/?q={secret}", f"/search/?q={secret}&in=entries", "/search/?q=DRAFT-0001",
        f"/catalogues/search/?q={secret}", f"/departments/{city.dept_a.code}/powers/?q={secret}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        # The page may repeat its own URL and the query typed (the language switch, the search
        # box): what must never appear is the draft's content.
        text = response.content.decode().replace(path, "").replace("DRAFT-0001/", "").replace("“DRAFT-0001”", "")
        text = text.replace('value="DRAFT-0001"', "").replace("q=DRAFT-0001", "")
        assert secret not in text.replace(secret + "&", "").replace(f'value="{secret}"', "").replace(f"“{secret}”", ""), path
        assert "DRAFT-0001" not in text, path
    assert client.get(f"/departments/{city.dept_a.code}/powers/DRAFT-0001/").status_code == 404


def test_a_department_with_nothing_published_says_so(client, city):
    pages = [
        f"/departments/{city.dept_b.code}/{suffix}"
        for suffix in ("", "catalogue/", "powers/", "posts/", "officers/", "responsibilities/", "standards/")
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'class="empty"' in response.content.decode(), path
    assert "has not published" in client.get(pages[2]).content.decode()


def test_home_and_government_pages(client, city, published):
    home = client.get("/").content.decode()
    assert f'href="/governments/{city.city.code}/"' in home and f'href="/governments/{city.county_x.code}/"' in home
    government = client.get(f"/governments/{city.city.code}/").content.decode()
    assert f'href="/departments/{city.dept_a.code}/"' in government and city.dept_b.name in government
    assert city.city_office.name not in government  # offices are not enforcement departments
    county = client.get(f"/governments/{city.county_x.code}/").content.decode()
    assert city.dept_x1.name in county and city.dept_a.name not in county


def test_search_across_departments(client, city, published):
    page = client.get("/search/?q=未经许可").content.decode()
    assert "未经许可从事经营活动的处罚" in page and city.dept_a.name in page
    assert f"/departments/{city.dept_a.code}/powers/{published.power.code}/" in page
    assert "未经许可从事经营活动的处罚" in client.get(f"/search/?q={published.power.code}").content.decode()
    entries = client.get("/search/?q=测试市场监督&in=entries").content.decode()
    assert "测试市场监督条例" in entries and f"/departments/{city.dept_a.code}/catalogue/" in entries
    assert "Nothing published matches" in client.get("/search/?q=无此职权").content.decode()


def test_unknown_codes_are_not_found(client, city, published):
    for path in [
        "/departments/NOPE/", "/departments/NOPE/powers/", "/departments/NOPE/officers/", "/departments/NOPE/catalogue/",
        f"/departments/{city.dept_a.code}/powers/NOPE/", "/governments/NOPE/",
        f"/governments/{city.dept_a.code}/",  # a department is not a government
        f"/departments/{city.county_x.code}/",  # nor a government a department
        f"/departments/{city.agency_a.code}/",  # an internal agency has no public dossier of its own
        "/departments/NOPE/disclosure/booklet.pdf",
    ]:
        assert client.get(path).status_code == 404, path


def test_urls_are_stable(city, published):
    code = city.dept_a.code
    assert reverse("portal:department", args=[code]) == f"/departments/{code}/"
    assert reverse("portal:department_catalogue", args=[code]) == f"/departments/{code}/catalogue/"
    assert reverse("portal:power", args=[code, "330217001000"]) == f"/departments/{code}/powers/330217001000/"
    for name in ("powers", "posts", "officers", "responsibilities", "standards"):
        assert reverse(f"portal:department_{name}", args=[code]) == f"/departments/{code}/{name}/"
    assert reverse("portal:government", args=["C"]) == "/governments/C/"
    assert reverse("portal:department_document", args=[code, "booklet"]) == f"/departments/{code}/disclosure/booklet.pdf"
    assert reverse("portal:department_document_version", args=[code, "bulletin", 3]) == f"/departments/{code}/disclosure/bulletin/v3.pdf"
    assert reverse("portal:government_document", args=["C", "compilation"]) == "/governments/C/disclosure/compilation.pdf"
    assert reverse("portal:search") == "/search/"


def _grow(city, published, n):
    """n more powers, posts, steps, officers, responsibilities and standards, and ready documents."""
    for i in range(n):
        post = PostFactory(agency=city.agency_a)
        power = add_power(published.breakdown, post, f"GROW-{n}-{i}", f"增加的职权{n}-{i}", city.agency_a, published.law)
        step(power, 1, "filing", post=post)
        officer = OfficerFactory(department=city.dept_a)
        place(officer, post)
        CertificateFactory(officer=officer)
        Responsibility.objects.create(
            responsibility_set=published.rset, level=HolderLevel.POST, post=post, kind=responsibility_kind(),
            power_code=power.code, content=f"责任{n}-{i}",
        )
        standard = EnforcementStandard.objects.create(responsibility_set=published.rset, power_code=power.code, title=f"基准{n}-{i}")
        standard.bands.create(order=1, circumstances="情节", measure="措施")
        EntryFactory(catalogue=published.catalogue)
        document(city.dept_a, "booklet", version=100 + n * 10 + i)


def test_department_pages_run_a_constant_number_of_queries(client, city, published, django_assert_max_num_queries):
    paths = [*published.pages, "/", f"/governments/{city.city.code}/", "/search/?q=职权"]
    _grow(city, published, 2)
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(path).status_code == 200
        counts[path] = len(captured.captured_queries)
    _grow(city, published, 12)
    for path in paths:
        with django_assert_max_num_queries(counts[path]) as captured:
            assert client.get(path).status_code == 200, path


def test_documents_listed_on_the_department_page(client, city, published):
    document(city.dept_a, "booklet", 1)
    document(city.dept_a, "booklet", 2)
    document(city.dept_a, "booklet", 3, status=DocumentStatus.FAILED)
    document(city.dept_a, "bulletin", 1, status=DocumentStatus.QUEUED)
    page = client.get(f"/departments/{city.dept_a.code}/").content.decode()
    assert f"/departments/{city.dept_a.code}/disclosure/booklet.pdf" in page
    assert f"/departments/{city.dept_a.code}/disclosure/booklet/v1.pdf" in page
    assert "booklet/v3.pdf" not in page and "bulletin" not in page


def test_officers_and_departments_are_searchable(client, city, published):
    officers = f"/departments/{city.dept_a.code}/officers/"
    assert "王明" in client.get(officers + "?q=王").content.decode()
    assert "王明" in client.get(officers + "?q=sc2026000777").content.decode()
    assert "王明" not in client.get(officers + "?q=李").content.decode()
    assert "王明" not in client.get(officers + "?q=SC-REVOKED-1").content.decode()
    government = f"/governments/{city.city.code}/"
    page = client.get(government + "?q=卫生").content.decode()
    assert city.dept_b.name in page and city.dept_a.name not in page


def test_department_page_in_four_queries_with_the_counts_of_each_section(client, city, published, django_assert_num_queries):
    """The freshness row (ETag and Last-Modified), the six counts in one query, the agencies and
    the documents: four queries however much is published (issue 17)."""
    path = published.pages[0]
    client.get(path)  # the prepared queries compile on a connection's first request
    with django_assert_num_queries(4):
        page = client.get(path).content.decode()
    _grow(city, published, 5)
    with django_assert_num_queries(4):
        grown = client.get(path).content.decode()
    stats = [int(n) for n in re.findall(r'<div class="stat">(\d+)</div>', grown)]
    entries = published.catalogue.entries.count()
    powers = published.breakdown.powers.count()
    posts = PostAssignment.objects.filter(power__breakdown=published.breakdown).values("post").distinct().count()
    responsibilities = Responsibility.objects.filter(responsibility_set=published.rset).count()
    standards = EnforcementStandard.objects.filter(responsibility_set=published.rset).count()
    # The revoked and expired holders do not count.
    officers = valid_certificates().filter(officer__department=city.dept_a, officer__is_active=True).values("officer").distinct().count()
    assert stats == [entries, powers, posts, responsibilities, standards, officers] and officers == 6
    assert stats != [int(n) for n in re.findall(r'<div class="stat">(\d+)</div>', page)]


def test_department_page_counts_nothing_for_what_is_not_published(client, city):
    page = client.get(f"/departments/{city.dept_b.code}/")
    assert page.status_code == 200
    assert re.findall(r'<div class="stat">(\d+)</div>', page.content.decode()) == ["0"] * 6
