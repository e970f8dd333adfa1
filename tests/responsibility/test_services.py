"""The responsibility services: the shared review workflow, the checks on what a responsibility
and a standard may cite, bands, supporting rules and their documents, and the audit trail."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditAction, AuditEvent
from organisations.models import OrganisationKind
from responsibility import services
from responsibility.models import HolderLevel, StandardBand, SupportingRuleStatus
from responsibility.services import BandData, ResponsibilityData, ResponsibilityError, RuleData, StandardData
from tests.authority.factories import PostFactory
from tests.factories import OrganisationFactory
from workflow.review import ReviewStatus, WorkflowError

from .factories import ResponsibilitySetFactory, breakdown_with, responsibility_kind, stage

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def powers(city):
    return breakdown_with(city.dept_a, codes=("P-1", "P-2"))


@pytest.fixture
def draft(city, users, powers):
    return services.responsibility_set_start(actor=users.editor_a, department=city.dept_a)


def _data(**kwargs):
    return ResponsibilityData(**{"kind": responsibility_kind(), "content": "十个工作日内予以立案", **kwargs})


def _bands(*orders):
    return [BandData(order=o, label="一般", circumstances=f"情节{o}", measure=f"罚款{o}万元") for o in orders]


# -- Workflow ---------------------------------------------------------------------------------


def test_every_transition_through_to_publication(users, draft):
    services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-1"))
    steps = [
        (services.responsibility_set_submit, users.editor_a, {}, ReviewStatus.SUBMITTED),
        (services.responsibility_set_start_review, users.city_reviewer, {}, ReviewStatus.UNDER_REVIEW),
        (services.responsibility_set_return, users.city_reviewer, {"comment": "请按环节细化责任事项"}, ReviewStatus.RETURNED),
        (services.responsibility_set_submit, users.editor_a, {}, ReviewStatus.SUBMITTED),
        (services.responsibility_set_start_review, users.city_reviewer, {}, ReviewStatus.UNDER_REVIEW),
        (services.responsibility_set_approve, users.city_reviewer, {}, ReviewStatus.APPROVED),
        (services.responsibility_set_publish, users.city_reviewer, {}, ReviewStatus.PUBLISHED),
    ]
    for service, actor, kwargs, expected in steps:
        draft = service(actor=actor, responsibility_set=draft, **kwargs)
        assert draft.status == expected
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.comment == "请按环节细化责任事项"
    assert [e.to_status for e in draft.events.all()] == [ReviewStatus.DRAFT] + [s[3] for s in steps]
    transitions = AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(draft.pk))
    assert transitions.count() == len(steps)


def test_wrong_state_is_refused_with_the_reason(users, draft):
    with pytest.raises(WorkflowError, match="Cannot Approve a record that is Draft"):
        services.responsibility_set_approve(actor=users.city_reviewer, responsibility_set=draft)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT


def test_submit_refuses_an_empty_set(users, draft):
    with pytest.raises(ResponsibilityError, match="without responsibilities"):
        services.responsibility_set_submit(actor=users.editor_a, responsibility_set=draft)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT


def test_return_needs_a_comment(users, city, powers):
    submitted = ResponsibilitySetFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW)
    with pytest.raises(ResponsibilityError, match="Say why"):
        services.responsibility_set_return(actor=users.city_reviewer, responsibility_set=submitted, comment="  ")


def test_roles_are_checked_before_the_state(users, city, draft):
    with pytest.raises(PermissionDenied):
        services.responsibility_set_submit(actor=users.editor_b, responsibility_set=draft)
    with pytest.raises(PermissionDenied):
        services.responsibility_set_start_review(actor=users.county_reviewer, responsibility_set=draft)
    with pytest.raises(PermissionDenied):
        services.responsibility_create(actor=users.head_a, responsibility_set=draft, data=_data())
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3


def test_publish_supersedes_and_the_next_version_copies_everything(users, city, powers, draft):
    services.responsibility_create(
        actor=users.editor_a, responsibility_set=draft,
        data=_data(level=HolderLevel.AGENCY, agency=city.agency_a, power_code="P-1", stage=stage("filing")),
    )
    services.standard_create(
        actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-1", title="裁量基准", bands=_bands(1, 2, 3))
    )
    for service, actor in (
        (services.responsibility_set_submit, users.editor_a),
        (services.responsibility_set_start_review, users.city_reviewer),
        (services.responsibility_set_approve, users.city_reviewer),
        (services.responsibility_set_publish, users.city_reviewer),
    ):
        first = service(actor=actor, responsibility_set=draft)
    second = services.responsibility_set_start(actor=users.editor_a, department=city.dept_a)
    assert second.version == 2 and second.based_on_id == first.pk
    copied = second.responsibilities.get()
    assert (copied.agency, copied.power_code, copied.stage.code) == (city.agency_a, "P-1", "filing")
    assert [b.order for b in second.standards.get().bands.order_by("order")] == [1, 2, 3]
    with pytest.raises(WorkflowError, match="already has a version in progress"):
        services.responsibility_set_start(actor=users.editor_a, department=city.dept_a)
    for service, actor in (
        (services.responsibility_set_submit, users.editor_a),
        (services.responsibility_set_start_review, users.city_reviewer),
        (services.responsibility_set_approve, users.city_reviewer),
        (services.responsibility_set_publish, users.city_reviewer),
    ):
        second = service(actor=actor, responsibility_set=second)
    first.refresh_from_db()
    assert first.status == ReviewStatus.SUPERSEDED and second.status == ReviewStatus.PUBLISHED
    assert first.events.last().comment.startswith("Superseded") or first.events.last().to_status == ReviewStatus.SUPERSEDED
    # The published version's rows are untouched by the copy.
    assert first.responsibilities.count() == 1 and first.standards.get().bands.count() == 3


# -- What a responsibility may cite -----------------------------------------------------------


def test_power_code_outside_the_current_breakdown_is_refused_by_name(users, draft):
    with pytest.raises(ResponsibilityError, match="Power code P-99 is not in the current breakdown of 测试市市场监督管理局"):
        services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-99"))


def test_codes_of_a_draft_breakdown_do_not_count_but_one_before_the_office_does(users, city, draft):
    breakdown_with(city.dept_a, codes=("P-NEW",), status=ReviewStatus.DRAFT)
    with pytest.raises(ResponsibilityError, match="P-NEW"):
        services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-NEW"))
    city.dept_a.breakdowns.filter(status=ReviewStatus.DRAFT).update(status=ReviewStatus.SUBMITTED)
    item = services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-NEW"))
    assert item.power_code == "P-NEW"
    # The published version's codes still count while the next one is before the office.
    services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-1"))


def test_another_departments_powers_do_not_count(users, city, draft):
    breakdown_with(city.dept_b, codes=("B-1",))
    with pytest.raises(ResponsibilityError, match="B-1"):
        services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="B-1"))


def test_agency_and_post_of_another_department_are_refused(users, city, draft):
    agency_b = OrganisationFactory(parent=city.dept_b, code="C-B-1", name="卫生监督科", kind=OrganisationKind.AGENCY)
    post_b = PostFactory(agency=agency_b, name="卫生监督岗")
    with pytest.raises(ResponsibilityError, match="卫生监督科 is not an internal agency of 测试市市场监督管理局"):
        services.responsibility_create(
            actor=users.editor_a, responsibility_set=draft, data=_data(level=HolderLevel.AGENCY, agency=agency_b)
        )
    with pytest.raises(ResponsibilityError, match="not an internal agency"):
        services.responsibility_create(
            actor=users.editor_a, responsibility_set=draft, data=_data(level=HolderLevel.POST, post=post_b)
        )
    # The entrusted organisation under the department is no internal agency either.
    with pytest.raises(ResponsibilityError, match="not an internal agency"):
        services.responsibility_create(
            actor=users.editor_a, responsibility_set=draft, data=_data(level=HolderLevel.AGENCY, agency=city.entrusted_a)
        )


@pytest.mark.parametrize(
    "level, holder, message",
    [
        (HolderLevel.DEPARTMENT, "agency", "names no agency and no post"),
        (HolderLevel.AGENCY, None, "Choose the agency"),
        (HolderLevel.AGENCY, "post", "names no post"),
        (HolderLevel.POST, None, "Choose the post"),
    ],
)
def test_level_must_match_the_holder(users, city, draft, level, holder, message):
    post = PostFactory(agency=city.agency_a)
    holders = {"agency": {"agency": city.agency_a}, "post": {"agency": city.agency_a, "post": post}, None: {}}
    with pytest.raises(ResponsibilityError, match=message):
        services.responsibility_create(
            actor=users.editor_a, responsibility_set=draft, data=_data(level=level, **holders[holder])
        )


def test_a_post_responsibility_records_the_posts_agency(users, city, draft):
    post = PostFactory(agency=city.agency_a, name="案件承办岗")
    item = services.responsibility_create(
        actor=users.editor_a, responsibility_set=draft, data=_data(level=HolderLevel.POST, post=post)
    )
    assert item.agency == city.agency_a and item.post == post


def test_stage_must_be_a_step_of_the_powers_procedure(users, city, draft):
    with pytest.raises(ResponsibilityError, match="Stage 决定 is not a step of the procedure of 职权P-1的处罚 \\(立案、调查取证\\)"):
        services.responsibility_create(
            actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-1", stage=stage("decision"))
        )
    ok = services.responsibility_create(
        actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-1", stage=stage("investigation"))
    )
    assert ok.stage.code == "investigation"


def test_any_stage_for_a_power_without_procedure(users, city):
    breakdown_with(city.dept_a, codes=("P-9",), stages=())
    draft = services.responsibility_set_start(actor=users.editor_a, department=city.dept_a)
    item = services.responsibility_create(
        actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-9", stage=stage("decision"))
    )
    assert item.stage.code == "decision"


def test_submitted_set_cannot_be_edited_and_edits_are_on_record(users, city, draft):
    item = services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data())
    services.responsibility_update(actor=users.editor_a, responsibility=item, data=_data(content="七日内送达"))
    item.refresh_from_db()
    assert item.content == "七日内送达"
    services.responsibility_set_submit(actor=users.editor_a, responsibility_set=draft)
    with pytest.raises(ResponsibilityError, match="A Submitted responsibility set cannot be edited"):
        services.responsibility_delete(actor=users.editor_a, responsibility=item)
    actions = list(
        AuditEvent.objects.filter(object_type__endswith="responsibility", object_id=str(item.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


def test_submit_refuses_codes_that_left_the_breakdown(users, city, powers, draft):
    services.responsibility_create(actor=users.editor_a, responsibility_set=draft, data=_data(power_code="P-2"))
    powers.powers.filter(code="P-2").delete()
    with pytest.raises(ResponsibilityError, match="P-2 are no longer in the current breakdown"):
        services.responsibility_set_submit(actor=users.editor_a, responsibility_set=draft)


# -- Standards --------------------------------------------------------------------------------


def test_a_standard_needs_a_band(users, draft):
    with pytest.raises(ResponsibilityError, match="at least one band"):
        services.standard_create(
            actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-1", title="基准", bands=[])
        )


def test_band_orders_are_unique_and_rows_complete(users, draft):
    with pytest.raises(ResponsibilityError, match="2 is used more than once"):
        services.standard_create(
            actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-1", title="基准", bands=_bands(1, 2, 2))
        )
    empty = [BandData(order=1, circumstances="货值金额不足一万元", measure=" ")]
    with pytest.raises(ResponsibilityError, match="Band 1 needs both its circumstances and its measure"):
        services.standard_create(
            actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-1", title="基准", bands=empty)
        )
    with pytest.raises(ResponsibilityError, match="P-77"):
        services.standard_create(
            actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-77", title="基准", bands=_bands(1))
        )
    assert not draft.standards.exists()


def test_bands_are_replaced_as_a_whole(users, draft):
    standard = services.standard_create(
        actor=users.editor_a, responsibility_set=draft, data=StandardData(power_code="P-1", title="基准", bands=_bands(1, 2, 3, 4))
    )
    services.standard_update(
        actor=users.editor_a, standard=standard, data=StandardData(power_code="P-2", title="新基准", bands=_bands(5, 1))
    )
    standard.refresh_from_db()
    assert standard.power_code == "P-2" and standard.title == "新基准"
    assert list(StandardBand.objects.filter(standard=standard).values_list("order", flat=True)) == [1, 5]
    services.standard_delete(actor=users.editor_a, standard=standard)
    assert not StandardBand.objects.exists()
    assert set(
        AuditEvent.objects.filter(object_type__endswith="enforcementstandard").values_list("action", flat=True)
    ) == {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE}


# -- Supporting rules -------------------------------------------------------------------------


def _pdf(name="制度.pdf", content=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _docx(name="制度.docx", member="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def _rule(**kwargs):
    return RuleData(**{
        "kind": "post_responsibility", "title": "行政执法岗位责任制度", "adopted_on": datetime.date(2024, 3, 15), **kwargs,
    })


def test_rule_register_create_update_and_status(users, city):
    rule = services.supporting_rule_create(actor=users.editor_a, department=city.dept_a, data=_rule(document=_pdf()))
    assert rule.document.name.endswith(".pdf") and rule.status == SupportingRuleStatus.IN_FORCE
    services.supporting_rule_update(actor=users.editor_a, rule=rule, data=_rule(title="岗位责任制度（修订）", document_number="测市监发〔2025〕1号"))
    rule.refresh_from_db()
    assert rule.title == "岗位责任制度（修订）" and rule.document  # the document stays when none is uploaded
    services.supporting_rule_set_status(actor=users.editor_a, rule=rule, status=SupportingRuleStatus.REPEALED)
    rule.refresh_from_db()
    assert rule.status == SupportingRuleStatus.REPEALED
    with pytest.raises(ResponsibilityError, match="already Repealed"):
        services.supporting_rule_set_status(actor=users.editor_a, rule=rule, status=SupportingRuleStatus.REPEALED)
    with pytest.raises(PermissionDenied):
        services.supporting_rule_update(actor=users.editor_b, rule=rule, data=_rule())
    with pytest.raises(PermissionDenied):
        services.supporting_rule_create(actor=users.city_reviewer, department=city.dept_a, data=_rule())
    assert list(
        AuditEvent.objects.filter(object_type__endswith="supportingrule", object_id=str(rule.pk)).order_by("id").values_list("action", flat=True)
    ) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.TRANSITION, AuditAction.PERMISSION_DENIED]


def test_rule_dates_and_kinds_are_checked(users, city):
    with pytest.raises(ResponsibilityError, match="future"):
        services.supporting_rule_create(
            actor=users.editor_a, department=city.dept_a, data=_rule(adopted_on=datetime.date.today() + datetime.timedelta(days=1))
        )
    with pytest.raises(ResponsibilityError, match="Unknown kind"):
        services.supporting_rule_create(actor=users.editor_a, department=city.dept_a, data=_rule(kind="other"))


@pytest.mark.parametrize(
    "upload, message",
    [
        (lambda: _pdf(name="制度.exe"), "Upload the rule as"),
        (lambda: _pdf(content=b"MZ\x90\x00not a pdf"), "named .pdf but its content is not a PDF document"),
        (lambda: _docx(member="xl/workbook.xml"), "named .docx but its content"),
        (lambda: _pdf(content=b""), "empty"),
    ],
)
def test_documents_are_checked_by_name_and_content(users, city, upload, message):
    with pytest.raises(ResponsibilityError, match=message):
        services.supporting_rule_create(actor=users.editor_a, department=city.dept_a, data=_rule(document=upload()))


def test_document_size_limit(users, city, monkeypatch):
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", 10)
    with pytest.raises(ResponsibilityError, match="larger than"):
        services.supporting_rule_create(actor=users.editor_a, department=city.dept_a, data=_rule(document=_pdf()))


def test_a_docx_document_is_accepted(users, city):
    rule = services.supporting_rule_create(actor=users.editor_a, department=city.dept_a, data=_rule(document=_docx()))
    assert rule.document.name.endswith(".docx")
