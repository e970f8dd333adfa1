"""Build the demo city: each chapter offers its demo step, and this command, which knows every
app, runs them in the layers' order. Idempotent: a second run finds everything in place and
changes nothing."""

from django.core.management.base import BaseCommand

from accountability.demo import load_demo_accountability
from accounts.demo import DEMO_PASSWORD, demo_users, load_demo_users
from accounts.models import User
from appraisal.demo import load_demo_appraisal
from authority.demo import load_demo_breakdown
from basis.demo import load_demo_catalogues
from notifications.demo import load_demo_reminders
from organisations.demo import load_demo_organisations
from responsibility.demo import load_demo_responsibilities
from rollout.demo import load_demo_campaign
from rollout.demo_filings import load_demo_filings

# Bottom to top: each step may rely on those before it.
STEPS = (
    load_demo_organisations,
    load_demo_users,
    load_demo_catalogues,
    load_demo_breakdown,
    load_demo_responsibilities,
    load_demo_campaign,
    load_demo_filings,
    load_demo_appraisal,
    load_demo_accountability,
    # Last: reminds what the steps above left due.
    load_demo_reminders,
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
