"""Create one of the three administrators' accounts (系统/安全/审计管理员) at installation.

The application itself never creates or changes these accounts, so no administrator can grant
himself another's powers; this command is run by whoever installs the system, on the server."""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ADMIN_ROLES, User
from audit.models import AuditAction
from audit.services import event_record


class Command(BaseCommand):
    help = "Create a system, security or audit administrator account."

    def add_arguments(self, parser):
        parser.add_argument("role", choices=sorted(ADMIN_ROLES))
        parser.add_argument("username")
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the initial password from this environment variable instead of prompting.",
        )

    def handle(self, *args, role, username, full_name, password_from_env, **options):
        import os

        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named {username!r} exists already.")
        password = os.environ.get(password_from_env, "") if password_from_env else getpass.getpass("Initial password: ")
        user = User(username=username, role=role, full_name=full_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.must_change_password = True  # the holder chooses their own at the first login
            user.save()
            event_record(action=AuditAction.CREATE, obj=user, username="manage.py", message="create_administrator")
        self.stdout.write(f"Created {user.get_role_display()} {username}; the password must be changed at first login.")
