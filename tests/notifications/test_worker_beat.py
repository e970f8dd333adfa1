"""A real Celery worker with beat, on Redis and on the test database, sends a reminder: beat
fires the sweep on its schedule, the sweep finds the catalogue deadline through the basis
provider, writes the notification and asks for the mail through the outbox, and the worker sends
the mail. Nothing here calls the sweep: only the schedule does."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from basis import services as basis_services
from notifications.models import MailStatus, Notification, Reminder
from tests.test_worker import _redis_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WAIT = 120  # seconds: a cold worker starts, beat ticks, two tasks run


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_with_beat(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs the test database on a server (PostgreSQL), not SQLite in memory")
    broker = _redis_or_skip(REDIS_URL)
    queue = f"lecrs-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "REMINDER_SWEEP_SECONDS": "2",
        "LECRS_TEST_QUEUE": queue,
        "LECRS_TEST_MAIL_DIR": str(mail_dir),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "-s", str(tmp_path / "beat-schedule"),
        "--pool=solo", "--concurrency=1", "-l", "info", "-Q", queue, "-n", f"{queue}@pytest",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield mail_dir, log_path, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.services
def test_beat_and_worker_send_a_catalogue_reminder(city, users, worker_with_beat):
    mail_dir, log_path, process = worker_with_beat
    users.editor_a.email = "editor_a@example.gov.cn"
    users.editor_a.save()
    basis_services.deadline_set(
        actor=users.city_reviewer, jurisdiction=city.city, due_at=timezone.now() + timezone.timedelta(days=1)
    )

    deadline = time.monotonic() + WAIT
    mails = []
    while time.monotonic() < deadline and process.poll() is None:
        mails = [p.read_text(errors="replace") for p in mail_dir.iterdir()]
        if mails and Reminder.objects.filter(recipient=users.editor_a, mail_status=MailStatus.SENT).exists():
            break
        time.sleep(1)
    log = log_path.read_text(errors="replace")[-4000:]
    assert mails, f"no mail from the worker within {WAIT}s (exit code {process.poll()}); log:\n{log}"

    notification = Notification.objects.get(recipient=users.editor_a)
    assert notification.url == "/office/basis/catalogues/"
    assert Notification.objects.filter(recipient=users.editor_b).count() == 1  # no address: in-app only
    # Beat fired the sweep several times by now: still one reminder, one mail.
    time.sleep(5)
    assert Reminder.objects.filter(recipient=users.editor_a).count() == 1
    mails = [p.read_text(errors="replace") for p in mail_dir.iterdir()]
    assert len(mails) == 1 and "editor_a@example.gov.cn" in mails[0] and "/office/basis/catalogues/" in mails[0]
    assert "notifications.tasks.sweep" in log_path.read_text(errors="replace")
