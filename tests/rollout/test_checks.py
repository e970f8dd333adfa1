"""Spot checks: reproducible draws, the minimum share, exclusion of the last round, weighting of
late organisations; findings and their rectification, tracked like every other deadline."""

import math
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.registry import providers
from organisations.models import SubjectKind
from rollout.campaigns_services import campaign_open
from rollout.checks_services import (
    draw,
    draw_again,
    finding_accept,
    finding_record,
    finding_report,
    finding_return,
    spot_check_draw,
)
from rollout.models import Finding, FindingKind, RectificationStatus, SpotCheck
from tests.factories import OrganisationFactory

from .conftest import future_dues


@pytest.fixture
def big_city(city, users, year):
    """The test city with 40 more departments, and its campaign."""
    for i in range(40):
        OrganisationFactory(parent=city.city, code=f"C-D{i:02d}", name=f"测试局{i:02d}", subject_kind=SubjectKind.STATUTORY_ORGAN)
    return campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=year, title="市推行", dues=future_dues())


def test_the_same_seed_over_the_same_population_gives_the_same_list():
    population = [(pk, 1 + pk % 3) for pk in range(1, 201)]
    assert draw(population, 20, 12345) == draw(population, 20, 12345)
    assert draw(population, 20, 12345) != draw(population, 20, 54321)
    assert len(set(draw(population, 20, 7))) == 20


def test_a_recorded_draw_reproduces_and_respects_the_minimum_share(big_city, users):
    spot_check = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="第一轮", share_percent=10, seed=42)
    population = len(spot_check.population)
    assert population == 46  # 42 city departments and 4 county rows
    assert len(spot_check.drawn) == math.ceil(population * 0.10) == 5
    assert draw_again(spot_check) == spot_check.drawn
    assert [t.organisation_id for t in spot_check.targets.order_by("position")] == spot_check.drawn
    again = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="同种子", share_percent=10, seed=42)
    assert again.drawn == spot_check.drawn
    other = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="另一种子", share_percent=10, seed=43)
    assert other.drawn != spot_check.drawn


@pytest.mark.parametrize("share", [0, 5, 9, 101])
def test_a_share_below_the_minimum_is_refused_and_nothing_is_saved(big_city, users, share):
    with pytest.raises(ValidationError) as error:
        spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="x", share_percent=share)
    assert "share_percent" in error.value.message_dict
    assert not SpotCheck.objects.exists()


def test_excluding_the_last_round(big_city, users):
    first = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="一", share_percent=30, seed=1)
    second = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="二", share_percent=30, seed=1,
                             exclude_last_round=True)
    assert not set(first.drawn) & set(second.drawn)
    assert sorted(second.excluded) == sorted(first.drawn)
    assert draw_again(second) == second.drawn
    # 30 % of 46 is 14; after two rounds 18 are left: a third round excluding the second works,
    # but 90 % leaves too few once the last round is out.
    with pytest.raises(ValidationError) as error:
        spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="三", share_percent=90, exclude_last_round=True)
    assert "exclude_last_round" in error.value.message_dict


def test_weighting_late_ones_shifts_the_draw(big_city, city, users):
    """With 10 of 46 late and weight 5, a late organisation is drawn far more often than the
    others over 200 seeded draws; with weight 1, about as often (fixed seeds: deterministic)."""
    from rollout.models import Phase

    # Phase 1 has passed with nothing filed: everyone is late, and the recorded weights say so.
    Phase.objects.filter(campaign=big_city, number=1).update(due_at=timezone.now() - timedelta(days=1))
    spot_check = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="加权", share_percent=10, late_weight=5, seed=9)
    assert all(weight == 5 for _pk, weight in spot_check.population)  # everyone is late now

    population_plain = [(pk, 1) for pk in range(46)]
    population_weighted = [(pk, 5 if pk < 10 else 1) for pk in range(46)]
    plain, weighted = Counter(), Counter()
    for seed in range(200):
        plain.update(pk < 10 for pk in draw(population_plain, 5, seed))
        weighted.update(pk < 10 for pk in draw(population_weighted, 5, seed))
    share_plain = plain[True] / 1000
    share_weighted = weighted[True] / 1000
    assert 0.15 < share_plain < 0.30  # 10/46 ≈ 0.22
    assert share_weighted > 0.45  # 50/86 ≈ 0.58 for a single pick
    assert share_weighted > share_plain + 0.2


