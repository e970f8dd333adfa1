"""Send the outbox's unsent messages: for cron where no beat runs (the embedded default)."""

from django.core.management.base import BaseCommand

from outbox.services import messages_relay


class Command(BaseCommand):
    help = "Send the background jobs that could not be sent when they were asked for."

    def handle(self, *args, **options):
        sent, failed = messages_relay()
        self.stdout.write(f"sent {sent}, failed {failed}")
        if failed:
            raise SystemExit(1)
