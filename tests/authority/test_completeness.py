"""Each completeness finding on crafted data, and a clean breakdown that has none."""

import datetime

import pytest

from authority import services
from authority.models import CertificateStatus
from authority.selectors import FindingKind, cached_findings_for, findings_for
from basis.models import InstrumentStatus
from tests.basis.factories import InstrumentFactory, provisions

from .factories import BreakdownFactory, CertificateFactory, OfficerFactory, PostFactory, PowerFactory, assign, kind, place


@pytest.fixture
def setup(city):
    """A power on post P, held by an officer with a valid penalty certificate: complete."""
    instrument = InstrumentFactory(name="测试条例")
    breakdown = BreakdownFactory(department=city.dept_a)
    power = PowerFactory(breakdown=breakdown, provisions=provisions(instrument, "第十条"))
    post = PostFactory(agency=city.agency_a, name="处罚岗")
    assign(power, post)
    officer = OfficerFactory(department=city.dept_a, name="王明")
    place(officer, post)
    certificate = CertificateFactory(officer=officer, kinds=[kind("penalty")])
    return locals()


def _kinds(breakdown):
    return sorted(f.kind for f in findings_for([breakdown]))


def test_complete_breakdown_has_no_finding(setup):
    assert findings_for([setup["breakdown"]]) == []


def test_unassigned_power(setup):
    extra = PowerFactory(breakdown=setup["breakdown"], name="未分配的职权")
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
    licence = PowerFactory(breakdown=setup["breakdown"], kind=kind("licensing"))
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
    with django_assert_max_num_queries(8):
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
    assign(PowerFactory(breakdown=breakdown), post)
    officer = OfficerFactory(department=city.dept_x1)
    place(officer, post)
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


def test_a_step_without_a_post_is_a_finding(setup):
    """The public documents print such a step with no post (never "（未指定岗位）"): the gap is
    reported here instead, and the cached findings see it at once."""
    from .factories import step

    before = cached_findings_for(setup["breakdown"])
    assert before == []
    step(setup["power"], 1, "filing", post=setup["post"])
    step(setup["power"], 2, "decision", post=None)

    [finding] = findings_for([setup["breakdown"]])
    assert finding.kind == FindingKind.UNASSIGNED_STEP
    assert setup["power"].code in finding.message and "2" in finding.message
    assert [f.kind for f in cached_findings_for(setup["breakdown"])] == [FindingKind.UNASSIGNED_STEP]
