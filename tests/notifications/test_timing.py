"""When each reminder goes out: N calendar days before the due day (Asia/Shanghai) from local
midnight, and once when the deadline has passed; never twice."""

import datetime

import pytest
from django.core import mail

from notifications.models import Notification, Reminder, ReminderKind
from notifications.registry import Due
from notifications.services import reminder_kind_at

from .conftest import at

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 12, 11, 23, 59, 59), None),  # the evening before the window opens
        (at(2026, 12, 12, 0, 0), ReminderKind.BEFORE),  # local midnight, three days before the due day
        (at(2026, 12, 14, 12, 0), ReminderKind.BEFORE),  # the day before
        (at(2026, 12, 15, 16, 59, 59), ReminderKind.BEFORE),  # the day of, before the hour
        (at(2026, 12, 15, 17, 0), ReminderKind.OVERDUE),  # the moment it is due
        (at(2027, 1, 15, 9, 0), ReminderKind.OVERDUE),  # long after
    ],
)
def test_kind_at_the_edges(now, expected):
    assert reminder_kind_at(at(2026, 12, 15, 17, 0), now, 3) == expected


def test_day_boundaries_are_shanghai_not_utc():
    due = at(2026, 12, 15, 9, 0)  # 01:00 UTC on the 15th
    # 00:00 on the 12th in Shanghai is 16:00 UTC on the 11th.
    assert reminder_kind_at(due, datetime.datetime(2026, 12, 11, 15, 59, 59, tzinfo=UTC), 3) is None
    assert reminder_kind_at(due, datetime.datetime(2026, 12, 11, 16, 0, tzinfo=UTC), 3) == ReminderKind.BEFORE


def test_a_deadline_at_local_midnight_belongs_to_its_own_day():
    due = at(2026, 12, 15, 0, 0)
    assert reminder_kind_at(due, at(2026, 12, 11, 23, 59), 3) is None
    assert reminder_kind_at(due, at(2026, 12, 12, 0, 0), 3) == ReminderKind.BEFORE
    assert reminder_kind_at(due, at(2026, 12, 14, 23, 59, 59), 3) == ReminderKind.BEFORE
    assert reminder_kind_at(due, at(2026, 12, 15, 0, 0), 3) == ReminderKind.OVERDUE


def test_zero_days_before_reminds_on_the_due_day_only():
    due = at(2026, 12, 15, 17, 0)
    assert reminder_kind_at(due, at(2026, 12, 14, 23, 59), 0) is None
    assert reminder_kind_at(due, at(2026, 12, 15, 0, 0), 0) == ReminderKind.BEFORE


@pytest.mark.django_db
def test_the_sweep_over_a_deadline_s_life(deadlines, sweep, users, settings):
    """Hourly sweeps from a week before to a week after: one 'before' and one 'overdue' per
    recipient, no more, each at the right sweep."""
    settings.REMINDER_DAYS_BEFORE = 3
    users.editor_a.email = "a@example.gov.cn"
    users.editor_a.save()
    due = at(2026, 12, 15, 17, 0)
    deadlines.append(Due(key="test:1", due_at=due, what="测试报送", url="/office/basis/catalogues/",
                         recipients=(users.editor_a.pk, users.editor_b.pk)))
    sent_at = {}
    moment = at(2026, 12, 8, 0, 30)
    while moment < at(2026, 12, 22):
        summary = sweep(moment)
        if summary.sent:
            sent_at[moment] = (summary.before, summary.overdue)
        moment += datetime.timedelta(hours=1)
    assert sent_at == {at(2026, 12, 12, 0, 30): (2, 0), at(2026, 12, 15, 17, 30): (0, 2)}
    assert Reminder.objects.count() == 4 and Notification.objects.count() == 4
    # editor_b has no address: in-app only. editor_a: one mail per kind.
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {"a@example.gov.cn"}


@pytest.mark.django_db
def test_a_deadline_first_seen_when_past_due_gets_only_the_overdue_reminder(deadlines, sweep, users):
    deadlines.append(Due(key="test:late", due_at=at(2026, 12, 15, 17, 0), what="x", url="/", recipients=(users.editor_a.pk,)))
    summary = sweep(at(2026, 12, 20, 9, 0))
    assert (summary.before, summary.overdue) == (0, 1)
    assert list(Reminder.objects.values_list("kind", flat=True)) == [ReminderKind.OVERDUE]


@pytest.mark.django_db
def test_the_text_names_what_and_when_in_local_time(deadlines, sweep, users):
    # 09:00 UTC is 17:00 in Shanghai.
    deadlines.append(Due(key="test:text", due_at=datetime.datetime(2026, 12, 15, 9, 0, tzinfo=UTC), what="基础目录报送",
                         url="/office/basis/catalogues/", recipients=(users.editor_a.pk,)))
    sweep(at(2026, 12, 13, 9, 0))
    notification = Notification.objects.get()
    assert "基础目录报送" in notification.title and "2" in notification.title  # due in 2 days
    assert "基础目录报送" in notification.body and "2026年12月15日 17:00" in notification.body
    assert notification.url == "/office/basis/catalogues/" and notification.kind == ReminderKind.BEFORE
