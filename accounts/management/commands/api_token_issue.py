"""Issue a named, expiring API token for a department system (replaces DRF's drf_create_token).

The token is printed once; only its digest is stored, so a lost token is replaced, not read back."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ApiToken, User
from audit.models import AuditAction
from audit.services import event_record


class Command(BaseCommand):
    help = "Issue a named API token with an expiry for an account; the token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. the department system.")
        parser.add_argument("--days", type=int, default=365, help="Days until the token expires (default 365).")

    def handle(self, *args, username, name, days, **options):
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not user.is_active or not user.role:
            raise CommandError(f"{username!r} is disabled or has no approved role.")
        with transaction.atomic():
            token_row, token = ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name)
            event_record(
                action=AuditAction.CREATE, obj=user, username="manage.py", message="api_token_issue",
                detail={"token_name": name, "token_key": token_row.token_key, "expiry": token_row.expiry.isoformat()},
            )
        self.stdout.write(f"Token {name!r} for {username}, valid until {token_row.expiry:%Y-%m-%d %H:%M %Z}:")
        self.stdout.write(token)
        self.stdout.write("It is shown only this once; store it in the department system now.")
