"""Issue 12, item 6: checks a reviewer can trust. General laws that bind every department never
collide; a joint or coordinated entry that the partner records otherwise is a finding; approving
over open findings needs an acknowledged, audited reason; the office's findings page (filters,
counts, scope, export) and its query count."""

import io

import pytest
from django.core.cache import cache
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from basis import services
from basis.checks import FindingKind, findings
from basis.models import BasisCatalogue, InstrumentLevel, ManagementCategory
from organisations.models import OrganisationKind
from workflow.review import ReviewStatus, WorkflowError

from ..factories import OrganisationFactory
from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

SOLE, JOINT, COORDINATED = ManagementCategory.SOLE, ManagementCategory.JOINT, ManagementCategory.COORDINATED
URL = "/office/basis/findings/"


@pytest.fixture
def punishment_law(db):
    return InstrumentFactory(
        name="中华人民共和国行政处罚法",
        level=InstrumentLevel.LAW,
        issuing_organ="全国人民代表大会常务委员会",
        binds_all_departments=True,
    )


@pytest.fixture
def food_law(db):
    return InstrumentFactory(name="中华人民共和国食品安全法", level=InstrumentLevel.LAW, issuing_organ="全国人民代表大会常务委员会")


def kinds(found):
    return [f.kind for f in found]


# -- General laws -------------------------------------------------------------------------------


def test_three_departments_listing_the_punishment_law_as_sole_lead_raise_nothing(city, punishment_law):
    environment = OrganisationFactory(parent=city.city, code="C-HB", name="测试市生态环境局")
    for department in (city.dept_a, city.dept_b, environment):
        EntryFactory(catalogue=CatalogueFactory(department=department), instrument=punishment_law, provisions="第八条、第九条")

    assert findings(scope_path=city.city.path) == []


def test_the_same_three_on_an_ordinary_law_collide_pairwise(city, food_law):
    environment = OrganisationFactory(parent=city.city, code="C-HB", name="测试市生态环境局")
    for department in (city.dept_a, city.dept_b, environment):
        EntryFactory(catalogue=CatalogueFactory(department=department), instrument=food_law)

    assert kinds(findings(scope_path=city.city.path)) == [FindingKind.MULTI_HEAD] * 3


def test_a_general_law_named_jointly_raises_no_cross_enforcement(city, punishment_law):
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a),
        instrument=punishment_law,
        category=JOINT,
        joint_departments=[city.dept_b],
    )
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=InstrumentFactory(name="医疗机构管理条例"))

    assert findings(scope_path=city.city.path) == []


# -- 共管协管记载不一致 ------------------------------------------------------------------------------


def _a_joint_with_b(city, law, category=JOINT, field="joint_departments"):
    return EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a),
        instrument=law,
        provisions="第八十七条",
        category=category,
        **{field: [city.dept_b]},
    )


def test_partner_records_sole_lead(city, food_law):
    a = _a_joint_with_b(city, food_law)
    b = EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=food_law, category=SOLE)

    found = findings(scope_path=city.city.path)

    assert kinds(found) == [FindingKind.PARTNER_MISMATCH]
    assert found[0].entry_ids == (a.pk, b.pk)
    assert found[0].department_ids == (city.dept_a.pk, city.dept_b.pk)
    with translation.override("en"):
        assert found[0].message == (
            "测试市市场监督管理局 records 中华人民共和国食品安全法 (第八十七条) as Joint management with "
            "测试市卫生健康委员会 as joint department; 测试市卫生健康委员会 records it as Sole management, "
            "naming 测试市市场监督管理局 nowhere."
        )


def test_partner_records_the_department_as_assisting(city, food_law):
    _a_joint_with_b(city, food_law)
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b),
        instrument=food_law,
        category=COORDINATED,
        assisting_departments=[city.dept_a],
    )

    found = findings(scope_path=city.city.path)

    assert kinds(found) == [FindingKind.PARTNER_MISMATCH]
    with translation.override("en"):
        assert "records it as Coordinated management, naming 测试市市场监督管理局 as assisting department." in found[0].message


def test_partner_not_listing_the_instrument_is_cross_enforcement_not_a_mismatch(city, food_law):
    _a_joint_with_b(city, food_law)
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=InstrumentFactory(name="医疗机构管理条例"))

    assert kinds(findings(scope_path=city.city.path)) == [FindingKind.CROSS]


