"""Load the plan's reference indicators and the case-file review rubrics (appraisal/data/)."""

from django.core.management.base import BaseCommand

from appraisal.reference import reference_load


class Command(BaseCommand):
    help = "Load the appraisal's reference indicators and review rubrics (idempotent)."

    def handle(self, *args, **options):
        indicators, rubrics = reference_load()
        self.stdout.write(f"{indicators} reference indicators current, {rubrics} rubrics added")
