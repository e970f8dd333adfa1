"""Each completeness finding on crafted data, and a clean breakdown that has none."""

import datetime

import pytest

from authority import services
from authority.models import CertificateStatus
from authority.selectors import FindingKind, cached_findings_for, findings_for
from basis.models import InstrumentStatus
from tests.basis.factories import InstrumentFactory, provisions

from .factories import (
    BreakdownFactory,
    CertificateFactory,
    OfficerFactory,
    PostFactory,
    PowerFactory,
    assign,
    kind,
    place,
    step,
    train,
)


@pytest.fixture
def setup(city):
    """A power on post P, held by an officer trained for P with a valid penalty certificate:
    complete."""
    instrument = InstrumentFactory(name="测试条例")
    breakdown = BreakdownFactory(department=city.dept_a)
    power = PowerFactory(breakdown=breakdown, provisions=provisions(instrument, "第十条"))
    post = PostFactory(agency=city.agency_a, name="处罚岗")
    assign(power, post)
    step(power, 1, post=post, limit=15)
    officer = OfficerFactory(department=city.dept_a, name="王明")
    place(officer, post)
    training = train(officer, posts=[post])
    certificate = CertificateFactory(officer=officer, kinds=[kind("penalty")])
    return locals()


def _kinds(breakdown):
    return sorted(f.kind for f in findings_for([breakdown]))


def complete_procedure(power, post):
    """A step with a time limit and its post, so that the power raises no procedure finding."""
    step(power, 1, post=post, limit=20)
    return power


def test_complete_breakdown_has_no_finding(setup):
    assert findings_for([setup["breakdown"]]) == []


def test_unassigned_power(setup):
    extra = complete_procedure(PowerFactory(breakdown=setup["breakdown"], name="未分配的职权"), setup["post"])
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.UNASSIGNED_POWER
    assert "未分配的职权" in finding.message
    assert finding.url == f"/office/authority/breakdowns/{setup['breakdown'].pk}/powers/{extra.pk}/"


def test_post_without_officer(setup):
    setup["officer"].placements.update(until=datetime.date.today() - datetime.timedelta(days=1))
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.POST_WITHOUT_CERTIFIED_OFFICER
    assert "处罚岗" in finding.message
    assert finding.url.endswith(f"#post-{setup['post'].pk}")


def test_revoked_certificate_leaves_the_post_uncovered(setup, users):
    services.certificate_revoke(actor=users.city_reviewer, certificate=setup["certificate"], reason="取消执法资格")
    assert _kinds(setup["breakdown"]) == [FindingKind.OFFICER_WITHOUT_CERTIFICATE, FindingKind.POST_WITHOUT_CERTIFIED_OFFICER]
    officer_finding = next(f for f in findings_for([setup["breakdown"]]) if f.kind == FindingKind.OFFICER_WITHOUT_CERTIFICATE)
    assert officer_finding.url == f"/office/authority/officers/{setup['officer'].pk}/"


@pytest.mark.parametrize("status", [CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED])
def test_certificate_not_valid(setup, status):
    setup["certificate"].status = status
    setup["certificate"].save()
    assert _kinds(setup["breakdown"]) == [FindingKind.OFFICER_WITHOUT_CERTIFICATE, FindingKind.POST_WITHOUT_CERTIFIED_OFFICER]


def test_certificate_past_validity_counts_as_expired(setup):
    setup["certificate"].valid_until = datetime.date.today() - datetime.timedelta(days=1)
    setup["certificate"].save()
    assert _kinds(setup["breakdown"]) == [FindingKind.OFFICER_WITHOUT_CERTIFICATE, FindingKind.POST_WITHOUT_CERTIFIED_OFFICER]


def test_officer_beyond_certificate_kinds(setup):
    licence = complete_procedure(PowerFactory(breakdown=setup["breakdown"], kind=kind("licensing")), setup["post"])
    assign(licence, setup["post"], role="decision")
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.OFFICER_BEYOND_CERTIFICATE
    assert "王明" in finding.message and "行政许可" in finding.message and "行政处罚" not in finding.message


def test_power_citing_repealed_instrument(setup):
    setup["instrument"].status = InstrumentStatus.REPEALED
    setup["instrument"].save()
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.REPEALED_BASIS
    assert "《测试条例》" in finding.message
    assert finding.url.endswith(f"/powers/{setup['power'].pk}/")


