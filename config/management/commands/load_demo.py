"""Build the demo city: each chapter offers its demo step, and this command, which knows every
app, runs them in the layers' order. Idempotent: a second run finds everything in place and
changes nothing."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_users, load_demo_users
from accounts.models import User
from appraisal.demo import load_demo_appraisal
from authority.demo import load_demo_breakdown
from basis.demo import load_demo_catalogues
from organisations.demo import load_demo_organisations
from responsibility.demo import load_demo_responsibilities

# Bottom to top: each step may rely on those before it.
STEPS = (
    load_demo_organisations,
    load_demo_users,
    load_demo_catalogues,
    load_demo_breakdown,
    load_demo_responsibilities,
    load_demo_appraisal,
)


class Command(BaseCommand):
    help = "Load the demo city and one user per role (idempotent)."

    def handle(self, *args, **options):
        for step in STEPS:
            step(stdout=self.stdout)
        self.stdout.write("Demo city ready.")
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for row in demo_users():
            user = User.objects.select_related("organisation").get(username=row["username"])
            where = user.organisation.name if user.organisation else "-"
            self.stdout.write(f"  {user.username:<12} {user.get_role_display()} · {where}")