@pytest.mark.parametrize(
    "category, field, b_entry",
    [
        # B names A as lead of the joint management.
        (JOINT, "joint_departments", {"category": JOINT, "lead": "a"}),
        # Each leads in its own catalogue, naming the other as joint: the usual shape.
        (JOINT, "joint_departments", {"category": JOINT, "joint": "a"}),
        # A leads, B assists: B names A as lead and itself as assisting.
        (COORDINATED, "assisting_departments", {"category": COORDINATED, "lead": "a", "assisting": "b"}),
    ],
)
def test_partner_recording_the_same_is_no_finding(city, food_law, category, field, b_entry):
    _a_joint_with_b(city, food_law, category, field)
    named = {"a": city.dept_a, "b": city.dept_b}
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b),
        instrument=food_law,
        category=b_entry["category"],
        lead_department=named[b_entry.get("lead", "b")],
        joint_departments=[named[b_entry["joint"]]] if "joint" in b_entry else [],
        assisting_departments=[named[b_entry["assisting"]]] if "assisting" in b_entry else [],
    )

    assert findings(scope_path=city.city.path) == []


def test_coordinated_roles_swapped_is_one_finding(city, food_law):
    """A says it leads with B assisting; B says it leads with A assisting: both name each other,
    one finding for the pair."""
    _a_joint_with_b(city, food_law, COORDINATED, "assisting_departments")
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b),
        instrument=food_law,
        provisions="第八十七条",
        category=COORDINATED,
        assisting_departments=[city.dept_a],
    )

    assert kinds(findings(scope_path=city.city.path)) == [FindingKind.PARTNER_MISMATCH]


def test_partner_entry_on_other_provisions_is_not_its_answer(city, food_law):
    _a_joint_with_b(city, food_law)
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=food_law, provisions="第一百二十二条")

    assert findings(scope_path=city.city.path) == []


def test_mismatch_seen_from_the_partners_draft(city, food_law):
    """B's draft says sole lead: B's pre-submit check shows the mismatch with A's entry."""
    from basis.checks import findings_for_catalogue

    _a_joint_with_b(city, food_law)
    draft = CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=draft, instrument=food_law, category=SOLE)

    assert kinds(findings_for_catalogue(draft)) == [FindingKind.PARTNER_MISMATCH]


# -- Approving over open findings ---------------------------------------------------------------


@pytest.fixture
def contested(city, food_law):
    """A's published catalogue leads on the Food Safety Law; B's version under review does too."""
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=food_law)
    catalogue = CatalogueFactory(department=city.dept_b, status=ReviewStatus.UNDER_REVIEW)
    EntryFactory(catalogue=catalogue, instrument=food_law, provisions="第三十五条")
    return catalogue


@pytest.mark.parametrize("acknowledged, reason", [(False, ""), (True, "  "), (False, "经市政府协调")])
def test_approval_over_open_findings_is_refused_without_acknowledgement_and_reason(users, contested, acknowledged, reason):
    with pytest.raises(WorkflowError) as refused, translation.override("en"):
        services.catalogue_approve(
            actor=users.city_reviewer, catalogue=contested, acknowledged_findings=acknowledged, reason=reason
        )

    assert "1 open findings (Multi-head enforcement)" in str(refused.value)
    contested.refresh_from_db()
    assert contested.status == ReviewStatus.UNDER_REVIEW
    assert not contested.events.filter(to_status=ReviewStatus.APPROVED).exists()


def test_approval_over_open_findings_with_a_reason_is_audited(users, contested):
    reason = "两部门职责已由《测试市人民政府关于食品安全监管职责分工的通知》（测政发〔2021〕12号）明确"

    services.catalogue_approve(actor=users.city_reviewer, catalogue=contested, acknowledged_findings=True, reason=reason)

    contested.refresh_from_db()
    assert contested.status == ReviewStatus.APPROVED
    assert contested.events.get(to_status=ReviewStatus.APPROVED).comment == reason
    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE, object_type="basis.basiscatalogue", object_id=str(contested.pk)
    )
    assert event.actor == users.city_reviewer
    assert event.detail == {"acknowledged_findings": {FindingKind.MULTI_HEAD.value: 1}, "reason": reason}


def test_approval_without_findings_needs_no_reason(city, users):
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW)
    EntryFactory(catalogue=catalogue, provisions="第一条")

    services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue)

    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(catalogue.pk)).exists()


def test_review_page_asks_for_the_reason_and_the_form_approves(client, users, contested):
    client.force_login(users.city_reviewer)
    page = client.get(f"/office/basis/catalogues/{contested.pk}/").content.decode()
    assert 'id="approve-with-findings"' in page
    assert 'name="reason"' in page

    url = f"/office/basis/catalogues/{contested.pk}/transition/approve/"
    client.post(url, {"reason": "经协调"})
    contested.refresh_from_db()
    assert contested.status == ReviewStatus.UNDER_REVIEW

    client.post(url, {"acknowledged_findings": "1", "reason": "经市政府协调，已明确分工"})
    contested.refresh_from_db()
    assert contested.status == ReviewStatus.APPROVED


