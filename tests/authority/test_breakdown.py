"""Power items rest on provisions of the department's current catalogue; the breakdown goes
through the review workflow of workflow.review."""

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from authority import services
from authority.models import BreakdownEvent, PostAssignment
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions
from workflow.review import ReviewStatus, WorkflowError

from .factories import BreakdownFactory, PostFactory, PowerFactory, kind, stage


@pytest.fixture
def law(city):
    """An instrument in department A's published catalogue."""
    instrument = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=instrument, provisions="第十条、第十二条")
    return instrument


def _data(city, provision_list, **overrides):
    values = dict(
        name="伪造、变造、转让地质勘查资质证书的处罚", code="330217001000", kind=kind("penalty"),
        enforcing_organ=city.dept_a, provisions=provision_list, handling_agency=city.agency_a,
        forwards_only=False, accountability_grounds="因不履行或不正确履行行政职责，有下列情形的……",
    )
    values.update(overrides)
    return services.PowerData(**values)


def test_power_on_catalogue_provisions(city, users, law):
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    power = services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十条")))
    assert [p.label for p in power.provisions.all()] == ["第十条"]
    assert power.handling_agency == city.agency_a
    assert AuditEvent.objects.filter(action="create", object_type="authority.poweritem", object_id=str(power.pk)).count() == 1


def test_power_citing_an_instrument_outside_the_catalogue_is_refused(city, users, law):
    outside = InstrumentFactory(name="测试林业条例")
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    with pytest.raises(WorkflowError) as error:
        services.power_create(
            actor=users.editor_a, breakdown=breakdown,
            data=_data(city, provisions(law, "第十条") + provisions(outside, "第三条")),
        )
    message = str(error.value)
    assert "《测试林业条例》" in message and city.dept_a.name in message
    assert "测试市场监督条例" not in message
    assert not breakdown.powers.exists()


def test_instrument_of_a_catalogue_under_review_may_be_cited(city, users, law):
    newer = InstrumentFactory(name="测试新条例")
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW), instrument=newer, provisions="第一条"
    )
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    power = services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(newer, "第一条")))
    assert power.pk is not None


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.SUPERSEDED])
def test_instruments_of_other_versions_are_not_current(city, users, status):
    instrument = InstrumentFactory()
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a, status=status), instrument=instrument, provisions="第一条")
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    with pytest.raises(WorkflowError, match="not in the current basis catalogue"):
        services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(instrument, "第一条")))


def test_another_departments_catalogue_does_not_count(city, users):
    instrument = InstrumentFactory()
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=instrument, provisions="第一条")
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    with pytest.raises(WorkflowError, match="not in the current basis catalogue"):
        services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(instrument, "第一条")))


@pytest.mark.parametrize("field, value, message", [
    ("handling_agency", "dept_b", "internal agency"),
    ("enforcing_organ", "dept_b", "enforcing organ"),
    ("provisions", None, "at least one provision"),
])
def test_power_fields_checked(city, users, law, field, value, message):
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    data = _data(city, provisions(law, "第十条"), **{field: getattr(city, value) if value else []})
    with pytest.raises(WorkflowError, match=message):
        services.power_create(actor=users.editor_a, breakdown=breakdown, data=data)


@pytest.mark.parametrize("user", ["editor_b", "head_a", "city_reviewer", "sysadmin"])
def test_only_the_departments_editor_writes_powers(city, users, law, user):
    breakdown = BreakdownFactory(department=city.dept_a)
    with pytest.raises(PermissionDenied):
        services.power_create(actor=getattr(users, user), breakdown=breakdown, data=_data(city, provisions(law, "第十条")))