def test_weights_come_from_the_deliverable_status(big_city, city, users):
    from rollout.models import FilingStatus, ImplementationPlan, Phase, PhaseSummary, TeamMember, WorkingTeam

    Phase.objects.filter(campaign=big_city, number=1).update(due_at=timezone.now() - timedelta(days=1))
    ImplementationPlan.objects.create(organisation=city.dept_a, campaign=big_city, status=FilingStatus.FILED, filed_at=timezone.now())
    TeamMember.objects.create(team=WorkingTeam.objects.create(organisation=city.dept_a), name="张三")
    PhaseSummary.objects.create(organisation=city.dept_a, phase=big_city.phases.get(number=1), created_by=users.editor_a,
                                status=FilingStatus.FILED, submitted_at=timezone.now())
    spot_check = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="加权", share_percent=10, late_weight=4, seed=3)
    weights = dict((pk, w) for pk, w in spot_check.population)
    assert weights[city.dept_a.pk] == 1
    assert weights[city.dept_b.pk] == 4


def test_only_the_campaigns_own_office_draws(big_city, users):
    for user in (users.county_reviewer, users.editor_a):
        with pytest.raises(PermissionDenied):
            spot_check_draw(actor=user, campaign=big_city, title="x", share_percent=10)


# -- Findings and rectification -------------------------------------------------------------------


@pytest.fixture
def inspected(big_city, city, users):
    spot_check = spot_check_draw(actor=users.city_reviewer, campaign=big_city, title="一", share_percent=10, seed=5)
    target = spot_check.targets.first()
    target.organisation = city.dept_a  # inspect department A, whose editor we have
    target.save()
    return target


def test_finding_report_and_acceptance(inspected, users):
    finding = finding_record(actor=users.city_reviewer, target=inspected, kind=FindingKind.FALSIFIED,
                             description="台账造假", rectification="重新梳理台账", due_at=timezone.now() + timedelta(days=5))
    assert finding.is_serious
    with pytest.raises(PermissionDenied):
        finding_report(actor=users.editor_b, finding=finding, report="x")
    finding_report(actor=users.editor_a, finding=finding, report="已重新梳理")
    finding_return(actor=users.city_reviewer, finding=finding)
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.OPEN
    finding_report(actor=users.editor_a, finding=finding, report="已重新梳理并附材料")
    with pytest.raises(PermissionDenied):
        finding_accept(actor=users.editor_a, finding=finding)
    finding_accept(actor=users.city_reviewer, finding=finding)
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.DONE and finding.done_at is not None


@pytest.mark.parametrize("field, values", [
    ("due_at", {"due_at": "past"}), ("description", {"description": " "}), ("rectification", {"rectification": ""}),
])
def test_a_bad_finding_is_refused_by_field(inspected, users, field, values):
    data = {"kind": FindingKind.ORDINARY, "description": "问题", "rectification": "整改", "due_at": timezone.now() + timedelta(days=3)}
    data.update(values)
    if data["due_at"] == "past":
        data["due_at"] = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        finding_record(actor=users.city_reviewer, target=inspected, **data)
    assert field in error.value.message_dict
    assert not Finding.objects.exists()


def test_rectifications_are_reminded_until_reported(inspected, users):
    finding = finding_record(actor=users.city_reviewer, target=inspected, kind=FindingKind.ORDINARY,
                             description="问题", rectification="整改", due_at=timezone.now() + timedelta(days=5))
    provider = providers()["rollout.deliverables"]
    due = [d for d in provider(timezone.now()) if d.key.startswith(f"rollout.rectification:{finding.pk}:")]
    assert len(due) == 1 and due[0].recipients == (users.editor_a.pk,) and due[0].due_at == finding.due_at
    finding_report(actor=users.editor_a, finding=finding, report="已整改")
    assert not [d for d in provider(timezone.now()) if d.key.startswith("rollout.rectification:")]


def test_open_rectification_is_on_the_checklist_and_late_in_red(inspected, users, client):
    finding_record(actor=users.city_reviewer, target=inspected, kind=FindingKind.PERFUNCTORY,
                   description="走过场", rectification="重新自查", due_at=timezone.now() + timedelta(days=5))
    Finding.objects.update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(users.editor_a)
    page = client.get("/office/campaigns/checklist/").content.decode()
    assert "重新自查" in page and 'class="late"' in page