def test_api_approve_takes_the_acknowledgement(api_client, users, contested):
    api_client.force_authenticate(users.city_reviewer)
    url = f"/api/basis/catalogues/{contested.pk}/approve/"

    refused = api_client.post(url, {}, format="json")
    assert refused.status_code == 409

    approved = api_client.post(url, {"acknowledged_findings": True, "reason": "经市政府协调"}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == ReviewStatus.APPROVED


# -- The office's findings page -------------------------------------------------------------------


@pytest.fixture
def jurisdiction_findings(city, food_law):
    """In the city: one multi-head pair (A, B on the Food Safety Law), one repealed citation by
    B, one partner mismatch (A joint with B on the drug law, B sole). In county X: a multi-head
    pair between X1 and a second county department. The formula-like department name is one a
    spreadsheet would evaluate."""
    repealed = InstrumentFactory(name="测试市食品摊贩管理办法（已废止）", status="repealed")
    drug_law = InstrumentFactory(name="中华人民共和国药品管理法", level=InstrumentLevel.LAW)
    a = CatalogueFactory(department=city.dept_a)
    b = CatalogueFactory(department=city.dept_b)
    EntryFactory(catalogue=a, instrument=food_law)
    EntryFactory(catalogue=b, instrument=food_law)
    EntryFactory(catalogue=b, instrument=repealed)
    EntryFactory(catalogue=a, instrument=drug_law, category=JOINT, joint_departments=[city.dept_b])
    EntryFactory(catalogue=b, instrument=drug_law, category=SOLE)
    x2 = OrganisationFactory(parent=city.county_x, code="X-2", name="=甲县卫生健康局", kind=OrganisationKind.DEPARTMENT)
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_x1), instrument=food_law)
    EntryFactory(catalogue=CatalogueFactory(department=x2), instrument=food_law)
    return x2


def test_city_office_sees_every_finding_with_counts(client, users, jurisdiction_findings):
    client.force_login(users.city_reviewer)
    response = client.get(URL)

    assert response.status_code == 200
    counts = {value: count for value, _label, count in response.context["report"].counts}
    assert counts == {
        "multi_head": 2, "cross": 0, "repealed": 1, "ultra_vires": 0, "duplicate": 0, "partner_mismatch": 1,
    }
    assert response.context["page"].paginator.count == 4


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "multi_head"}, 2),
        ({"kind": "partner_mismatch"}, 1),
        ({"kind": "nonsense"}, 4),
        ({"department": "dept_b"}, 3),
        ({"department": "dept_b", "kind": "repealed"}, 1),
        ({"instrument": "food_law"}, 2),
        ({"instrument": "food_law", "department": "dept_a"}, 1),
        ({"department": "abc"}, 4),
    ],
)
def test_filters(client, city, users, jurisdiction_findings, food_law, query, expected):
    values = {"dept_a": city.dept_a.pk, "dept_b": city.dept_b.pk, "food_law": food_law.pk}
    client.force_login(users.city_reviewer)

    response = client.get(URL, {key: values.get(value, value) for key, value in query.items()})

    assert response.context["page"].paginator.count == expected


def test_county_office_sees_its_county_only(client, city, users, jurisdiction_findings):
    client.force_login(users.county_reviewer)
    response = client.get(URL)

    found = list(response.context["page"].object_list)
    assert [(f.kind, f.department_ids) for f in found] == [
        (FindingKind.MULTI_HEAD, (city.dept_x1.pk, jurisdiction_findings.pk))
    ]
    assert "测试市市场监督管理局" not in response.content.decode()


@pytest.mark.parametrize("role", ["editor_a", "head_a", "establishment", "sysadmin"])
def test_others_are_refused(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "xlsx"}).status_code == 403


def test_export_has_no_formula_cells_and_is_audited(client, users, jurisdiction_findings):
    client.force_login(users.city_reviewer)

    response = client.get(URL, {"format": "xlsx", "kind": "multi_head"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert any("=甲县卫生健康局" in (value or "") for row in rows for value in row)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=users.city_reviewer)
    assert event.detail["rows"] == 2


def test_findings_page_queries_do_not_grow_with_the_data(client, city, users, jurisdiction_findings, django_assert_max_num_queries):
    client.force_login(users.city_reviewer)
    client.get(URL)  # warms the session
    cache.clear()  # the checks run afresh each time measured
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    # Ten more contested laws between A and B, and the page costs no more.
    a, b = (BasisCatalogue.objects.get(department=department) for department in (city.dept_a, city.dept_b))
    for number in range(10):
        law = InstrumentFactory(name=f"测试市第{number}号管理条例")
        EntryFactory(catalogue=a, instrument=law)
        EntryFactory(catalogue=b, instrument=law)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    # Answered from the cache while nothing changes: the data stamp and the session only.
    with django_assert_max_num_queries(len(few.captured_queries) - 8):
        client.get(URL)
    assert response.context["page"].paginator.count > 4
