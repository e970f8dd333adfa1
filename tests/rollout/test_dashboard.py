"""The office's dashboard, its export, the home tiles, a department's checklist and the API:
counts equal direct queries, scoping by the tree, constant query counts."""

import io
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from basis.models import BasisCatalogue
from organisations.models import Organisation, OrganisationKind, SubjectKind
from rollout.campaigns_services import campaign_open
from rollout.models import FilingStatus, ImplementationPlan, Phase, PhaseSummary, WorkingTeam
from tests.basis.factories import CatalogueFactory
from tests.factories import OrganisationFactory, UserFactory
from workflow.review import ReviewStatus

from .conftest import future_dues


def _dashboard(client, user, campaign, query=""):
    client.force_login(user)
    return client.get(f"/office/campaigns/{campaign.pk}/dashboard/{query}", HTTP_ACCEPT_LANGUAGE="en")


def test_item_counts_equal_a_direct_query(city_campaign, city, users, client):
    CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    CatalogueFactory(department=city.dept_b, status=ReviewStatus.SUBMITTED, submitted_at=timezone.now())
    CatalogueFactory(department=city.dept_x1, status=ReviewStatus.DRAFT)
    Organisation.objects.filter(pk=city.dept_y1.pk).update(subject_kind="")
    phase2 = city_campaign.phases.get(number=2)
    PhaseSummary.objects.create(organisation=city.dept_a, phase=phase2, created_by=users.editor_a,
                                status=FilingStatus.FILED, submitted_at=timezone.now())
    response = _dashboard(client, users.city_reviewer, city_campaign)
    counts = dict((n, c) for n, _label, c in response.context["item_counts"])[2]

    covered = Organisation.objects.filter(code__in=["C-A", "C-B", "X-1", "Y-1"])  # the departments covered
    done = (
        covered.filter(catalogues__status=ReviewStatus.PUBLISHED).distinct().count()
        + covered.exclude(subject_kind="").count()
        + PhaseSummary.objects.filter(phase__campaign=city_campaign, phase__number=2, status=FilingStatus.FILED).count()
    )
    submitted = covered.filter(catalogues__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED]) \
        .exclude(catalogues__status=ReviewStatus.PUBLISHED).distinct().count()
    in_progress = covered.filter(catalogues__status=ReviewStatus.DRAFT).distinct().count()
    # Phase 2's summary is owed by the two counties too: 6 organisations × 1 summary, 4 × 2 others.
    assert counts["done"] == done == 5  # A's catalogue, three subject kinds, A's summary
    assert counts["submitted"] == submitted == 1
    assert counts["in_progress"] == in_progress == 1
    assert sum(counts.values()) == 4 * 3 + 2
    assert counts["late"] == 0


def test_not_started_organisations_equal_a_direct_query_and_the_home_tile(city_campaign, city, users, client):
    WorkingTeam.objects.create(organisation=city.county_x)
    response = _dashboard(client, users.city_reviewer, city_campaign, "?status=not_started")
    shown = {t["row"].organisation.code for t in response.context["table"]}
    # Departments have their subject kind (a deliverable done): only governments can be "not started".
    governments = Organisation.objects.filter(kind=OrganisationKind.COUNTY).exclude(
        Q(implementation_plans__isnull=False) | Q(working_team__isnull=False) | Q(phase_summaries__isnull=False))
    assert shown == set(governments.values_list("code", flat=True)) == {"Y"}
    home = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en")
    tile = next(t for t in home.context["awaiting"] if t["url"] == "campaigns:current_dashboard" and "not_started" in t["query"])
    assert tile["count"] == len(shown)
    followed = client.get("/office/campaigns/dashboard/?" + tile["query"], follow=True)
    assert len(followed.context["table"]) == tile["count"]


def test_late_rows_carry_the_late_class(city_campaign, city, users, client):
    Phase.objects.filter(campaign=city_campaign, number=1).update(due_at=timezone.now() - timedelta(days=1))
    ImplementationPlan.objects.create(organisation=city.dept_a, campaign=city_campaign, status=FilingStatus.FILED, filed_at=timezone.now())
    response = _dashboard(client, users.city_reviewer, city_campaign, "?phase=1")
    page = response.content.decode()
    assert 'class="org-row late" data-organisation="C-B"' in page
    assert 'data-status="late"' in page
    rows = {t["row"].organisation.code: t for t in response.context["table"]}
    assert rows["C-B"]["late"] and rows["C-A"]["late"]  # A filed its plan but not its team nor summary
    assert "<svg" in page and "polyline" in page


def test_filters_by_organisation_name(city_campaign, users, client):
    response = _dashboard(client, users.city_reviewer, city_campaign, "?q=甲县")
    assert {t["row"].organisation.code for t in response.context["table"]} == {"X", "X-1"}


