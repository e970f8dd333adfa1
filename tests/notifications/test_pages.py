"""The list page, the header count, marking read, and the API: each user sees his own alone."""

import pytest

from audit.models import AuditAction, AuditEvent
from notifications.models import Notification


def _note(user, title="事项", url="/office/basis/catalogues/", read=False):
    from django.utils import timezone

    return Notification.objects.create(recipient=user, kind="before", title=title, body="正文", url=url,
                                       read_at=timezone.now() if read else None)


@pytest.fixture
def mine(users):
    return [_note(users.editor_a, f"通知{i}") for i in range(3)] + [_note(users.editor_a, "旧的", read=True)]


@pytest.mark.django_db
def test_header_shows_the_unread_count_in_one_query(client, users, mine, django_assert_max_num_queries):
    client.force_login(users.editor_a)
    home = client.get("/office/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'href="/office/notifications/"' in home.content and b'data-unread="3"' in home.content
    other = _note(users.editor_b)
    assert other.pk  # someone else's does not count
    assert b'data-unread="3"' in client.get("/office/", HTTP_ACCEPT_LANGUAGE="en").content


@pytest.mark.django_db
def test_header_count_costs_one_query(client, users, mine, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.editor_a)
    client.get("/office/notifications/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/office/notifications/")
    counting = [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"] and "COUNT" in q["sql"].upper()]
    # The header's count (read once, used twice) and the paginator's count of the list.
    assert len(counting) == 2


@pytest.mark.django_db
def test_no_count_and_no_query_for_anonymous_visitors(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and b"data-unread" not in response.content


@pytest.mark.django_db
def test_the_list_is_newest_first_with_unread_marked(client, users, mine, django_assert_max_num_queries):
    client.force_login(users.editor_a)
    with django_assert_max_num_queries(20):
        response = client.get("/office/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    page = list(response.context["page"].object_list)
    assert [n.title for n in page] == ["旧的", "通知2", "通知1", "通知0"]
    assert response.content.count(b'class="card notification unread"') == 3
    unread = client.get("/office/notifications/?unread=1")
    assert [n.title for n in unread.context["page"].object_list] == ["通知2", "通知1", "通知0"]


@pytest.mark.django_db
def test_the_list_is_paginated(client, users):
    for i in range(30):
        _note(users.editor_a, f"n{i}")
    client.force_login(users.editor_a)
    first = client.get("/office/notifications/")
    second = client.get("/office/notifications/?page=2")
    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5


@pytest.mark.django_db
def test_mark_one_read_and_all_read(client, users, mine):
    client.force_login(users.editor_a)
    response = client.post(f"/office/notifications/{mine[0].pk}/read/", {"next": "/office/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/office/notifications/?page=1"
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(mine[0].pk)).count() == 1
    client.post("/office/notifications/read-all/", {"next": "https://evil.example/"})
    assert Notification.objects.filter(recipient=users.editor_a, read_at__isnull=True).count() == 0
    assert b"data-unread" not in client.get("/office/").content


@pytest.mark.django_db
def test_marking_read_is_a_post(client, users, mine):
    client.force_login(users.editor_a)
    assert client.get(f"/office/notifications/{mine[0].pk}/read/").status_code == 405
    assert client.get(f"/office/notifications/{mine[0].pk}/open/").status_code == 405


@pytest.mark.django_db
def test_open_marks_read_and_goes_to_the_link(client, users, mine):
    client.force_login(users.editor_a)
    response = client.post(f"/office/notifications/{mine[1].pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/office/basis/catalogues/"
    mine[1].refresh_from_db()
    assert mine[1].read_at is not None


@pytest.mark.django_db
def test_open_never_leaves_the_site(client, users):
    note = _note(users.editor_a, url="//evil.example/x")
    client.force_login(users.editor_a)
    assert client.post(f"/office/notifications/{note.pk}/open/")["Location"] == "/office/notifications/"


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["read", "open"])
def test_someone_else_s_notification_is_not_found_and_on_record(client, users, mine, action):
    client.force_login(users.editor_b)
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.post(f"/office/notifications/{mine[0].pk}/{action}/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1
    mine[0].refresh_from_db()
    assert mine[0].read_at is None


@pytest.mark.django_db
def test_the_list_needs_a_sign_in(client):
    assert client.get("/office/notifications/").status_code == 302


# -- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_lists_the_caller_s_own(api_client, users, mine):
    _note(users.editor_b, "别人的")
    api_client.force_authenticate(users.editor_a)
    body = api_client.get("/api/notifications/").json()
    assert [n["title"] for n in body["results"]] == ["旧的", "通知2", "通知1", "通知0"]
    assert [n["title"] for n in api_client.get("/api/notifications/?unread=true").json()["results"]] == ["通知2", "通知1", "通知0"]
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 3}


@pytest.mark.django_db
def test_api_marks_read(api_client, users, mine):
    api_client.force_authenticate(users.editor_a)
    response = api_client.post(f"/api/notifications/{mine[0].pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api_client.post("/api/notifications/read-all/").json() == {"marked": 2}
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 0}


@pytest.mark.django_db
def test_api_someone_else_s_is_404_on_record(api_client, users, mine):
    api_client.force_authenticate(users.editor_b)
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert api_client.get(f"/api/notifications/{mine[0].pk}/").status_code == 404
    assert api_client.post(f"/api/notifications/{mine[0].pk}/read/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 2
    mine[0].refresh_from_db()
    assert mine[0].read_at is None


@pytest.mark.django_db
def test_api_needs_authentication(api_client):
    assert api_client.get("/api/notifications/").status_code in (401, 403)
