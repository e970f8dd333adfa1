"""The leading group and working body: recorded by the organisation's filer, every change kept
and shown, shown with the plan, scoped like the plans."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.permissions import Refused
from audit.models import AuditEvent
from rollout import services_filings as services
from rollout.models import TeamMember

from .filings_fixtures import filed_plan, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _member(**overrides):
    data = {"name": "王建国", "body": "leading_group", "role": "leader", "position": "局长", "phone": "0939-8211001"}
    data.update(overrides)
    return services.MemberData(**data)


def test_members_recorded_changed_removed_and_every_change_kept(world, client):
    users, city = world.users, world.city
    leader = services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=_member())
    liaison = services.team_member_add(actor=users.editor_a, organisation=city.dept_a,
                                       data=_member(name="陈静", body="working_body", role="liaison", position="科员"))
    services.team_member_update(actor=users.editor_a, member=leader, data=_member(position="局长、党组书记"))
    services.team_member_remove(actor=users.editor_a, member=liaison)
    assert list(TeamMember.objects.values_list("name", flat=True)) == ["王建国"]
    history = TeamMember.history.filter(team_id=leader.team_id).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "+", "~", "-"]
    assert {h.history_user for h in history} == {users.editor_a}
    assert AuditEvent.objects.filter(object_type__endswith="teammember").values_list("action", flat=True).count() == 4

    client.force_login(users.city_reviewer)
    response = client.get(reverse("filings:team_detail", args=[city.dept_a.pk]))
    assert response.status_code == 200
    assert [h.history_type for h in response.context["changes"]] == ["-", "~", "+", "+"]
    body = response.content.decode()
    assert "陈静" in body and "局长、党组书记" in body
    assert not response.context["can_manage"]


def test_the_team_is_shown_with_the_plan(world, client):
    users, city = world.users, world.city
    services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=_member(name="李明", role="deputy_leader"))
    plan = filed_plan(world, city.dept_a, users.editor_a)
    client.force_login(users.city_reviewer)
    response = client.get(reverse("filings:plan_detail", args=[plan.pk]))
    assert [m.name for m in response.context["members"]] == ["李明"]
    assert 'id="team"' in response.content.decode()


@pytest.mark.parametrize("who", ["editor_b", "city_reviewer", "head_a", "sysadmin"])
def test_only_the_filer_records_the_team(world, who):
    users, city = world.users, world.city
    with pytest.raises(Refused):
        services.team_member_add(actor=getattr(users, who), organisation=city.dept_a, data=_member())
    member = services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=_member())
    with pytest.raises(Refused):
        services.team_member_remove(actor=getattr(users, who), member=member)
    assert TeamMember.objects.count() == 1


def test_a_county_office_records_its_townships_team(world):
    member = services.team_member_add(actor=world.users.county_reviewer, organisation=world.township_x, data=_member(name="镇长"))
    assert member.team.organisation == world.township_x
    with pytest.raises(Refused):
        services.team_member_add(actor=world.users.county_reviewer, organisation=world.township_y, data=_member())


def test_bad_member_input_is_refused_on_its_field_and_nothing_saved(world, client):
    users, city = world.users, world.city
    with pytest.raises(ValidationError) as error:
        services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=_member(name=" ", phone="call me"))
    assert set(error.value.message_dict) == {"name", "phone"}
    client.force_login(users.editor_a)
    response = client.post(reverse("filings:member_add", args=[city.dept_a.pk]),
                           {"name": "王", "body": "leading_group", "role": "leader", "phone": "abc"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"phone"}
    assert not TeamMember.objects.exists() and not TeamMember.history.exists()


def test_pages_scope_the_team(world, client):
    users, city = world.users, world.city
    member = services.team_member_add(actor=users.editor_a, organisation=city.dept_a, data=_member())
    client.force_login(users.editor_b)
    assert client.get(reverse("filings:team_detail", args=[city.dept_a.pk])).status_code == 404
    assert client.post(reverse("filings:member_remove", args=[city.dept_a.pk, member.pk])).status_code == 404
    client.force_login(users.county_reviewer)
    assert client.get(reverse("filings:team_detail", args=[city.dept_a.pk])).status_code == 404
    client.force_login(users.editor_a)
    response = client.post(reverse("filings:member_edit", args=[city.dept_a.pk, member.pk]),
                           {"name": "王建国", "body": "leading_group", "role": "leader", "position": "局长", "phone": "12345", "order": 1})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "12345"


def test_team_api(world, api_client):
    users, city = world.users, world.city
    api_client.force_authenticate(users.editor_a)
    response = api_client.post("/api/rollout/team-members/", {"organisation": city.dept_a.code, "name": "赵磊",
                                                             "body": "working_body", "role": "director"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api_client.post("/api/rollout/team-members/", {"organisation": city.dept_a.code, "name": "",
                                                         "body": "working_body", "role": "director"}, format="json").status_code == 400
    api_client.force_authenticate(users.editor_b)
    assert api_client.get(f"/api/rollout/team-members/{pk}/").status_code == 404
    assert api_client.post("/api/rollout/team-members/", {"organisation": city.dept_a.code, "name": "x",
                                                         "body": "working_body", "role": "director"}, format="json").status_code == 404
    api_client.force_authenticate(users.city_reviewer)
    assert [m["name"] for m in api_client.get("/api/rollout/team-members/", {"organisation": city.dept_a.code}).json()["results"]] == ["赵磊"]
    assert api_client.delete(f"/api/rollout/team-members/{pk}/").status_code == 403
