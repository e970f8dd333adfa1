"""The permission matrix for organisations and accounts, in HTML and in the API.

Each table has one row per role (the nine users of the ``users`` fixture and the anonymous
public) and states the exact answer for every target: 200 (or the redirect after a successful
POST), 403 when the role may never do it, 404 when the object lies outside the user's scope.
"""

import re
from typing import NamedTuple

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from organisations.models import Organisation, OrganisationKind

from .factories import OrganisationFactory, UserFactory

LOGIN = "login"  # an anonymous browser is sent to the login page
# DRF answers an anonymous API call with 403, not 401: the first authentication class is the
# session one, which sends no WWW-Authenticate challenge.
ANONYMOUS_API = 403


class Outcome(NamedTuple):
    view: int | str
    change: int | str


RW = Outcome(200, 200)  # may view and change
RO = Outcome(200, 403)  # may view, may not change
NF = Outcome(404, 404)  # outside the user's scope: as if it did not exist
NO = Outcome(403, 403)  # the role may never see organisations
ANON = Outcome(LOGIN, LOGIN)

ROLES = (
    "city_reviewer", "county_reviewer", "establishment", "editor_a", "editor_b", "head_a",
    "sysadmin", "secadmin", "auditadmin", "anonymous",
)

# ``elsewhere`` is a department of a second city, outside everybody's scope.
TARGETS = ("agency_a", "dept_a", "dept_b", "dept_x1", "dept_y1", "city", "elsewhere")
ORGANISATION_MATRIX = {
    #                   agency_a dept_a dept_b dept_x1 dept_y1 city elsewhere
    "city_reviewer":   (RO,      RO,    RO,    RO,     RO,     RO,  NF),
    "county_reviewer": (NF,      NF,    NF,    RO,     NF,     NF,  NF),
    # The establishment office keeps the structure of its whole jurisdiction but its own
    # government, which is the city's to change.
    "establishment":   (RW,      RW,    RW,    RW,     RW,     RO,  NF),
    # A department editor keeps its own internal agencies, not the department itself.
    "editor_a":        (RW,      RO,    NF,    NF,     NF,     NF,  NF),
    "editor_b":        (NF,      NF,    RO,    NF,     NF,     NF,  NF),
    "head_a":          (RO,      RO,    NF,    NF,     NF,     NF,  NF),
    "sysadmin":        (NO,      NO,    NO,    NO,     NO,     NO,  NO),
    "secadmin":        (NO,      NO,    NO,    NO,     NO,     NO,  NO),
    "auditadmin":      (NO,      NO,    NO,    NO,     NO,     NO,  NO),
    "anonymous":       (ANON,    ANON,  ANON,  ANON,   ANON,   ANON, ANON),
}
assert set(ORGANISATION_MATRIX) == set(ROLES)

ORGANISATION_CASES = [
    pytest.param(role, target, outcome, id=f"{role}-{target}")
    for role, row in ORGANISATION_MATRIX.items()
    for target, outcome in zip(TARGETS, row, strict=True)
]

CITY_CODES = {"C", "C-FZB", "C-BB", "C-A", "C-B", "C-A-1", "C-A-2", "X", "X-FZB", "X-BB", "X-1", "Y", "Y-FZB", "Y-1"}
VISIBLE_CODES = {
    "city_reviewer": CITY_CODES,
    "county_reviewer": {"X", "X-FZB", "X-BB", "X-1"},
    "establishment": CITY_CODES,
    "editor_a": {"C-A", "C-A-1", "C-A-2"},
    "editor_b": {"C-B"},
    "head_a": {"C-A", "C-A-1", "C-A-2"},
}


@pytest.fixture
def elsewhere(db):
    other_city = OrganisationFactory(code="Z", name="另一市人民政府", kind=OrganisationKind.CITY)
    return OrganisationFactory(parent=other_city, code="Z-1", name="另一市市场监督管理局")


@pytest.fixture
def target_of(city, elsewhere):
    def _target(name):
        return elsewhere if name == "elsewhere" else getattr(city, name)

    return _target


@pytest.fixture
def browser(client, users, login):
    """The Django test client signed in as the role (through the login form), or anonymous."""

    def _as(role):
        return client if role == "anonymous" else login(getattr(users, role))

    return _as


@pytest.fixture
def api(api_client, users):
    def _as(role):
        if role != "anonymous":
            api_client.force_login(getattr(users, role))
        return api_client

    return _as


