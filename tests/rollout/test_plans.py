"""Implementation plans: who files and who decides each transition, the revisions and their
diff, the form the management flags call for, the covered bodies checked against the tree, the
revised plan of an organisation that already runs the system, bad input, and the scoping of
pages, downloads and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.permissions import Refused
from audit.models import AuditAction, AuditEvent
from basis.models import BasisCatalogue
from rollout import services_filings as services
from rollout.diff_plans import plan_diff
from rollout.models import FilingStatus, ImplementationPlan, PlanForm, PlanKind, PlanRevision
from workflow.engine import WorkflowError
from workflow.review import ReviewStatus

from .filings_fixtures import filed_plan, parts, pdf, plan_data, world, zip_named_pdf  # noqa: F401

pytestmark = pytest.mark.django_db


def _audit(plan, action):
    return AuditEvent.objects.filter(object_type__endswith="implementationplan", object_id=str(plan.pk), action=action).count()


# -- Transitions and who may make them --------------------------------------------------------


def test_department_files_the_office_acknowledges(world):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    assert plan.status == FilingStatus.FILED and plan.filed_at is not None
    plan = services.plan_acknowledge(actor=users.city_reviewer, plan=plan, comment="已备案")
    assert plan.status == FilingStatus.ACKNOWLEDGED and plan.acknowledged_at is not None
    assert [(e.from_status, e.to_status) for e in plan.events.all()] == [
        ("", "draft"), ("draft", "filed"), ("filed", "acknowledged"),
    ]
    assert _audit(plan, AuditAction.TRANSITION) == 2


@pytest.mark.parametrize("who", ["editor_b", "head_a", "city_reviewer", "county_reviewer", "establishment", "sysadmin"])
def test_only_the_departments_editor_files(world, who):
    users, city = world.users, world.city
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    services.plan_save(actor=users.editor_a, plan=plan, data=plan_data(document=pdf()))
    with pytest.raises(Refused):
        services.plan_file(actor=getattr(users, who), plan=plan)
    plan.refresh_from_db()
    assert plan.status == FilingStatus.DRAFT
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=getattr(users, who)).exists()


@pytest.mark.parametrize("who", ["editor_a", "county_reviewer", "establishment", "head_a"])
def test_only_the_competent_office_decides(world, who):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    for service, kwargs in ((services.plan_acknowledge, {}), (services.plan_return, {"comment": "不行"})):
        with pytest.raises(Refused):
            service(actor=getattr(users, who), plan=plan, **kwargs)
    plan.refresh_from_db()
    assert plan.status == FilingStatus.FILED


def test_county_office_decides_for_its_departments_not_the_city_office(world):
    plan = filed_plan(world, world.city.dept_x1, world.editor_x1)
    with pytest.raises(Refused):
        services.plan_acknowledge(actor=world.users.city_reviewer, plan=plan)
    assert services.plan_acknowledge(actor=world.users.county_reviewer, plan=plan).status == FilingStatus.ACKNOWLEDGED


def test_return_needs_a_comment_then_the_editor_revises_and_refiles(world):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    with pytest.raises(ValidationError) as error:
        services.plan_return(actor=users.city_reviewer, plan=plan, comment="  ")
    assert "comment" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.status == FilingStatus.FILED
    plan = services.plan_return(actor=users.city_reviewer, plan=plan, comment="时间要求不具体")
    assert plan.status == FilingStatus.RETURNED and plan.comment == "时间要求不具体"
    assert plan.events.last().comment == "时间要求不具体"
    services.plan_save(actor=users.editor_a, plan=plan, data=plan_data("（修订）"))
    plan = services.plan_file(actor=users.editor_a, plan=plan)
    assert plan.status == FilingStatus.FILED and plan.comment == ""
    assert plan.revisions.count() == 2


def test_states_refuse_what_the_table_does_not_allow(world):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    with pytest.raises(WorkflowError):
        services.plan_file(actor=users.editor_a, plan=plan)
    with pytest.raises(services.FilingError):
        services.plan_save(actor=users.editor_a, plan=plan, data=plan_data())
    with pytest.raises(WorkflowError):
        services.plan_reopen(actor=users.editor_a, plan=plan)
    services.plan_acknowledge(actor=users.city_reviewer, plan=plan)
    with pytest.raises(WorkflowError):
        services.plan_return(actor=users.city_reviewer, plan=plan, comment="晚了")
    plan = services.plan_reopen(actor=users.editor_a, plan=plan)
    assert plan.status == FilingStatus.DRAFT


def test_filing_needs_the_plan_document(world):
    users, city = world.users, world.city
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    services.plan_save(actor=users.editor_a, plan=plan, data=plan_data())
    with pytest.raises(services.FilingError):
        services.plan_file(actor=users.editor_a, plan=plan)
    plan.refresh_from_db()
    assert plan.status == FilingStatus.DRAFT and plan.filed_at is None


def test_county_government_filed_by_its_office_received_by_the_city(world):
    users, city = world.users, world.city
    plan = filed_plan(world, city.county_x, users.county_reviewer)
    with pytest.raises(Refused):
        services.plan_acknowledge(actor=users.county_reviewer, plan=plan)
    assert services.plan_acknowledge(actor=users.city_reviewer, plan=plan).status == FilingStatus.ACKNOWLEDGED
    with pytest.raises(Refused):
        services.plan_open(actor=users.city_reviewer, organisation=city.county_x, campaign=world.campaign)


def test_township_plan_recorded_by_its_county_office_only(world):
    users = world.users
    plan = filed_plan(world, world.township_x, users.county_reviewer)
    assert plan.status == FilingStatus.FILED
    with pytest.raises(Refused):
        services.plan_open(actor=world.county_y_reviewer, organisation=world.township_x, campaign=world.campaign)


def test_authorised_body_and_offices_file_no_plan_of_their_own(world):
    city = world.city
    from rollout.workflow_filings import files_anything

    assert not files_anything(city.entrusted_a) and not files_anything(world.authorised_a)
    assert not files_anything(city.city_office) and not files_anything(city.city)
    assert files_anything(city.dept_a) and files_anything(world.street_x)


# -- Revisions and the diff --------------------------------------------------------------------


def test_every_filed_revision_is_kept_and_compared_part_by_part(world, client):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    services.plan_return(actor=users.city_reviewer, plan=plan, comment="请细化")
    changed = dict(parts(), time_requirements="3月底前完成第一阶段，6月底前完成第二阶段。")
    services.plan_save(actor=users.editor_a, plan=plan, data=services.PlanData(**changed))
    services.plan_file(actor=users.editor_a, plan=plan)
    first, second = PlanRevision.objects.filter(plan=plan).order_by("number")
    assert first.time_requirements == parts()["time_requirements"] and first.filed_at is not None
    assert second.time_requirements == changed["time_requirements"]
    assert second.document.name == first.document.name  # the document carried over

    diff = plan_diff(first, second)
    assert [c.change.field for c in diff.changed] == ["time_requirements"]
    segments = diff.changed[0].segments
    assert "".join(s.text for s in segments if s.op != "added") == first.time_requirements
    assert "".join(s.text for s in segments if s.op != "removed") == second.time_requirements
    assert any(s.op == "added" and "6月底" in s.text for s in segments)

    client.force_login(users.city_reviewer)
    response = client.get(reverse("filings:plan_compare", args=[plan.pk]), {"old": 1, "new": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="diff-time_requirements"' in body and 'id="diff-guiding_ideas"' not in body and "<ins>" in body


def test_revisions_of_two_plans_are_not_compared(world):
    users, city = world.users, world.city
    a = filed_plan(world, city.dept_a, users.editor_a)
    b = filed_plan(world, city.dept_b, users.editor_b)
    with pytest.raises(ValueError):
        plan_diff(a.revisions.get(), b.revisions.get())


# -- The form the flags call for ------------------------------------------------------------------


@pytest.mark.parametrize("organisation, editor, form, has_parts, has_superior", [
    ("stationed", "editor_stationed", PlanForm.SUPERIOR, False, True),
    ("vertical", "editor_vertical", PlanForm.SUPERIOR, False, True),
    ("dual", "editor_dual", PlanForm.BOTH, True, True),
    ("plain", "editor_a", PlanForm.OWN, True, False),
])
def test_management_flags_decide_the_plan_form(world, client, organisation, editor, form, has_parts, has_superior):
    org = world.city.dept_a if organisation == "plain" else getattr(world, organisation)
    user = world.users.editor_a if editor == "editor_a" else getattr(world, editor)
    plan = services.plan_open(actor=user, organisation=org, campaign=world.campaign)
    assert plan.form == form
    client.force_login(user)
    body = client.get(reverse("filings:plan_edit", args=[plan.pk])).content.decode()
    assert ('name="guiding_ideas"' in body) is has_parts
    assert ('name="document"' in body) is has_parts
    assert ('name="superior_document"' in body) is has_superior
    assert f'data-form="{form}"' in body


def test_a_stationed_organisation_files_its_superiors_arrangement(world):
    plan = services.plan_open(actor=world.editor_stationed, organisation=world.stationed, campaign=world.campaign)
    with pytest.raises(ValidationError) as error:
        services.plan_save(actor=world.editor_stationed, plan=plan, data=services.PlanData(superior_title="省公路局推行方案"))
    assert set(error.value.message_dict) == {"superior_document"}
    services.plan_save(actor=world.editor_stationed, plan=plan, data=services.PlanData(
        superior_title="省公路局推行方案", superior_issuer="甘肃省公路局", superior_document=pdf("省局方案.pdf")))
    plan = services.plan_file(actor=world.editor_stationed, plan=plan)  # no six parts, no own document needed
    assert plan.status == FilingStatus.FILED


def test_a_dual_managed_organisation_attaches_both(world):
    plan = services.plan_open(actor=world.editor_dual, organisation=world.dual, campaign=world.campaign)
    with pytest.raises(ValidationError) as error:
        services.plan_save(actor=world.editor_dual, plan=plan, data=plan_data())
    assert set(error.value.message_dict) == {"superior_title", "superior_document"}
    services.plan_save(actor=world.editor_dual, plan=plan, data=plan_data(
        superior_title="省气象局部署", superior_document=pdf("省局.pdf"), document=pdf()))
    assert services.plan_file(actor=world.editor_dual, plan=plan).status == FilingStatus.FILED


# -- Revised plans, covered bodies, bad input --------------------------------------------------------


def test_an_organisation_that_already_runs_the_system_files_a_revised_plan(world, client):
    users, city = world.users, world.city
    BasisCatalogue.objects.create(department=city.dept_a, version=1, status=ReviewStatus.PUBLISHED)
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    assert plan.kind == PlanKind.REVISED
    other = services.plan_open(actor=users.editor_b, organisation=city.dept_b, campaign=world.campaign)
    assert other.kind == PlanKind.NEW
    with pytest.raises(ValidationError) as error:
        services.plan_save(actor=users.editor_a, plan=plan, data=plan_data())
    assert set(error.value.message_dict) == {"revision_notes"}
    client.force_login(users.editor_a)
    assert 'name="revision_notes"' in client.get(reverse("filings:plan_edit", args=[plan.pk])).content.decode()
    client.force_login(users.editor_b)
    assert 'name="revision_notes"' not in client.get(reverse("filings:plan_edit", args=[other.pk])).content.decode()


def test_covered_bodies_are_checked_against_the_tree(world):
    users, city = world.users, world.city
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    for stranger in (world.authorised_b, city.agency_a, city.dept_b):
        with pytest.raises(ValidationError) as error:
            services.plan_save(actor=users.editor_a, plan=plan, data=plan_data(covered=[city.entrusted_a.pk, stranger.pk]))
        assert list(error.value.message_dict) == ["covered"]
        assert stranger.name in error.value.message_dict["covered"][0]
    revision = services.plan_save(actor=users.editor_a, plan=plan, data=plan_data(covered=[city.entrusted_a.pk, world.authorised_a.pk]))
    assert set(revision.covered.all()) == {city.entrusted_a, world.authorised_a}


def test_a_missing_part_is_named_on_its_field_and_nothing_is_saved(world, client):
    users, city = world.users, world.city
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    client.force_login(users.editor_a)
    before = AuditEvent.objects.exclude(action=AuditAction.LOGIN).count()
    form = dict(parts(), measures="", document=pdf())
    with __import__("django").utils.translation.override("en"):
        response = client.post(reverse("filings:plan_edit", args=[plan.pk]), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "measures" in response.context["form"].errors
    assert set(response.context["form"].errors) == {"measures"}
    revision = plan.revisions.get()
    assert revision.guiding_ideas == "" and not revision.document
    assert AuditEvent.objects.exclude(action=AuditAction.LOGIN).count() == before


def test_an_attachment_that_is_not_what_it_says_is_refused_on_its_field(world, client):
    users, city = world.users, world.city
    plan = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    client.force_login(users.editor_a)
    response = client.post(reverse("filings:plan_edit", args=[plan.pk]), dict(parts(), document=zip_named_pdf()))
    assert response.status_code == 200 and set(response.context["form"].errors) == {"document"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("filings:plan_edit", args=[plan.pk]), dict(parts(), document=SimpleUploadedFile("a.exe", b"MZ")))
    assert set(response.context["form"].errors) == {"document"}
    assert plan.revisions.get().guiding_ideas == ""


def test_a_campaign_of_another_jurisdiction_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.plan_open(actor=world.users.editor_a, organisation=world.city.dept_a, campaign=world.county_y_campaign)
    assert "campaign" in error.value.message_dict
    assert not ImplementationPlan.objects.exists()


# -- Scoping ------------------------------------------------------------------------------------


def test_county_office_sees_its_townships_plans_not_another_countys(world, client):
    users = world.users
    own = filed_plan(world, world.township_x, users.county_reviewer)
    other = filed_plan(world, world.township_y, world.county_y_reviewer)
    dept = filed_plan(world, world.city.dept_x1, world.editor_x1)
    client.force_login(users.county_reviewer)
    assert client.get(reverse("filings:plan_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("filings:plan_detail", args=[dept.pk])).status_code == 200
    denials = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get(reverse("filings:plan_detail", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == denials + 1
    listed = {p.pk for p in client.get(reverse("filings:plan_list")).context["page"].object_list}
    assert listed == {own.pk, dept.pk}
    client.force_login(users.city_reviewer)
    listed = {p.pk for p in client.get(reverse("filings:plan_list")).context["page"].object_list}
    assert listed == {own.pk, other.pk, dept.pk}


def test_drafts_are_the_filers_own(world, client):
    users, city = world.users, world.city
    draft = services.plan_open(actor=users.editor_a, organisation=city.dept_a, campaign=world.campaign)
    client.force_login(users.city_reviewer)
    assert client.get(reverse("filings:plan_detail", args=[draft.pk])).status_code == 404
    client.force_login(users.editor_b)
    assert client.get(reverse("filings:plan_detail", args=[draft.pk])).status_code == 404
    client.force_login(users.head_a)
    assert client.get(reverse("filings:plan_detail", args=[draft.pk])).status_code == 200


def test_the_document_downloads_in_scope_only_and_on_record(world, client):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    url = reverse("filings:plan_document", args=[plan.pk, 1, "plan"])
    client.force_login(users.editor_b)
    assert client.get(url).status_code == 404
    client.force_login(users.city_reviewer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=users.city_reviewer).exists()
    assert client.get(reverse("filings:plan_document", args=[plan.pk, 1, "superior"])).status_code == 404


def test_transition_page_refuses_the_wrong_actor(world, client):
    users, city = world.users, world.city
    plan = filed_plan(world, city.dept_a, users.editor_a)
    client.force_login(users.editor_a)
    assert client.post(reverse("filings:plan_transition", args=[plan.pk, "acknowledge"])).status_code == 403
    client.force_login(users.city_reviewer)
    response = client.post(reverse("filings:plan_transition", args=[plan.pk, "return"]), {"comment": "请补充"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == FilingStatus.RETURNED


def test_plan_list_in_a_constant_number_of_queries(world, client, django_assert_max_num_queries):
    users, city = world.users, world.city
    for organisation, filer in ((city.dept_a, users.editor_a), (city.dept_b, users.editor_b), (world.dual, world.editor_dual)):
        plan = services.plan_open(actor=filer, organisation=organisation, campaign=world.campaign)
        services.plan_save(actor=filer, plan=plan, data=plan_data(document=pdf(), superior_title="上级", superior_document=pdf()))
        services.plan_file(actor=filer, plan=plan)
    client.force_login(users.city_reviewer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("filings:plan_list"))
    assert len(response.context["page"].object_list) == 3


# -- API ---------------------------------------------------------------------------------------


def test_api_writes_files_and_compares(world, api_client):
    users, city = world.users, world.city
    api_client.force_authenticate(users.editor_a)
    response = api_client.post("/api/rollout/plans/", {"organisation": city.dept_a.code}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = api_client.put(f"/api/rollout/plans/{pk}/revision/", dict(parts(), steps=""), format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["steps"]
    assert api_client.put(f"/api/rollout/plans/{pk}/revision/", parts(), format="json").status_code == 200
    assert api_client.post(f"/api/rollout/plans/{pk}/transition/", {"transition": "file"}, format="json").status_code == 409
    api_client.force_authenticate(users.editor_b)
    assert api_client.get(f"/api/rollout/plans/{pk}/").status_code == 404
    api_client.force_authenticate(users.editor_a)
    services.plan_save(actor=users.editor_a, plan=ImplementationPlan.objects.get(pk=pk), data=plan_data(document=pdf()))
    assert api_client.post(f"/api/rollout/plans/{pk}/transition/", {"transition": "file"}, format="json").status_code == 200
    api_client.force_authenticate(users.city_reviewer)
    assert api_client.post(f"/api/rollout/plans/{pk}/transition/", {"transition": "return"}, format="json").status_code == 400
    assert api_client.post(f"/api/rollout/plans/{pk}/transition/", {"transition": "return", "comment": "改"}, format="json").status_code == 200
    api_client.force_authenticate(users.editor_a)
    api_client.put(f"/api/rollout/plans/{pk}/revision/", dict(parts(), goals_and_tasks="新的目标"), format="json")
    api_client.post(f"/api/rollout/plans/{pk}/transition/", {"transition": "file"}, format="json")
    diff = api_client.get(f"/api/rollout/plans/{pk}/diff/", {"old": 1, "new": 2}).json()
    assert [c["part"] for c in diff["changed"]] == ["goals_and_tasks"]
    assert len(api_client.get(f"/api/rollout/plans/{pk}/revisions/").json()) == 2


# -- Home page -------------------------------------------------------------------------------------


def test_home_tiles_count_the_rows_they_open_and_the_editor_gets_a_link_to_file(world, client):
    users, city = world.users, world.city
    filed_plan(world, city.dept_a, users.editor_a)
    filed_plan(world, city.dept_x1, world.editor_x1)  # the county's office decides, not the city's
    filed_plan(world, world.township_x, users.county_reviewer)
    for user, expected in ((users.city_reviewer, 1), (users.county_reviewer, 2)):
        client.force_login(user)
        tiles = {item["url"]: item for item in client.get(reverse("home")).context["awaiting"]}
        tile = tiles["filings:plan_list"]
        assert tile["count"] == expected
        page = client.get(reverse("filings:plan_list") + "?" + tile["query"])
        content = page.content.decode()
        assert content.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr") == expected
    client.force_login(users.editor_b)
    tiles = {item["url"]: item for item in client.get(reverse("home")).context["awaiting"]}
    assert tiles["filings:plan_mine"]["count"] == 1
    assert client.get(reverse("filings:plan_mine")).url == reverse("filings:plan_list")
    client.force_login(users.editor_a)
    tiles = {item["url"]: item for item in client.get(reverse("home")).context["awaiting"]}
    assert tiles["filings:plan_mine"]["count"] == 0
    plan = ImplementationPlan.objects.get(organisation=city.dept_a)
    assert client.get(reverse("filings:plan_mine")).url == reverse("filings:plan_detail", args=[plan.pk])
