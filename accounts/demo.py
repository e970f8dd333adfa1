"""Demo step of the accounts: one fictional user per role in the demo city
(``data/demo_users.json``), all with the same demo password. Idempotent: an existing user name is
left as it is. Runs after the organisation tree's step, whose codes it names."""

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from organisations.models import Organisation

from .models import User

DATA = Path(__file__).resolve().parent / "data" / "demo_users.json"
# Meets the password policy (12+ characters, four character classes). Demo only.
DEMO_PASSWORD = "Longnan@2026demo"


def demo_users() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["users"]


@transaction.atomic
def load_demo_users(stdout=None) -> int:
    """Create the demo users that are missing; returns how many were created."""
    created = 0
    for row in demo_users():
        if User.objects.filter(username=row["username"]).exists():
            continue
        organisation = Organisation.objects.get(code=row["organisation"]) if row["organisation"] else None
        user = User(username=row["username"], full_name=row["full_name"], role=row["role"], organisation=organisation)
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.save()
        created += 1
    if stdout is not None:
        stdout.write(f"Demo users: {created} created.")
    return created