def assert_answer(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.content[:300]


def api_answer(expected):
    return ANONYMOUS_API if expected == LOGIN else expected


def edit_form_data(organisation, name):
    data = {
        "name": name,
        "short_name": organisation.short_name,
        "office_function": organisation.office_function,
        "subject_kind": organisation.subject_kind,
        "principal": organisation.principal_id or "",
    }
    if organisation.is_active:
        data["is_active"] = "on"
    return data


# -- Organisations: one object --------------------------------------------------------------


@pytest.mark.parametrize(("role", "target", "outcome"), ORGANISATION_CASES)
def test_organisation_detail_html(browser, target_of, role, target, outcome):
    organisation = target_of(target)
    response = browser(role).get(f"/office/organisations/{organisation.pk}/")
    assert_answer(response, outcome.view)
    if outcome.view == 200:
        assert organisation.name in response.content.decode()


@pytest.mark.parametrize(("role", "target", "outcome"), ORGANISATION_CASES)
def test_organisation_edit_form_html(browser, target_of, role, target, outcome):
    organisation = target_of(target)
    response = browser(role).get(f"/office/organisations/{organisation.pk}/edit/")
    assert_answer(response, outcome.change)


@pytest.mark.parametrize(("role", "target", "outcome"), ORGANISATION_CASES)
def test_organisation_edit_post_html(browser, target_of, role, target, outcome):
    organisation = target_of(target)
    response = browser(role).post(
        f"/office/organisations/{organisation.pk}/edit/", edit_form_data(organisation, "改过的名称")
    )
    if outcome.change == 200:
        assert response.status_code == 302
        assert response["Location"] == f"/office/organisations/{organisation.pk}/"
    else:
        assert_answer(response, outcome.change)
    organisation.refresh_from_db()
    assert (organisation.name == "改过的名称") == (outcome.change == 200)


@pytest.mark.parametrize(("role", "target", "outcome"), ORGANISATION_CASES)
def test_organisation_detail_api(api, target_of, role, target, outcome):
    organisation = target_of(target)
    response = api(role).get(f"/api/organisations/{organisation.pk}/")
    assert response.status_code == api_answer(outcome.view)
    if outcome.view == 200:
        assert response.json()["code"] == organisation.code


@pytest.mark.parametrize(("role", "target", "outcome"), ORGANISATION_CASES)
def test_organisation_patch_api(api, target_of, role, target, outcome):
    organisation = target_of(target)
    response = api(role).patch(
        f"/api/organisations/{organisation.pk}/", {"name": "改过的名称"}, format="json"
    )
    assert response.status_code == api_answer(outcome.change)
    organisation.refresh_from_db()
    assert (organisation.name == "改过的名称") == (outcome.change == 200)


def test_editor_cannot_reach_another_departments_record(browser, api, city, users):
    """Done-when of issue 2: by URL or by API, another department's records do not exist for
    an editor, and they stay as they were."""
    html = browser("editor_b")
    client = api("editor_b")
    for organisation in (city.dept_a, city.agency_a, city.entrusted_a):
        assert html.get(f"/office/organisations/{organisation.pk}/").status_code == 404
        assert html.get(f"/office/organisations/{organisation.pk}/edit/").status_code == 404
        assert html.post(
            f"/office/organisations/{organisation.pk}/edit/", edit_form_data(organisation, "被篡改")
        ).status_code == 404
        assert html.get(f"/office/organisations/{organisation.pk}/add/").status_code == 404
        assert client.get(f"/api/organisations/{organisation.pk}/").status_code == 404
        assert client.patch(
            f"/api/organisations/{organisation.pk}/", {"name": "被篡改"}, format="json"
        ).status_code == 404
        assert client.put(
            f"/api/organisations/{organisation.pk}/", {"name": "被篡改"}, format="json"
        ).status_code == 404
    assert not Organisation.objects.filter(name="被篡改").exists()


# -- Organisations: lists -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_api_is_scoped(api, city, users, elsewhere, role):
    response = api(role).get("/api/organisations/", {"page_size": 200})
    if role in VISIBLE_CODES:
        assert response.status_code == 200
        assert {row["code"] for row in response.json()["results"]} == VISIBLE_CODES[role]
    else:
        assert response.status_code == (ANONYMOUS_API if role == "anonymous" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_html_is_scoped(browser, city, users, elsewhere, role):
    response = browser(role).get("/office/organisations/")
    if role == "anonymous":
        assert_answer(response, LOGIN)
        return
    if role not in VISIBLE_CODES:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    linked = set(re.findall(r'<a href="/office/organisations/(\d+)/">([^<]+)</a>', response.content.decode()))
    expected = Organisation.objects.filter(code__in=VISIBLE_CODES[role]).values_list("pk", "name")
    assert linked == {(str(pk), name) for pk, name in expected}


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.OFFICE_REVIEWER, "dept_a"),  # a reviewer role on a department account
        (Role.OFFICE_REVIEWER, "city_establishment"),  # the wrong office
        (Role.ESTABLISHMENT_REVIEWER, "city_office"),
        (Role.DEPARTMENT_EDITOR, "city_office"),  # a department role inside an office
        (Role.DEPARTMENT_HEAD, "agency_a"),
    ],
)
def test_account_whose_role_and_place_disagree_sees_nothing(api_client, city, role, place):
    """The API does not stop an administrator from pairing a role with the wrong kind of
    organisation; such an account must get no scope, never a wider one."""
    api_client.force_login(UserFactory(role=role, organisation=getattr(city, place)))
    response = api_client.get("/api/organisations/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert api_client.get(f"/api/organisations/{city.dept_a.pk}/").status_code == 404


def _add_departments(city, count):
    start = Organisation.objects.filter(code__startswith="C-N").count()
    for n in range(start, start + count):
        OrganisationFactory(parent=city.city, code=f"C-N{n:03d}", name=f"测试市第{n}局")


@pytest.mark.parametrize(
    ("role", "url", "client_fixture"),
    [
        ("city_reviewer", "/api/organisations/", "api"),
        ("city_reviewer", "/office/organisations/", "browser"),
        ("editor_a", "/api/organisations/", "api"),
    ],
)
def test_organisation_list_runs_a_constant_number_of_queries(request, city, users, role, url, client_fixture):
    client = request.getfixturevalue(client_fixture)(role)
    client.get(url)  # first request warms per-process caches (content types, translations)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _add_departments(city, 5)
    small = count_queries()
    _add_departments(city, 35)
    large = count_queries()
    assert small == large, (small, large)


# -- Accounts -------------------------------------------------------------------------------

# Accounts have no scope narrower than the role: an administrator who may see accounts sees
# them all. The target is an ordinary account (editor_b).
USER_MATRIX = {
    #                  HTML GET HTML POST API GET API PATCH
    "city_reviewer":   (403,    403,      403,    403),
    "county_reviewer": (403,    403,      403,    403),
    "establishment":   (403,    403,      403,    403),
    "editor_a":        (403,    403,      403,    403),
    "editor_b":        (403,    403,      403,    403),
    "head_a":          (403,    403,      403,    403),
    "sysadmin":        (200,    302,      200,    200),
    # The security administrator reads accounts (to unlock them) but does not edit them.
    "secadmin":        (403,    403,      200,    403),
    "auditadmin":      (403,    403,      403,    403),
    "anonymous":       (LOGIN,  LOGIN,    403,    403),
}
assert set(USER_MATRIX) == set(ROLES)
USER_CASES = [pytest.param(role, *row, id=role) for role, row in USER_MATRIX.items()]


def user_form_data(target, full_name):
    return {
        "full_name": full_name,
        "email": target.email,
        "role": target.role,
        "organisation": target.organisation_id or "",
        "is_active": "on",
    }


@pytest.mark.parametrize(("role", "html_get", "html_post", "api_get", "api_patch"), USER_CASES)
def test_user_html(browser, users, role, html_get, html_post, api_get, api_patch):
    target = users.editor_b
    client = browser(role)
    assert_answer(client.get(f"/accounts/users/{target.pk}/"), html_get)
    response = client.post(f"/accounts/users/{target.pk}/", user_form_data(target, "改过的姓名"))
    assert_answer(response, html_post)
    target.refresh_from_db()
    assert (target.full_name == "改过的姓名") == (html_post == 302 and role != "anonymous")


@pytest.mark.parametrize(("role", "html_get", "html_post", "api_get", "api_patch"), USER_CASES)
def test_user_api(api, users, role, html_get, html_post, api_get, api_patch):
    target = users.editor_b
    client = api(role)
    response = client.get(f"/api/users/{target.pk}/")
    assert response.status_code == api_get
    if api_get == 200:
        assert response.json()["username"] == "editor_b"
    response = client.patch(f"/api/users/{target.pk}/", {"full_name": "改过的姓名"}, format="json")
    assert response.status_code == api_patch
    target.refresh_from_db()
    assert (target.full_name == "改过的姓名") == (api_patch == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("sysadmin", 404), ("secadmin", 404), ("editor_a", 403), ("auditadmin", 403)],
)
def test_user_that_does_not_exist(api, users, role, expected):
    assert api(role).get("/api/users/999999/").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, 200 if role in {"sysadmin", "secadmin"} else 403) for role in ROLES if role != "anonymous"],
)
def test_user_list(browser, api, users, role, expected):
    assert browser(role).get("/accounts/users/").status_code == expected
    response = api(role).get("/api/users/", {"page_size": 200})
    assert response.status_code == expected
    if expected == 200:
        assert {row["username"] for row in response.json()["results"]} == {
            "city_reviewer", "county_reviewer", "establishment", "editor_a", "editor_b", "head_a",
            "sysadmin", "secadmin", "auditadmin",
        }
