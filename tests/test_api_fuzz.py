"""The API against its own OpenAPI schema (drf-spectacular, ``/api/schema/``), fuzzed with
schemathesis through the WSGI application (no server): every read operation, as each kind of
caller, answers without a server error (issue 11).

Reads only: they change nothing, so all examples of a test share its one test transaction. The
coverage and stateful phases are off and each operation gets a few generated examples, which
keeps the module to well under a minute or two on a small machine (see the report on issue 11).
"""

import traceback
from io import StringIO

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.authority.factories import BreakdownFactory, PowerFactory
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory

# Every role (the county office, the establishment office, a department's editor and head, the
# three administrators), and nobody logged in.
ROLES = ("city_reviewer", "county_reviewer", "establishment", "editor_a", "head_a", "sysadmin", "secadmin", "auditadmin", None)
CONFIG = {
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"max-examples": 5},
}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler is called directly, not through Django's test client, so the request
    signals would close the database connection after each request: on PostgreSQL that is the
    test's own transaction, and every later test of the process would find it closed. The test
    client detaches the same receiver for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def records(city, users):
    """Something to find: the ids the generator tries (small integers) hit real records."""
    call_command("load_authority_reference", verbosity=0)
    catalogue = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(), provisions="")
    PowerFactory(breakdown=BreakdownFactory(department=city.dept_a))


@pytest.fixture
def server_errors():
    """The exceptions behind any 500, so that a failure shows its traceback, not just a status."""
    errors = []

    def keep(sender, request, **kwargs):
        errors.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    got_request_exception.connect(keep)
    yield errors
    got_request_exception.disconnect(keep)


@pytest.fixture(params=ROLES, ids=lambda role: role or "anonymous")
def caller(request, users) -> dict[str, str]:
    """The request headers of one kind of caller: an API token, or none."""
    headers = {"Accept-Language": "en"}
    if request.param is not None:
        out = StringIO()
        username = getattr(users, request.param).username
        call_command("api_token_issue", username, "--name", "fuzz", "--days", "1", stdout=out)
        headers["Authorization"] = f"Token {out.getvalue().splitlines()[1]}"
    return headers


# Loaded at collection, as a client would: the schema view reads no table. (schemathesis's
# fixture-based lazy loading does not run under pytest 9: it writes Node._nodeid.)
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", WSGIHandler(), config=SchemathesisConfig.from_dict(CONFIG)
).include(method=["GET"])


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_reads_never_answer_a_server_error(case, caller, server_errors):
    response = case.call(headers=caller)
    assert response.status_code < 500, (case.as_curl_command(caller), server_errors)
