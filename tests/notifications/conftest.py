import datetime
from zoneinfo import ZoneInfo

import pytest

from notifications import registry
from notifications.registry import Due

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime(*args, tzinfo=SH)


@pytest.fixture
def providers(monkeypatch):
    """The providers of one test alone: ``providers["name"] = callable``. The chapters' own
    providers (basis, authority) are left out unless a test puts them back."""
    table: dict = {}
    monkeypatch.setattr(registry, "_providers", table)
    return table


@pytest.fixture
def deadlines(providers):
    """A list of Dues served by one provider, ``deadlines.append(Due(...))``."""
    items: list[Due] = []
    providers["test"] = lambda now: list(items)
    return items


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep at ``now`` and the jobs it asked for after commit (eager, in-process)."""
    from notifications.services import reminders_sweep

    def _sweep(now):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_sweep(now=now)

    return _sweep
