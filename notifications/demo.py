"""The demo's reminders: the sweep run once over the demo city, so that whatever is due there
(a catalogue deadline, an expiring certificate) is in the list of its editors. Idempotent, as
the sweep is."""

from .services import reminders_sweep


def load_demo_reminders(*, stdout=None) -> None:
    summary = reminders_sweep()
    if stdout is not None:
        stdout.write(f"Reminders: {summary.sent} sent ({sum(summary.deadlines.values())} open deadlines).")
