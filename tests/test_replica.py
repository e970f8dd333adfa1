"""Public reads from a real streaming standby (issue 17): scripts/replica-pair.sh starts a primary
and a standby made with pg_basebackup -R (.ci/run does); the probe publishes on the primary and
reads through the portal. Without the pair the test skips, or fails under REQUIRE_SERVICES=1."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import RequestFactory

from config.db_router import STICKY_COOKIE, PrimaryReplicaRouter, reads_from_replica

ROOT = Path(__file__).resolve().parents[1]
PRIMARY_PORT = int(os.environ.get("REPLICA_PAIR_PRIMARY_PORT", "5434"))
STANDBY_PORT = int(os.environ.get("REPLICA_PAIR_STANDBY_PORT", "5435"))


def psql(port, sql, database="postgres"):
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
         "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql],
        capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def pair():
    if connection.vendor != "postgresql":
        pytest.skip("the replica is a PostgreSQL standby")
    answer = psql(STANDBY_PORT, "SELECT pg_is_in_recovery()")
    if answer.returncode != 0 or answer.stdout.strip() != "t":
        reason = f"no streaming standby on 127.0.0.1:{STANDBY_PORT}; run bash scripts/replica-pair.sh start"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"lecrs_probe_{uuid.uuid4().hex[:10]}"
    assert psql(PRIMARY_PORT, f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'").returncode == 0
    # The migrated schema of this run's test database, loaded on the pair's primary.
    dump = subprocess.run(
        ["pg_dump", "-s", "-h", "127.0.0.1", "-p", str(connection.settings_dict["PORT"] or 5432),
         "-U", "postgres", connection.settings_dict["NAME"]],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    load = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-d", name, "-qX", "-v", "ON_ERROR_STOP=1"],
        input=dump, capture_output=True, text=True, timeout=120,
    )
    assert load.returncode == 0, load.stderr[-2000:]
    yield name
    psql(PRIMARY_PORT, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.django_db
def test_the_portal_reads_what_the_primary_published_from_the_standby(pair):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{pair}",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{STANDBY_PORT}/{pair}",
    }
    probe = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "replica_probe.py")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["standby_in_recovery"] is True
    # Published on the primary, replayed, read through the portal from the standby alone.
    replayed = result["replayed"]
    assert replayed["status"] == 200 and replayed["found"]
    assert replayed["replica_queries"] > 0 and replayed["primary_queries"] == 0
    # While the standby is paused the new department is not there for an anonymous visitor:
    # proof that his reads come from the standby …
    assert result["not_yet_replayed"]["status"] == 404
    assert result["not_yet_replayed"]["replica_queries"] > 0
    # … but whoever has just written reads from the primary and sees it at once.
    assert result["write_status"] == 302
    own = result["after_own_write"]
    assert own["status"] == 200 and own["found"] and own["replica_queries"] == 0, own
    # Once replayed, the standby answers with it.
    after = result["after_replay"]
    assert after["status"] == 200 and after["found"] and after["replica_queries"] > 0


# -- which requests may read from the replica (no standby needed) ------------------------------


class Anonymous:
    is_authenticated = False


class SignedIn:
    is_authenticated = True


@pytest.mark.parametrize(
    "method, path, user, cookies, expected",
    [
        ("GET", "/departments/C-A/", Anonymous(), {}, True),
        ("HEAD", "/", Anonymous(), {}, True),
        ("GET", "/api/public/entries/", Anonymous(), {}, True),
        ("GET", "/verify/SC1/", Anonymous(), {}, True),
        # A write, and the visitor's reads right after his own write, go to the primary.
        ("POST", "/departments/C-A/", Anonymous(), {}, False),
        ("GET", "/departments/C-A/", Anonymous(), {STICKY_COOKIE: "1"}, False),
        # Signed-in users and every non-public address read from the primary.
        ("GET", "/departments/C-A/", SignedIn(), {}, False),
        ("GET", "/office/", Anonymous(), {}, False),
        ("GET", "/api/basis/catalogues/", Anonymous(), {}, False),
        ("GET", "/accounts/login/", Anonymous(), {}, False),
    ],
)
def test_which_requests_read_from_the_replica(method, path, user, cookies, expected):
    request = RequestFactory().generic(method, path)
    request.user = user
    request.COOKIES.update(cookies)
    assert reads_from_replica(request) is expected


def test_the_router_writes_and_migrates_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("default", "basis") is True
    assert router.allow_migrate("replica", "basis") is False
    assert router.db_for_read(None) is None  # outside a public request: Django's default
