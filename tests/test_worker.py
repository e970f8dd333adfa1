"""A real Celery worker on Redis, and the status page that reports on it.

The test process itself runs with eager tasks (config.settings.test); the worker is a separate
process started with the developer settings plus a broker, which makes it non-eager. Tasks go to
a queue of their own so that no other worker on the same Redis picks them up.
"""

import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

import pytest
import redis
from celery import Celery
from django.conf import settings as django_settings
from django.test import Client

from .factories import PASSWORD
from .two_factor import pass_second_factor

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RESULT_TIMEOUT = 90  # seconds a cold worker may take to start and answer


def _redis_or_skip(url: str) -> str:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis at {url} is unreachable ({error})"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(scope="module")
def broker_url():
    return _redis_or_skip(REDIS_URL)


@pytest.fixture(scope="module")
def worker(broker_url, tmp_path_factory):
    queue = f"lecrs-test-{uuid.uuid4().hex[:12]}"
    hostname = f"{queue}@pytest"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-l", "info",
        "-Q", queue, "-n", hostname, "--without-gossip", "--without-mingle",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield SimpleNamespace(process=process, queue=queue, hostname=hostname, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_tail(worker) -> str:
    return worker.log_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def broker_app(broker_url, monkeypatch):
    """A Celery app that talks to Redis, unlike the eager one the test settings configure.
    Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the environment before the
    app's own arguments (CI exports them), so they are pointed at the worker's Redis too."""
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", broker_url)
    with Celery("lecrs-test-client", broker=broker_url, backend=broker_url, set_as_current=False) as app:
        yield app


@pytest.fixture
def answered_ping(worker, broker_app):
    """Send a ping through Redis and wait for the worker's answer: the worker is then running."""
    result = broker_app.send_task("config.tasks.ping", queue=worker.queue)
    try:
        value = result.get(timeout=RESULT_TIMEOUT)
    except Exception as error:  # noqa: BLE001 - any failure here needs the worker's log to explain
        pytest.fail(f"no answer from the worker ({error!r}); exit code {worker.process.poll()}; log:\n{_log_tail(worker)}")
    finally:
        result.forget()
    return value


@pytest.mark.services
def test_worker_runs_a_task_sent_through_redis(worker, answered_ping):
    assert answered_ping == {"worker": worker.hostname, "pong": True}


@pytest.mark.services
def test_status_page_shows_the_running_worker(worker, answered_ping, broker_app, broker_url, settings, monkeypatch, users):
    settings.CELERY_BROKER_URL = broker_url
    # The status page asks the project's Celery app, which the eager test settings built without
    # a broker; the Redis-backed one stands in for it.
    monkeypatch.setattr("config.celery.app", broker_app)
    client = Client()
    assert client.post("/accounts/login/", {"username": users.sysadmin.username, "password": PASSWORD}).status_code == 302
    pass_second_factor(client, users.sysadmin)

    response = client.get("/office/status/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (_, database_ok, _), (_, broker_ok, _), (_, workers_ok, workers) = response.context["checks"][:3]
    assert (database_ok, broker_ok, workers_ok) == (True, True, True)
    assert worker.hostname in workers.split(", ")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("sysadmin", 200),
        ("secadmin", 200),
        ("auditadmin", 403),
        ("city_reviewer", 403),
        ("county_reviewer", 403),
        ("establishment", 403),
        ("editor_a", 403),
        ("head_a", 403),
    ],
)
def test_status_page_is_for_the_system_and_security_admins(login, users, role, status):
    client = login(getattr(users, role))
    assert client.get("/office/status/", HTTP_ACCEPT_LANGUAGE="en").status_code == status


def test_status_page_reports_an_unreachable_broker(login, users, settings, monkeypatch):
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_URL = dead
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery prefers the environment to its arguments
    monkeypatch.setenv("CELERY_RESULT_BACKEND", dead)
    with Celery("lecrs-test-dead", broker=dead, backend=dead, set_as_current=False) as app:
        monkeypatch.setattr("config.celery.app", app)
        response = login(users.secadmin).get("/office/status/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (_, database_ok, _), (_, broker_ok, _), (_, workers_ok, _) = response.context["checks"][:3]
    assert (database_ok, broker_ok, workers_ok) == (True, False, False)


def test_status_page_shouts_when_the_font_subsetter_is_missing(login, users, monkeypatch):
    """Without libharfbuzz-subset every PDF takes ~10 s longer: the page says so, in red, above
    the table, with the package to install."""
    monkeypatch.setattr("responsibility.disclosure.harfbuzz_subsetter_available", lambda: False)
    response = login(users.secadmin).get("/office/status/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    checks = {name: (ok, detail) for name, ok, detail in response.context["checks"]}
    ok, detail = checks["PDF font subsetting"]
    assert not ok and "libharfbuzz-subset0" in detail
    assert ("PDF font subsetting", detail) in response.context["failing"]
    body = response.content.decode()
    assert 'role="alert"' in body and "apt-get install libharfbuzz-subset0" in body


def test_status_page_is_calm_when_the_font_subsetter_is_there(login, users, monkeypatch, settings):
    monkeypatch.setattr("responsibility.disclosure.harfbuzz_subsetter_available", lambda: True)
    settings.SITE_URL = "https://zfzr.example.gov.cn"
    response = login(users.secadmin).get("/office/status/", HTTP_ACCEPT_LANGUAGE="en")
    checks = {name: ok for name, ok, _detail in response.context["checks"]}
    assert checks["PDF font subsetting"] and checks["Public address (SITE_URL)"]
    # Other components may fail where this runs (no worker answering a broker): neither of these.
    failing = [name for name, _detail in response.context["failing"]]
    assert "PDF font subsetting" not in failing and "Public address (SITE_URL)" not in failing
    assert "apt-get install libharfbuzz-subset0" not in response.content.decode()


def test_status_page_warns_about_a_local_site_url(login, users, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    response = login(users.secadmin).get("/office/status/", HTTP_ACCEPT_LANGUAGE="en")
    checks = {name: (ok, detail) for name, ok, detail in response.context["checks"]}
    ok, detail = checks["Public address (SITE_URL)"]
    assert not ok and "127.0.0.1:8000" in detail


def test_worker_start_up_log_names_the_missing_subsetter(monkeypatch, caplog, settings):
    from celery.signals import worker_ready

    settings.SITE_URL = "https://zfzr.example.gov.cn"
    monkeypatch.setattr("responsibility.receivers.harfbuzz_subsetter_available", lambda: False)
    with caplog.at_level("INFO", logger="responsibility.receivers"):
        worker_ready.send(sender=None)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and "apt-get install libharfbuzz-subset0" in errors[0].getMessage()


def test_worker_log_is_kept_quiet():
    """fontTools' glyph lists (INFO, ~500 lines a document) and WeasyPrint's notes stay out."""
    import logging
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    for name in ("fontTools", "fontTools.subset", "weasyprint", "weasyprint.progress"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name


def test_subsetter_detection_follows_weasyprint(monkeypatch):
    from weasyprint.pdf import fonts

    from responsibility.disclosure import harfbuzz_subsetter_available

    assert harfbuzz_subsetter_available() == (bool(fonts.harfbuzz_subset) and bool(fonts.harfbuzz.hb_version_atleast(4, 1, 0)))
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    assert harfbuzz_subsetter_available() is False
