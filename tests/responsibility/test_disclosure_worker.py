"""With a real Celery worker on Redis: a publication leads to a ready PDF, rendered by the worker.

The worker is started as in tests/test_worker.py (developer settings plus a broker, a queue of
its own), pointed at the test database (so the test must commit: transaction=True, PostgreSQL)
and at a media folder of its own, where the test then finds the PDF. The test process, eager
like every test, is switched to the broker for this one test: the publication's signal enqueues
the render exactly as in production and the worker picks it up.
"""

import os
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from kombu import pools

from authority.services import breakdown_publish
from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus
from tests.authority.factories import BreakdownFactory, PowerFactory
from tests.test_worker import REDIS_URL, _redis_or_skip
from workflow.review import ReviewStatus

from .disclosure_fixtures import published_department

TIMEOUT = 120  # seconds for a cold worker to start, render and answer


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker_process(node: str, queue: str, media, broker_url: str, log_path, **extra_env) -> subprocess.Popen:
    """A real ``celery worker`` (solo pool, one process, as a compose replica with
    WORKER_CONCURRENCY=1) on ``queue``, sharing this test database, rendering into ``media``,
    logging to ``log_path``; ``extra_env`` adds settings (say, a shorter visibility timeout)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(media),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        **extra_env,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-l", "info",
        "-Q", queue, "-n", f"{node}@pytest", "--without-gossip", "--without-mingle",
    ]
    with open(log_path, "w") as log:
        return subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def worker(tmp_path):
    broker_url = _redis_or_skip(REDIS_URL)
    if connection.vendor != "postgresql":
        pytest.skip("a worker process can share the test database only on PostgreSQL")
    queue = f"lecrs-disclosure-{uuid.uuid4().hex[:12]}"
    media = tmp_path / "media"
    media.mkdir()
    log_path = tmp_path / "worker.log"
    process = start_worker_process(queue, queue, media, broker_url, log_path)
    try:
        yield SimpleNamespace(process=process, queue=queue, media=media, log_path=log_path, broker_url=broker_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def through_broker(worker, monkeypatch):
    """The project's Celery app sends to the worker's Redis and queue instead of running eagerly."""
    from config.celery import app

    def reset_connections():
        # The producer pools live in kombu's registry, shared by every app on the same broker
        # URL: closing them without clearing it would hand a closed pool to the next test's app.
        app.amqp._producer_pool = None
        app._pool = None
        pools.reset()

    # Celery prefers the environment to its configuration for the broker.
    monkeypatch.setenv("CELERY_BROKER_URL", worker.broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", worker.broker_url)
    monkeypatch.setitem(app.conf, "broker_url", worker.broker_url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", worker.queue)
    reset_connections()
    yield app
    reset_connections()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_publishing_leads_to_a_ready_pdf_rendered_by_the_worker(city, users, worker, through_broker):
    call_command("load_authority_reference", verbosity=0)
    published_department(city.dept_a, agency=city.agency_a)
    approved = BreakdownFactory(department=city.dept_a, status=ReviewStatus.APPROVED)
    PowerFactory(breakdown=approved, name="由工作进程渲染的职权事项")

    breakdown_publish(actor=users.city_reviewer, breakdown=approved)

    deadline = time.monotonic() + TIMEOUT
    document = None
    while time.monotonic() < deadline:
        document = DisclosureDocument.objects.filter(organisation=city.dept_a, kind=DocumentKind.BOOKLET).first()
        if document is not None and document.status in (DocumentStatus.READY, DocumentStatus.FAILED):
            break
        if worker.process.poll() is not None:
            break
        time.sleep(0.5)
    log = worker.log_path.read_text(errors="replace")[-3000:]
    assert document is not None, f"no document was requested; worker log:\n{log}"
    assert document.status == DocumentStatus.READY, f"{document.status} {document.error!r}; worker log:\n{log}"
    assert document.pages and document.attempts == 1
    pdf = worker.media / document.file.name
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "由工作进程渲染的职权事项" in "".join(text.split())
    assert "render_disclosure_document" in log  # the worker, not the test process, rendered it
