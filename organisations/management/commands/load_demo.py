"""Build the demo city (Longnan, its nine counties and districts, their departments, offices and
one user per role). Idempotent: a second run finds everything in place and changes nothing."""

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisation
from organisations.services import organisation_create

DATA = Path(__file__).resolve().parents[2] / "data" / "longnan_demo.json"
# Meets the password policy (12+ characters, four character classes). Demo only.
DEMO_PASSWORD = "Longnan@2026demo"
_NODE_FIELDS = (
    "short_name",
    "office_function",
    "subject_kind",
    "stationed_provincial",
    "vertically_managed",
    "dual_managed",
)


class Command(BaseCommand):
    help = "Load the demo city and one user per role (idempotent)."

    def handle(self, *args, **options):
        data = json.loads(DATA.read_text(encoding="utf-8"))
        call_command("load_instruments", stdout=self.stdout)
        call_command("load_authority_reference", stdout=self.stdout)
        call_command("load_responsibility_reference", stdout=self.stdout)
        with transaction.atomic():
            created_orgs = self._load_tree(data["organisations"], parent=None)
            created_users = self._load_users(data["users"])
        from authority.demo import load_demo_breakdown
        from basis.demo import load_demo_catalogues
        from responsibility.demo import load_demo_responsibilities

        load_demo_catalogues(stdout=self.stdout)
        load_demo_breakdown(stdout=self.stdout)
        load_demo_responsibilities(stdout=self.stdout)
        self.stdout.write(
            f"Demo city ready: {created_orgs} organisation(s) and {created_users} user(s) created."
        )
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for row in data["users"]:
            user = User.objects.get(username=row["username"])
            where = user.organisation.name if user.organisation else "-"
            self.stdout.write(f"  {user.username:<12} {user.get_role_display()} · {where}")

    def _load_tree(self, node: dict, parent: Organisation | None) -> int:
        created = 0
        organisation = Organisation.objects.filter(code=node["code"]).first()
        if organisation is None:
            fields = {key: node[key] for key in _NODE_FIELDS if key in node}
            if node.get("principal"):
                fields["principal"] = Organisation.objects.get(code=node["principal"])
            organisation = organisation_create(
                parent=parent, code=node["code"], name=node["name"], kind=node["kind"], **fields
            )
            created += 1
        for child in node.get("children", []):
            created += self._load_tree(child, organisation)
        return created

    def _load_users(self, rows: list[dict]) -> int:
        created = 0
        for row in rows:
            if User.objects.filter(username=row["username"]).exists():
                continue
            organisation = (
                Organisation.objects.get(code=row["organisation"]) if row["organisation"] else None
            )
            user = User(
                username=row["username"],
                full_name=row["full_name"],
                role=row["role"],
                organisation=organisation,
            )
            user.set_password(DEMO_PASSWORD)
            user.password_changed_at = timezone.now()
            user.save()
            created += 1
        return created
