"""accounts.backends: the signed-in user comes with his organisation and its government, read
in the one query that loads him (every back-office page asks for both)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import UserWithOrganisationBackend

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_his_organisation_and_government_in_one_query(users, city):
    backend = UserWithOrganisationBackend()
    government = city.dept_a.jurisdiction
    with CaptureQueriesContext(connection) as captured:
        user = backend.get_user(users.editor_a.pk)
        organisation = user.organisation
        jurisdiction = organisation.jurisdiction
    assert len(captured) == 1
    assert user == users.editor_a and organisation == city.dept_a and jurisdiction == government


def test_an_inactive_or_unknown_user_is_nobody(users):
    backend = UserWithOrganisationBackend()
    users.editor_a.is_active = False
    users.editor_a.save(update_fields=["is_active"])
    assert backend.get_user(users.editor_a.pk) is None
    assert backend.get_user(10**9) is None


def test_a_signed_in_request_reads_the_organisation_with_the_user(client, users, city):
    client.force_login(users.editor_a)
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.UserWithOrganisationBackend"
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/office/basis/catalogues/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    by_id = [
        q["sql"] for q in captured.captured_queries
        if q["sql"].startswith('SELECT "organisations_organisation"') and f'"id" = {city.dept_a.pk}' in q["sql"]
        and " LIMIT 21" in q["sql"]
    ]
    assert by_id == []
