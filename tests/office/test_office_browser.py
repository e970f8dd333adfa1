"""The office screens in a real browser, at desktop and phone width: the home tiles, tables that
stack into cards on a phone, and the searchable department select (served by the app, under the
Content-Security-Policy). Screenshots go to test-artifacts/ (docs/ keeps one of each)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from basis.models import SubmissionDeadline
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from tests.browser import chromium_page, sign_in
from tests.factories import OrganisationFactory
from workflow.review import ReviewStatus

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
PHONE = {"width": 390, "height": 844}

DEPARTMENTS = [
    ("C-C", "测试市生态环境局"), ("C-D", "测试市交通运输局"), ("C-E", "测试市城市管理行政执法局"),
    ("C-F", "测试市自然资源和规划局"), ("C-G", "测试市应急管理局"), ("C-H", "测试市（原）文化广电新闻出版局"),
]


@pytest.fixture
def city_in_progress(city, users):
    food = InstrumentFactory(name="中华人民共和国食品安全法", issuing_organ="全国人民代表大会常务委员会")
    ads = InstrumentFactory(name="中华人民共和国广告法", issuing_organ="全国人民代表大会常务委员会")
    SubmissionDeadline.objects.create(
        jurisdiction=city.city, due_at=timezone.now() - datetime.timedelta(days=2), created_by=users.city_reviewer,
        note="按市政府通知，2026年12月15日前报送",
    )
    a = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, submitted_at=timezone.now())
    EntryFactory(catalogue=a, instrument=food, provisions="第八十七条、第一百二十二条第一款",
                 rights_and_duties="对食品生产经营活动实施监督检查，依法查处违法行为。")
    EntryFactory(catalogue=a, instrument=ads, category="joint", joint_departments=[city.dept_b],
                 rights_and_duties="依法查处虚假广告；会同有关部门开展广告监测。")
    b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.SUBMITTED, is_late=True, submitted_at=timezone.now())
    EntryFactory(catalogue=b, instrument=food, rights_and_duties="对食品安全风险监测实施管理。")
    for n, (code, name) in enumerate(DEPARTMENTS):
        department = OrganisationFactory(parent=city.city, code=code, name=name)
        if n % 3 == 0:
            CatalogueFactory(department=department, status=ReviewStatus.UNDER_REVIEW, submitted_at=timezone.now())
    return a


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_office_home_desktop_and_phone(live_server, users, city_in_progress):
    with chromium_page() as page:
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(page, live_server.url, users.city_reviewer)
        assert page.locator("a.card.tile").count() >= 5
        _shot(page, "office-home-desktop.png")
        page.set_viewport_size(PHONE)
        page.reload()
        _shot(page, "office-home-phone.png")
        # Every tile opens a list with as many rows as it says.
        tiles = page.eval_on_selector_all(
            "a.card.tile", "els => els.map(a => [a.getAttribute('href'), Number(a.querySelector('.stat').textContent)])"
        )
        for href, count in tiles:
            if "?" not in href:
                continue
            page.goto(live_server.url + href)
            assert page.locator("table tbody tr").count() == count, href
        assert violations == []


def test_catalogue_on_a_phone_stacks_into_cards(live_server, users, city_in_progress):
    with chromium_page() as page:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/")
        sign_in(page, live_server.url, users.city_reviewer)
        page.goto(f"{live_server.url}/office/basis/catalogues/{city_in_progress.pk}/")
        # No sideways scrolling: the page is no wider than the phone, the header row is hidden
        # and each cell carries its label.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert not page.locator("table.stack thead").first.is_visible()
        label = page.evaluate(
            "() => getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before').content"
        )
        assert label.strip('"').rstrip("：")
        _shot(page, "phone-catalogue.png")
        # The editor's home on the phone: the deadline, overdue, and what is left to do.
    with chromium_page() as page:
        page.set_viewport_size(PHONE)
        sign_in(page, live_server.url, users.editor_b)
        assert page.locator("table.deadlines").is_visible()
        _shot(page, "editor-home-phone.png")


def test_department_select_is_searchable_under_the_policy(live_server, users, city_in_progress):
    with chromium_page(locale="en-GB") as page:
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(page, live_server.url, users.editor_a)
        draft = CatalogueFactory(department=users.editor_a.organisation, status=ReviewStatus.DRAFT)
        page.goto(f"{live_server.url}/office/basis/catalogues/{draft.pk}/entries/new/")
        page.wait_for_selector("#id_joint_departments + .ts-wrapper, .ts-wrapper")
        assert page.evaluate("() => !!document.getElementById('id_lead_department').tomselect")
        assert violations == []
    # Without JavaScript the same form is a plain select that works.
    with chromium_page(locale="en-GB") as page:
        page.context.set_extra_http_headers({})
        sign_in(page, live_server.url, users.editor_a)
        page.context.route("**/*.js", lambda route: route.abort())
        page.goto(f"{live_server.url}/office/basis/catalogues/{draft.pk}/entries/new/")
        assert page.locator("select#id_lead_department").is_visible()
        assert page.locator(".ts-wrapper").count() == 0