def test_findings_of_many_breakdowns_in_constant_queries(setup, city, django_assert_max_num_queries):
    breakdowns = [setup["breakdown"]]
    for department in (city.dept_b, city.dept_x1, city.dept_y1):
        breakdown = BreakdownFactory(department=department)
        for _ in range(5):
            PowerFactory(breakdown=breakdown)
        breakdowns.append(breakdown)
    # Seven, two for the training that covers the posts (§3(三)) and five for the coverage
    # from law to power (issue 12), one for the steps without a post (issue 13).
    with django_assert_max_num_queries(15):
        findings = findings_for(breakdowns)
    assert sum(f.kind == FindingKind.UNASSIGNED_POWER for f in findings) == 15


def test_officer_beyond_certificate_area(setup, city):
    """A certificate of county X does not cover a post of a city department."""
    setup["certificate"].issuing_government = city.county_x
    setup["certificate"].save()
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.OFFICER_BEYOND_AREA
    assert "王明" in finding.message and city.county_x.name in finding.message


def test_city_certificate_covers_a_county_post(city):
    breakdown = BreakdownFactory(department=city.dept_x1)
    post = PostFactory(agency=city.dept_x1)
    assign(complete_procedure(PowerFactory(breakdown=breakdown), post), post)
    officer = OfficerFactory(department=city.dept_x1)
    place(officer, post)
    train(officer, kinds=[kind("penalty")])
    CertificateFactory(officer=officer, issuing_government=city.city)
    assert findings_for([breakdown]) == []


def _end_placement(setup, users):
    placement = setup["officer"].placements.get()
    placement.until = datetime.date.today() - datetime.timedelta(days=1)
    placement.save()


def _repeal(setup, users):
    setup["instrument"].status = InstrumentStatus.REPEALED
    setup["instrument"].save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda setup, users: PowerFactory(breakdown=setup["breakdown"]), id="new-power"),
        pytest.param(lambda setup, users: setup["power"].assignments.get().delete(), id="assignment-removed"),
        pytest.param(_end_placement, id="placement-ended"),
        pytest.param(lambda setup, users: services.certificate_revoke(
            actor=users.city_reviewer, certificate=setup["certificate"], reason="取消执法资格"), id="certificate-revoked"),
        pytest.param(lambda setup, users: setup["certificate"].kinds.set([kind("licensing")]), id="certificate-kinds"),
        pytest.param(_repeal, id="instrument-repealed"),
    ],
)
def test_cached_findings_follow_every_change(setup, users, change, django_assert_num_queries, django_capture_on_commit_callbacks):
    breakdown = setup["breakdown"]
    assert cached_findings_for(breakdown) == []
    with django_assert_num_queries(0):  # the second reading comes from the cache
        assert cached_findings_for(breakdown) == []

    with django_capture_on_commit_callbacks(execute=True):
        change(setup, users)

    assert cached_findings_for(breakdown) == findings_for([breakdown]) != []


# -- Training tied to the post (§3(三): 结合任职岗位和具体职权进行上岗培训) ----------------------


def test_placement_without_training_for_the_posts_kinds_is_a_finding(setup, users):
    """The finding appears when the officer's training does not cover the post's kinds, names
    them, and goes once training for the post is recorded."""
    setup["training"].delete()
    # A record kept before training was tied to posts: it names nothing, so covers nothing.
    legacy = train(setup["officer"])
    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.OFFICER_UNTRAINED_FOR_POST
    assert "王明" in finding.message and "处罚岗" in finding.message and "行政处罚" in finding.message
    assert finding.url == f"/office/authority/officers/{setup['officer'].pk}/"
    # The existing certificate stands: the finding asks for training, it does not invalidate.
    setup["certificate"].refresh_from_db()
    assert setup["certificate"].status == CertificateStatus.VALID
    assert legacy.pk

    services.training_record(
        actor=users.editor_a, officer=setup["officer"], kind="refresher", hours=16,
        completed_on=datetime.date(2026, 3, 2), note="2026年度行政处罚专题培训", posts=[setup["post"]],
    )
    assert findings_for([setup["breakdown"]]) == []


def test_training_on_kinds_covers_the_post_and_a_new_kind_uncovers_it(setup):
    setup["training"].delete()
    train(setup["officer"], kinds=[kind("penalty")])
    assert findings_for([setup["breakdown"]]) == []
    licence = PowerFactory(breakdown=setup["breakdown"], kind=kind("licensing"))
    assign(licence, setup["post"], role="decision")
    kinds = _kinds(setup["breakdown"])
    assert FindingKind.OFFICER_UNTRAINED_FOR_POST in kinds
    untrained = next(f for f in findings_for([setup["breakdown"]]) if f.kind == FindingKind.OFFICER_UNTRAINED_FOR_POST)
    assert "行政许可" in untrained.message and "行政处罚" not in untrained.message