def test_export_is_an_xlsx_of_the_rows_shown(city_campaign, users, client):
    response = _dashboard(client, users.city_reviewer, city_campaign, "?q=C-A&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Code"
    assert {r[0] for r in rows[1:]} == {"C-A"} and len(rows) == 1 + 12


# -- Scoping ----------------------------------------------------------------------------------------


@pytest.fixture
def county_campaigns(city_campaign, city, users, year):
    x = campaign_open(actor=users.county_reviewer, jurisdiction=city.county_x, year=year, title="甲县推行",
                      dues={1: None, 2: None, 3: None, 4: None})
    reviewer_y = UserFactory(username="county_y_reviewer", role=Role.OFFICE_REVIEWER, organisation=city.county_y_office)
    y = campaign_open(actor=reviewer_y, jurisdiction=city.county_y, year=year, title="乙县推行",
                      dues={1: None, 2: None, 3: None, 4: None})
    return x, y, reviewer_y


def test_a_county_office_sees_its_county_and_gets_404_elsewhere(county_campaigns, city_campaign, city, users, client):
    x, y, _reviewer_y = county_campaigns
    own = _dashboard(client, users.county_reviewer, x)
    assert own.status_code == 200
    assert {t["row"].organisation.code for t in own.context["table"]} == {"X-1"}
    for campaign in (y, city_campaign):
        assert _dashboard(client, users.county_reviewer, campaign).status_code == 404
        assert client.get(f"/office/campaigns/{campaign.pk}/").status_code == 404
        assert client.get(f"/api/rollout/campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"/office/campaigns/{x.pk}/phases/").status_code == 200


def test_the_city_office_sees_everything_but_does_not_run_a_countys_campaign(county_campaigns, city_campaign, users, client):
    x, y, _ = county_campaigns
    for campaign in (city_campaign, x, y):
        assert _dashboard(client, users.city_reviewer, campaign).status_code == 200
    assert client.get(f"/office/campaigns/{x.pk}/phases/").status_code == 403
    listed = client.get("/api/rollout/campaigns/").json()
    assert {c["id"] for c in listed["results"]} == {city_campaign.pk, x.pk, y.pk}


def test_a_department_editor_sees_only_his_checklist(city_campaign, city, users, client):
    client.force_login(users.editor_a)
    assert client.get(f"/office/campaigns/{city_campaign.pk}/dashboard/").status_code == 403
    assert client.get("/api/rollout/campaigns/").status_code == 403
    home = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en")
    checklist = home.context["checklist"]
    assert checklist["department"] == city.dept_a
    assert {r["item"].organisation_id for r in checklist["rows"]} == {city.dept_a.pk}
    assert len(checklist["rows"]) == 12
    page = home.content.decode()
    due2 = timezone.localtime(city_campaign.phases.get(number=2).due_at).strftime("%Y-%m-%d %H:%M")
    assert due2 in page  # the editor sees the deadline


# -- Query counts and the API -----------------------------------------------------------------------


def _grow(city, n):
    for i in range(n):
        department = OrganisationFactory(parent=city.city, code=f"C-G{i:03d}", name=f"增长局{i}", subject_kind=SubjectKind.STATUTORY_ORGAN)
        CatalogueFactory(department=department, status=ReviewStatus.PUBLISHED, published_at=timezone.now())


@pytest.mark.parametrize("extra", [3, 48])
def test_dashboard_queries_do_not_grow_with_the_organisations(city_campaign, city, users, client, django_assert_max_num_queries, extra):
    _grow(city, extra)
    client.force_login(users.city_reviewer)
    with django_assert_max_num_queries(24):  # 23, and the header's unread-notification count
        response = client.get(f"/office/campaigns/{city_campaign.pk}/dashboard/")
    assert response.status_code == 200
    assert len(response.context["page"].paginator.object_list) == 6 + extra
    assert BasisCatalogue.objects.count() == extra


def test_the_api_gives_read_only_statuses(city_campaign, city, users, api_client):
    api_client.force_authenticate(users.city_reviewer)
    body = api_client.get(f"/api/rollout/campaigns/{city_campaign.pk}/deliverables/?phase=2&q=C-A").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["organisation"] == "C-A" and {i["deliverable"] for i in row["items"]} == {"catalogue", "subject_kind", "summary_2"}
    assert api_client.post(f"/api/rollout/campaigns/{city_campaign.pk}/deliverables/", {}).status_code == 405


def test_the_api_opens_a_campaign_and_refuses_bad_dates_with_400(city, users, api_client, year):
    api_client.force_authenticate(users.city_reviewer)
    past = (timezone.now() - timedelta(days=1)).isoformat()
    body = {"year": year, "title": "市推行", "phases": [{"number": n, "due_at": past} for n in range(1, 5)]}
    response = api_client.post("/api/rollout/campaigns/", body, format="json")
    assert response.status_code == 400 and "due_1" in response.json()
    dues = future_dues()
    body["phases"] = [{"number": n, "due_at": dues[n].isoformat()} for n in range(1, 5)]
    response = api_client.post("/api/rollout/campaigns/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(response.json()["phases"]) == 4
    draw = api_client.post("/api/rollout/spot-checks/", {"campaign": response.json()["id"], "title": "抽查", "share_percent": 50, "seed": 8},
                           format="json")
    assert draw.status_code == 201, draw.content
    assert len(draw.json()["drawn"]) == 3


def test_open_rectifications_are_on_the_dashboard(city_campaign, city, users, client):
    from rollout.checks_services import finding_record, spot_check_draw
    from rollout.models import FindingKind

    spot_check = spot_check_draw(actor=users.city_reviewer, campaign=city_campaign, title="抽查", share_percent=20, seed=2)
    target = spot_check.targets.first()
    finding_record(actor=users.city_reviewer, target=target, kind=FindingKind.ORDINARY, description="问题",
                   rectification="限期整改台账", due_at=timezone.now() + timedelta(days=3))
    response = _dashboard(client, users.city_reviewer, city_campaign)
    assert [f.rectification for f in response.context["rectifications"]] == ["限期整改台账"]
    assert "限期整改台账" in response.content.decode()
