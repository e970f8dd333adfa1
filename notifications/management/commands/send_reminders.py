"""Run the reminder sweep once: for the embedded default (no worker, no beat) from cron, e.g.
``7 * * * * cd /srv/lecrs && .venv/bin/python manage.py send_reminders``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from notifications.services import reminders_sweep


class Command(BaseCommand):
    help = "Send the deadline reminders that are due (each at most once per deadline, recipient and kind)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Sweep as at this moment (ISO 8601 with a UTC offset), e.g. to catch up; default: now."
        )

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None or moment.tzinfo is None:
                raise CommandError("--now takes an ISO 8601 moment with its offset, e.g. 2026-12-15T09:00:00+08:00")
        summary = reminders_sweep(now=moment)
        self.stdout.write(
            f"reminders sent: {summary.sent} (before: {summary.before}, overdue: {summary.overdue}); "
            f"e-mails asked for: {summary.mailed}; in-app only: {summary.in_app_only}; "
            f"open deadlines: {sum(summary.deadlines.values())}"
        )
        if summary.failed_providers:
            raise CommandError(f"providers failed (see the log): {', '.join(summary.failed_providers)}")