def test_cached_findings_follow_training(setup, django_capture_on_commit_callbacks):
    breakdown = setup["breakdown"]
    assert cached_findings_for(breakdown) == []
    with django_capture_on_commit_callbacks(execute=True):
        setup["training"].posts.clear()
    assert [f.kind for f in cached_findings_for(breakdown)] == [FindingKind.OFFICER_UNTRAINED_FOR_POST]
    with django_capture_on_commit_callbacks(execute=True):
        setup["training"].kinds.set([kind("penalty")])
    assert cached_findings_for(breakdown) == []


# -- Coverage from law to power (issue 12, item 8) ----------------------------------------------


def test_catalogue_instrument_without_power(setup, city):
    """A's published catalogue lists the Food Safety Law, the breakdown's power cites 测试条例
    only; 行政处罚法 binds every department and is not expected to have a power."""
    from tests.basis.factories import CatalogueFactory, EntryFactory

    catalogue = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=catalogue, instrument=setup["instrument"], provisions="第十条")
    food = InstrumentFactory(name="中华人民共和国食品安全法")
    EntryFactory(catalogue=catalogue, instrument=food, provisions="第一百二十二条")
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(name="中华人民共和国行政处罚法", binds_all_departments=True))
    # A draft's instrument is not yet the department's word.
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a, status="draft"), instrument=InstrumentFactory(name="草稿条例"))

    [finding] = findings_for([setup["breakdown"]])

    assert finding.kind == FindingKind.INSTRUMENT_WITHOUT_POWER
    assert finding.message == "《中华人民共和国食品安全法》 is in the published basis catalogue, but no power of the breakdown cites it."
    assert finding.url == f"/office/basis/catalogues/{catalogue.pk}/"


def test_power_without_steps_and_without_time_limits(setup):
    bare = PowerFactory(breakdown=setup["breakdown"], code="330217001000", name="对未取得食品生产许可从事食品生产的处罚")
    assign(bare, setup["post"])
    unlimited = PowerFactory(breakdown=setup["breakdown"], code="330217002000", name="对生产经营不符合食品安全标准的食品的处罚")
    assign(unlimited, setup["post"])
    step(unlimited, 1, post=setup["post"], limit=None)
    step(unlimited, 2, stage_code="decision", post=setup["post"], limit=None)

    found = findings_for([setup["breakdown"]])

    assert [(f.kind, f.url) for f in found] == [
        (FindingKind.POWER_WITHOUT_STEPS, f"/office/authority/breakdowns/{setup['breakdown'].pk}/powers/{bare.pk}/"),
        (FindingKind.POWER_WITHOUT_TIME_LIMITS, f"/office/authority/breakdowns/{setup['breakdown'].pk}/powers/{unlimited.pk}/"),
    ]
    assert found[0].message == "Power 330217001000 对未取得食品生产许可从事食品生产的处罚 has no procedure steps."


def test_overlapping_post_assignments(setup, city):
    second = PostFactory(agency=city.agency_a, name="稽查岗")
    assign(setup["power"], second)  # a second handling post
    assign(setup["power"], PostFactory(agency=city.agency_a, name="法制审核岗"), role="review")  # another role: fine
    officer = OfficerFactory(department=city.dept_a, name="李华")
    place(officer, second)
    train(officer, kinds=[kind("penalty")])
    CertificateFactory(officer=officer, kinds=[kind("penalty")])
    for post in second.__class__.objects.filter(name="法制审核岗"):
        other = OfficerFactory(department=city.dept_a, name="赵敏")
        place(other, post)
        train(other, kinds=[kind("penalty")])
        CertificateFactory(officer=other, kinds=[kind("penalty")])

    found = findings_for([setup["breakdown"]])

    assert [f.kind for f in found] == [FindingKind.OVERLAPPING_ASSIGNMENT]
    assert "处罚岗、稽查岗" in found[0].message and "Handling" in found[0].message


def test_a_step_without_a_post_is_a_finding(setup):
    """The public documents print such a step with no post (never "（未指定岗位）"): the gap is
    reported here instead, and the cached findings see it at once."""
    from .factories import step

    before = cached_findings_for(setup["breakdown"])
    assert before == []
    step(setup["power"], 2, "decision", post=None)  # step 1 (the fixture's) names its post

    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.UNASSIGNED_STEP
    assert setup["power"].code in finding.message and "2" in finding.message
    assert [f.kind for f in cached_findings_for(setup["breakdown"])] == [FindingKind.UNASSIGNED_STEP]
