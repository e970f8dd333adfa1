"""The campaign pages end to end through the test client: open with bad then good dates, change
the dates, draw a spot check, record a finding, the department reports, the office accepts."""

from datetime import timedelta

from django.utils import timezone

from rollout.models import Campaign, Finding, RectificationStatus, SpotCheck

from .conftest import future_dues


def _form_dates(dues):
    return {f"due_{n}": timezone.localtime(d).strftime("%Y-%m-%dT%H:%M") if d else "" for n, d in dues.items()}


def test_open_a_campaign_through_the_page(city, users, client, year):
    client.force_login(users.city_reviewer)
    assert client.get("/office/campaigns/new/").status_code == 200
    dues = future_dues()
    bad = {**_form_dates(dues), "due_1": (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
           "year": year, "title": "市推行"}
    response = client.post("/office/campaigns/new/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "due_1" in response.context["form"].errors
    assert "A deadline cannot be in the past." in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post("/office/campaigns/new/", {**_form_dates(dues), "year": year, "title": "市推行"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == f"/office/campaigns/{campaign.pk}/"
    assert client.get(response.url).status_code == 200
    moved = {**dues, 4: dues[4] + timedelta(days=10)}
    response = client.post(f"/office/campaigns/{campaign.pk}/phases/", _form_dates(moved))
    assert response.status_code == 302
    assert campaign.phases.get(number=4).due_at.replace(second=0, microsecond=0) == moved[4].replace(second=0, microsecond=0)


def test_a_county_form_leaves_dates_to_the_city(city_campaign, city, users, client, year):
    client.force_login(users.county_reviewer)
    response = client.post("/office/campaigns/new/", {"year": year, "title": "甲县推行", **{f"due_{n}": "" for n in range(1, 5)}})
    assert response.status_code == 302
    assert Campaign.objects.get(jurisdiction=city.county_x).parent == city_campaign


def test_spot_check_pages_and_the_rectification_round_trip(city_campaign, city, users, client):
    client.force_login(users.city_reviewer)
    response = client.post(f"/office/campaigns/{city_campaign.pk}/spot-checks/new/",
                           {"title": "第一轮", "share_percent": 5, "late_weight": 1})
    assert response.status_code == 200 and "share_percent" in response.context["form"].errors
    response = client.post(f"/office/campaigns/{city_campaign.pk}/spot-checks/new/",
                           {"title": "第一轮", "share_percent": 100, "late_weight": 1, "seed": 77})
    spot_check = SpotCheck.objects.get()
    assert response.status_code == 302 and len(spot_check.drawn) == 6
    detail = client.get(f"/office/campaigns/spot-checks/{spot_check.pk}/")
    assert detail.status_code == 200 and detail.context["reproduced"]
    target = spot_check.targets.get(organisation=city.dept_a)
    due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/office/campaigns/spot-checks/{spot_check.pk}/targets/{target.pk}/findings/new/",
                           {"kind": "perfunctory", "description": "走过场", "rectification": "重新自查", "due_at": due})
    assert response.status_code == 302
    finding = Finding.objects.get()

    client.force_login(users.editor_a)
    assert client.get(f"/office/campaigns/spot-checks/{spot_check.pk}/").status_code == 403
    assert client.post(f"/office/campaigns/findings/{finding.pk}/report/", {"report": "已完成自查"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.REPORTED

    client.force_login(users.editor_b)
    assert client.post(f"/office/campaigns/findings/{finding.pk}/report/", {"report": "x"}).status_code == 404

    client.force_login(users.county_reviewer)
    assert client.post(f"/office/campaigns/findings/{finding.pk}/accept/").status_code == 404
    client.force_login(users.city_reviewer)
    assert client.post(f"/office/campaigns/findings/{finding.pk}/accept/").status_code == 302
    finding.refresh_from_db()
    assert finding.status == RectificationStatus.DONE