def test_workflow_reuses_the_review_transitions(city, users, law):
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    with pytest.raises(WorkflowError, match="empty"):
        services.breakdown_submit(actor=users.editor_a, breakdown=breakdown)
    services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十条")))
    with pytest.raises(WorkflowError, match="Cannot"):
        services.breakdown_approve(actor=users.city_reviewer, breakdown=breakdown)
    with pytest.raises(PermissionDenied):
        services.breakdown_start_review(actor=users.county_reviewer, breakdown=breakdown)
    services.breakdown_submit(actor=users.editor_a, breakdown=breakdown)
    services.breakdown_start_review(actor=users.city_reviewer, breakdown=breakdown)
    with pytest.raises(WorkflowError, match="why"):
        services.breakdown_return(actor=users.city_reviewer, breakdown=breakdown, comment="")
    services.breakdown_return(actor=users.city_reviewer, breakdown=breakdown, comment="追责情形不完整")
    services.breakdown_submit(actor=users.editor_a, breakdown=breakdown)
    services.breakdown_start_review(actor=users.city_reviewer, breakdown=breakdown)
    services.breakdown_approve(actor=users.city_reviewer, breakdown=breakdown)
    services.breakdown_publish(actor=users.city_reviewer, breakdown=breakdown)
    breakdown.refresh_from_db()
    assert breakdown.status == ReviewStatus.PUBLISHED
    assert list(BreakdownEvent.objects.filter(breakdown=breakdown).values_list("to_status", flat=True)) == [
        "draft", "submitted", "under_review", "returned", "submitted", "under_review", "approved", "published",
    ]
    assert AuditEvent.objects.filter(action="transition", object_type="authority.breakdown").count() == 7
    with pytest.raises(WorkflowError, match="cannot be edited"):
        services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十二条"), code="2"))


def test_next_version_copies_powers_posts_and_procedure(city, users, law):
    post = PostFactory(agency=city.agency_a)
    published = BreakdownFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    power = PowerFactory(breakdown=published, provisions=provisions(law, "第十条"))
    PostAssignment.objects.create(power=power, post=post, role="decision")
    power.steps.create(order=1, stage=stage("filing"), post=post, time_limit=10)
    draft = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    copy = draft.powers.get()
    assert copy.pk != power.pk and copy.code == power.code
    assert [p.label for p in copy.provisions.all()] == ["第十条"]
    assert list(copy.assignments.values_list("post_id", "role")) == [(post.pk, "decision")]
    assert list(copy.steps.values_list("order", "stage__code", "time_limit")) == [(1, "filing", 10)]
    assert power.assignments.count() == 1  # the published version is untouched


def test_assignment_and_procedure(city, users, law):
    post = PostFactory(agency=city.agency_a)
    foreign = PostFactory(agency=city.dept_b)
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    power = services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十条")))
    services.power_assign(actor=users.editor_a, power=power, post=post, role="handling")
    with pytest.raises(WorkflowError, match="already has that role"):
        services.power_assign(actor=users.editor_a, power=power, post=post, role="handling")
    with pytest.raises(WorkflowError, match="does not belong"):
        services.power_assign(actor=users.editor_a, power=power, post=foreign, role="review")
    steps = [services.StepData(stage=stage(code), post=post, duty="依法办理", time_limit=n) for n, code in enumerate(["filing", "decision"], 1)]
    assert services.procedure_replace(actor=users.editor_a, power=power, steps=steps) == 2
    assert list(power.steps.values_list("order", "stage__code")) == [(1, "filing"), (2, "decision")]


def test_post_service(city, users):
    post = services.post_create(actor=users.editor_a, agency=city.agency_a, name="案件审核岗", positions=3)
    assert post.positions == 3
    with pytest.raises(PermissionDenied):
        services.post_create(actor=users.editor_b, agency=city.agency_a, name="另一岗")
    with pytest.raises(WorkflowError, match="internal enforcement agency"):
        services.post_create(actor=users.editor_a, agency=city.dept_a, name="局长岗")


def test_reference_data_loader_is_idempotent():
    from django.core.management import call_command

    from authority.models import PowerKind, ProcedureStage

    call_command("load_authority_reference", verbosity=0)
    names = set(PowerKind.objects.values_list("name", flat=True))
    assert {"行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政裁决", "行政确认", "行政奖励", "行政监督", "其他", "行政审批", "行政收费"} <= names
    assert PowerKind.objects.count() == 12
    assert {"立案", "调查取证", "审理", "告知", "决定", "送达", "执行"} <= set(ProcedureStage.objects.values_list("name", flat=True))


def test_codes_are_unique_within_a_breakdown(city, users, law):
    breakdown = services.breakdown_start(actor=users.editor_a, department=city.dept_a)
    first = services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十条"), code="A1"))
    services.power_create(actor=users.editor_a, breakdown=breakdown, data=_data(city, provisions(law, "第十条"), code="A2"))
    services.power_update(actor=users.editor_a, power=first, data=_data(city, provisions(law, "第十二条"), code="A1"))
    with pytest.raises(WorkflowError, match="A2 is already used"):
        services.power_update(actor=users.editor_a, power=first, data=_data(city, provisions(law, "第十条"), code="A2"))
    assert [p.label for p in first.provisions.all()] == ["第十二条"]
