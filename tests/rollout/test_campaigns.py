"""The campaign, its phases and the deliverables' status computed from the real records."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from basis import services as basis_services
from basis.models import SubmissionDeadline
from notifications.registry import providers
from organisations.models import SubjectKind
from rollout.campaigns_services import campaign_open, campaign_phases_set
from rollout.campaigns_status import Deliverable, Progress, State, organisation_items
from rollout.models import Campaign, FilingStatus, ImplementationPlan, Phase, PhaseSummary, TeamMember, WorkingTeam
from rollout.selectors import deadlines_kept
from tests.basis.factories import EntryFactory
from workflow.review import ReviewStatus

from .conftest import future_dues, move_phases


def _item(organisation, deliverable, now=None):
    _campaign, items = organisation_items(organisation, year=timezone.localdate().year, now=now)
    return next(i for i in items if i.deliverable == deliverable)


# -- Opening a campaign ---------------------------------------------------------------------------


def test_office_opens_its_campaign_with_four_phases(city, users, year):
    dues = future_dues()
    campaign = campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=year, title="市推行", dues=dues)
    assert [p.due_at for p in campaign.phases.order_by("number")] == [dues[n] for n in range(1, 5)]
    assert AuditEvent.objects.filter(object_type="rollout.campaign", object_id=str(campaign.pk)).exists()


@pytest.mark.parametrize("problem, field", [
    ("past", "due_1"), ("order", "due_3"), ("missing", "due_2"),
])
def test_bad_dates_are_refused_by_field_and_nothing_is_saved(city, users, year, problem, field):
    dues = future_dues()
    if problem == "past":
        dues[1] = timezone.now() - timedelta(days=1)
    elif problem == "order":
        dues[3] = dues[2] - timedelta(days=1)
    else:
        dues[2] = None
    before = (Campaign.objects.count(), Phase.objects.count(), SubmissionDeadline.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=year, title="市推行", dues=dues)
    assert field in error.value.message_dict
    assert (Campaign.objects.count(), Phase.objects.count(), SubmissionDeadline.objects.count()) == before[:3]


def test_a_second_campaign_for_the_same_year_is_refused(city_campaign, city, users, year):
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=year, title="again", dues=future_dues())
    assert "year" in error.value.message_dict


def test_only_the_governments_own_office_opens_its_campaign(city, users, year):
    for user in (users.county_reviewer, users.editor_a, users.establishment):
        with pytest.raises(PermissionDenied):
            campaign_open(actor=user, jurisdiction=city.city, year=year, title="x", dues=future_dues())
    assert not Campaign.objects.exists()


def test_county_campaign_inherits_the_citys_dates_and_may_only_set_earlier_ones(city_campaign, city, users, year):
    city_dues = {p.number: p.due_at for p in city_campaign.phases.all()}
    later = {1: None, 2: city_dues[2] + timedelta(days=1), 3: None, 4: None}
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="县", dues=later)
    assert set(error.value.message_dict) == {"due_2"}
    assert not Campaign.objects.filter(jurisdiction=city.county_x).exists()

    earlier = {1: None, 2: city_dues[2] - timedelta(days=2), 3: None, 4: None}
    county = campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="县", dues=earlier)
    assert county.parent == city_campaign
    progress = Progress(county)
    assert {n: progress.dates.due(county.pk, n) for n in range(1, 5)} == {**city_dues, 2: earlier[2]}
    # Phase 2 is the catalogue deadline of the county too (one date, written through basis).
    assert basis_services.deadline_for_government(city.county_x).due_at == earlier[2]
    assert basis_services.deadline_for_government(city.city).due_at == city_dues[2]


def test_moving_the_citys_phase_2_moves_the_inheriting_countys_catalogue_deadline(city_campaign, city, users, year):
    county = campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="县",
                           dues={1: None, 2: None, 3: None, 4: None})
    dues = {p.number: p.due_at for p in city_campaign.phases.all()}
    dues[2] = dues[2] + timedelta(days=3)
    campaign_phases_set(actor=users.city_reviewer, campaign=city_campaign, dues=dues)
    assert basis_services.deadline_for_government(city.county_x).due_at == dues[2]
    assert Progress(county).dates.due(county.pk, 2) == dues[2]


def test_the_city_cannot_move_a_date_before_a_countys_own(city_campaign, city, users, year):
    city_dues = {p.number: p.due_at for p in city_campaign.phases.all()}
    campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="县",
                  dues={1: None, 2: city_dues[2] - timedelta(days=2), 3: None, 4: None})
    moved = {**city_dues, 2: city_dues[2] - timedelta(days=5)}
    with pytest.raises(ValidationError) as error:
        campaign_phases_set(actor=users.city_reviewer, campaign=city_campaign, dues=moved)
    assert "due_2" in error.value.message_dict
    assert Phase.objects.get(campaign=city_campaign, number=2).due_at == city_dues[2]


def test_a_county_office_cannot_change_the_citys_campaign(city_campaign, users):
    with pytest.raises(PermissionDenied):
        campaign_phases_set(actor=users.county_reviewer, campaign=city_campaign, dues=future_dues())


# -- Status from the real records -----------------------------------------------------------------


def test_catalogue_status_follows_the_catalogue_through_its_life(city_campaign, city, users):
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.NOT_STARTED
    catalogue = basis_services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.IN_PROGRESS
    EntryFactory(catalogue=catalogue)
    basis_services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    item = _item(city.dept_a, Deliverable.CATALOGUE)
    assert item.status == State.SUBMITTED and item.delivered_at is not None and not item.delivered_late
    basis_services.catalogue_start_review(actor=users.city_reviewer, catalogue=catalogue)
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.SUBMITTED
    basis_services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue, acknowledged_findings=True, reason="测试")
    basis_services.catalogue_publish(actor=users.city_reviewer, catalogue=catalogue)
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.DONE
    # Department B never started: once phase 2 has passed it is late, A (done) is not.
    later = timezone.now() + timedelta(days=200)
    assert _item(city.dept_b, Deliverable.CATALOGUE, now=later).status == State.LATE
    assert _item(city.dept_a, Deliverable.CATALOGUE, now=later).status == State.DONE


def test_a_draft_turns_late_after_the_deadline_and_a_returned_version_is_in_progress(city_campaign, city, users):
    catalogue = basis_services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    move_phases(city_campaign, due_2=timezone.now() - timedelta(hours=1))
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.LATE
    EntryFactory(catalogue=catalogue)
    basis_services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    item = _item(city.dept_a, Deliverable.CATALOGUE)
    assert item.status == State.SUBMITTED and item.delivered_late


def test_filings_teams_rules_and_subject_kind_are_read(city_campaign, city, users):
    from responsibility.models import SupportingRule, SupportingRuleKind

    plan = ImplementationPlan.objects.create(organisation=city.dept_a, campaign=city_campaign)
    assert _item(city.dept_a, Deliverable.PLAN).status == State.IN_PROGRESS
    plan.status, plan.filed_at = FilingStatus.FILED, timezone.now()
    plan.save()
    assert _item(city.dept_a, Deliverable.PLAN).status == State.DONE
    team = WorkingTeam.objects.create(organisation=city.dept_a)
    assert _item(city.dept_a, Deliverable.TEAM).status == State.IN_PROGRESS
    TeamMember.objects.create(team=team, name="张三")
    assert _item(city.dept_a, Deliverable.TEAM).status == State.DONE
    phase1 = city_campaign.phases.get(number=1)
    PhaseSummary.objects.create(organisation=city.dept_a, phase=phase1, created_by=users.editor_a,
                                status=FilingStatus.FILED, submitted_at=timezone.now())
    assert _item(city.dept_a, Deliverable.SUMMARY_1).status == State.DONE
    assert _item(city.dept_a, Deliverable.SUBJECT_KIND).status == State.DONE  # set in the fixture
    SupportingRule.objects.create(department=city.dept_a, kind=SupportingRuleKind.APPRAISAL, title="考核办法",
                                  adopted_on=timezone.localdate())
    assert _item(city.dept_a, Deliverable.RULES).status == State.IN_PROGRESS
    SupportingRule.objects.create(department=city.dept_a, kind=SupportingRuleKind.FAULT_ACCOUNTABILITY, title="追究办法",
                                  adopted_on=timezone.localdate())
    assert _item(city.dept_a, Deliverable.RULES).status == State.DONE


def test_who_the_campaign_covers(city_campaign, city, users, year):
    from tests.factories import OrganisationFactory

    OrganisationFactory(parent=city.city, code="C-OLD", name="撤销局", is_active=False)
    progress = Progress(city_campaign)
    codes = {row.organisation.code for row in progress.rows}
    # Departments directly under a government and the governments below the city; not the
    # offices, agencies, entrusted bodies, abolished ones or the city itself.
    assert codes == {"C-A", "C-B", "X", "X-1", "Y", "Y-1"}
    county_row = next(r for r in progress.rows if r.organisation.code == "X")
    assert {i.deliverable for i in county_row.items} == {
        Deliverable.PLAN, Deliverable.TEAM, Deliverable.SUMMARY_1, Deliverable.SUMMARY_2, Deliverable.SUMMARY_3, Deliverable.SUMMARY_4}


def test_deadlines_kept_counts_what_was_due_and_delivered_on_time(city_campaign, city, users):
    catalogue = basis_services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    EntryFactory(catalogue=catalogue)
    basis_services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    due2 = city_campaign.phases.get(number=2).due_at
    kept = deadlines_kept(organisation_ids=[city.dept_a.pk, city.dept_b.pk], cutoff=due2 + timedelta(minutes=1))
    # Phases 1 and 2 are due: plan, team, summary 1, catalogue, subject kind, summary 2 = 6.
    # A delivered its catalogue and has its subject kind; B only its subject kind.
    assert kept[city.dept_a.pk] == (6, 2)
    assert kept[city.dept_b.pk] == (6, 1)
    assert deadlines_kept(organisation_ids=[city.dept_a.pk], cutoff=timezone.now())[city.dept_a.pk] == (0, 0)


# -- Reminders ------------------------------------------------------------------------------------


def test_the_provider_yields_open_deliverables_to_the_editors_and_stops_once_delivered(city_campaign, city, users):
    provider = providers()["rollout.deliverables"]
    dues = [d for d in provider(timezone.now()) if d.organisation_id == city.dept_a.pk]
    keys = {d.key.split(":")[3] for d in dues}
    assert Deliverable.CATALOGUE in keys and Deliverable.SUBJECT_KIND not in keys  # subject kind is done
    catalogue_due = next(d for d in dues if ":catalogue:" in d.key)
    assert catalogue_due.recipients == (users.editor_a.pk,)
    assert catalogue_due.url == reverse("basis:catalogue_list")
    county_due = next(d for d in provider(timezone.now()) if d.organisation_id == city.county_x.pk)
    assert county_due.recipients == (users.county_reviewer.pk,)  # a government: its office's reviewers

    catalogue = basis_services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    EntryFactory(catalogue=catalogue)
    basis_services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    assert not any(":catalogue:" in d.key for d in provider(timezone.now()) if d.organisation_id == city.dept_a.pk)


def test_subject_kind_not_confirmed_is_missing(city_campaign, city):
    from organisations.models import Organisation

    Organisation.objects.filter(pk=city.dept_b.pk).update(subject_kind="")
    city.dept_b.refresh_from_db()
    assert _item(city.dept_b, Deliverable.SUBJECT_KIND).status == State.NOT_STARTED
    assert SubjectKind.STATUTORY_ORGAN == city.dept_a.subject_kind


def test_status_over_a_campaign_of_reviewed_versions_uses_published_first(city_campaign, city):
    from tests.basis.factories import CatalogueFactory

    CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    assert _item(city.dept_a, Deliverable.CATALOGUE).status == State.DONE


def test_outside_scope_is_404_for_a_county_office(city_campaign, city, users, year, client):
    client.force_login(users.county_reviewer)
    assert client.get(f"/office/campaigns/{city_campaign.pk}/").status_code == 404
    with pytest.raises(Http404):
        from accounts.permissions import get_visible_or_404
        from rollout.permissions import campaigns_visible_to

        get_visible_or_404(users.county_reviewer, campaigns_visible_to(users.county_reviewer), pk=city_campaign.pk)
