"""Training tied to the post (§3(三): 结合任职岗位和具体职权进行上岗培训) through the officer's page
and the API: a record names the posts or kinds it covers, scoped like the officer."""

from decimal import Decimal

from authority.models import TrainingRecord

from .factories import BreakdownFactory, OfficerFactory, PostFactory, PowerFactory, assign, kind, place


def _officer_on_post(city):
    post = PostFactory(agency=city.agency_a, name="执法稽查岗")
    assign(PowerFactory(breakdown=BreakdownFactory(department=city.dept_a), kind=kind("supervision")), post)
    officer = OfficerFactory(department=city.dept_a, name="李秀英")
    place(officer, post)
    return officer, post


def test_the_page_records_training_with_posts_and_kinds(client, users, city):
    officer, post = _officer_on_post(city)
    client.force_login(users.editor_a)
    page = client.get(f"/office/authority/officers/{officer.pk}/").content.decode()
    assert "执法稽查岗" in page and "posts covered" in page.lower()
    response = client.post(f"/office/authority/officers/{officer.pk}/training/", {
        "kind": "pre_post", "hours": "40", "completed_on": "2026-04-29", "note": "全市行政执法人员岗前培训（第三期）",
        "posts": [post.pk], "kinds": [kind("penalty").pk],
    })
    assert response.status_code == 302
    record = TrainingRecord.objects.get(officer=officer)
    assert [p.pk for p in record.posts.all()] == [post.pk]
    assert [k.code for k in record.kinds.all()] == ["penalty"]
    assert "执法稽查岗" in client.get(f"/office/authority/officers/{officer.pk}/").content.decode()


def test_the_page_refuses_a_training_that_covers_nothing(client, users, city):
    officer, _post = _officer_on_post(city)
    client.force_login(users.editor_a)
    response = client.post(f"/office/authority/officers/{officer.pk}/training/", {
        "kind": "pre_post", "hours": "40", "completed_on": "2026-04-29",
    }, follow=True)
    assert "Name the posts or the kinds of enforcement the training covers." in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_the_api_reads_and_records_training(api_client, users, city):
    officer, post = _officer_on_post(city)
    url = f"/api/authority/officers/{officer.pk}/trainings/"
    api_client.force_authenticate(users.editor_a)
    created = api_client.post(url, {
        "kind": "pre_post", "hours": "40.0", "completed_on": "2026-04-29", "posts": [post.pk], "kinds": ["penalty"],
    }, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["posts"] == [post.pk] and created.json()["kinds"] == ["penalty"]
    assert [t["id"] for t in api_client.get(url).json()] == [created.json()["id"]]
    refused = api_client.post(url, {"kind": "pre_post", "hours": "8", "completed_on": "2026-05-01"}, format="json")
    assert refused.status_code == 409
    assert TrainingRecord.objects.count() == 1


def test_the_api_keeps_training_to_the_officers_scope(api_client, users, city):
    officer, post = _officer_on_post(city)
    other_post = PostFactory(agency=city.dept_b, name="卫生监督岗")
    url = f"/api/authority/officers/{officer.pk}/trainings/"
    api_client.force_authenticate(users.editor_b)
    assert api_client.get(url).status_code == 404
    assert api_client.post(url, {"kind": "pre_post", "hours": "40", "completed_on": "2026-04-29",
                                 "kinds": ["penalty"]}, format="json").status_code == 404
    api_client.force_authenticate(users.city_reviewer)  # sees the officer; the department keeps its records
    assert api_client.get(url).status_code == 200
    assert api_client.post(url, {"kind": "pre_post", "hours": "40", "completed_on": "2026-04-29",
                                 "kinds": ["penalty"]}, format="json").status_code == 403
    api_client.force_authenticate(users.editor_a)
    foreign = api_client.post(url, {"kind": "pre_post", "hours": Decimal("40"), "completed_on": "2026-04-29",
                                    "posts": [other_post.pk]}, format="json")
    assert foreign.status_code == 400
    assert not TrainingRecord.objects.exists()
