"""The two ways the sweep runs: beat's task and ``manage.py send_reminders`` (cron, embedded)."""

from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from notifications.models import Reminder
from notifications.registry import Due
from notifications.tasks import sweep as sweep_task

from .conftest import at


def test_beat_runs_the_sweep_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-reminder-sweep"]
    assert entry["task"] == "notifications.tasks.sweep" and entry["schedule"].total_seconds() == 3600


@pytest.mark.django_db
def test_the_command_sweeps_once_and_says_what_it_sent(deadlines, users, django_capture_on_commit_callbacks):
    users.editor_a.email = "a@example.gov.cn"
    users.editor_a.save()
    deadlines.append(Due(key="k", due_at=at(2026, 12, 15, 17, 0), what="x", url="/", recipients=(users.editor_a.pk, users.editor_b.pk)))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--now", "2026-12-16T09:00:00+08:00", stdout=out)
    assert "reminders sent: 2 (before: 0, overdue: 2); e-mails asked for: 1; in-app only: 1" in out.getvalue()
    assert len(mail.outbox) == 1
    out = StringIO()
    call_command("send_reminders", "--now", "2026-12-16T10:00:00+08:00", stdout=out)
    assert "reminders sent: 0" in out.getvalue() and Reminder.objects.count() == 2


@pytest.mark.django_db
def test_the_command_refuses_a_moment_without_offset_and_fails_when_a_provider_fails(providers):
    with pytest.raises(CommandError):
        call_command("send_reminders", "--now", "2026-12-16T09:00:00", stdout=StringIO())

    def broken(now):
        raise RuntimeError("no table")

    providers["broken"] = broken
    with pytest.raises(CommandError, match="broken"):
        call_command("send_reminders", stdout=StringIO())


@pytest.mark.django_db
def test_the_task_runs_the_sweep(deadlines, users, django_capture_on_commit_callbacks):
    from django.utils import timezone

    deadlines.append(Due(key="t", due_at=timezone.now(), what="x", url="/", recipients=(users.editor_a.pk,)))
    with django_capture_on_commit_callbacks(execute=True):
        detail = sweep_task.delay().get()
    assert detail["overdue"] == 1 and Reminder.objects.count() == 1
