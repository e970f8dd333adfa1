"""One mechanism for every deadline: the chapters say what is due, this app reminds.

The foundation knows no chapter, so the chapters come to it: each registers, in its
``AppConfig.ready``, a *provider* — a function that, given the moment of the sweep, yields one
:class:`Due` per deadline that is still open (not delivered). The sweep (``notifications.services``)
asks every provider, decides which reminders are due (a configurable number of days before, and
once when overdue), and sends each at most once per deadline, recipient and kind.

A provider reads in bulk (a constant number of queries, whatever the number of deadlines) and
yields nothing for what has been delivered: that is how a delivered item stops its reminders.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Due:
    """One open deadline.

    key: stable and unique across providers, e.g. ``"basis.catalogue:<org id>:<deadline id>"``;
        a moved deadline gets a new key only if its reminders should be sent again.
    due_at: aware datetime.
    what: what is due, in words a reader understands ("基础目录报送" …); a lazy translation is fine.
    url: the path (no host) of the page where it is done.
    recipients: ids of the users responsible.
    organisation_id: the organisation that owes it, when there is one.
    """

    key: str
    due_at: datetime
    what: str
    url: str
    recipients: tuple[int, ...] = field(default_factory=tuple)
    organisation_id: int | None = None


Provider = Callable[[datetime], Iterable[Due]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register ``provider`` under ``name`` (idempotent: registering a name again replaces it)."""
    _providers[name] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def days_before() -> int:
    """How many days before a deadline its first reminder goes out (``REMINDER_DAYS_BEFORE``).
    A provider that reads only what could be reminded soon uses it to bound its query."""
    from django.conf import settings

    return max(0, int(getattr(settings, "REMINDER_DAYS_BEFORE", 3)))
