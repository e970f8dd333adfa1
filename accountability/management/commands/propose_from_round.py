"""Run the suggestion run of a finalised appraisal round by hand (the worker runs it when the
round is finalised; running it again proposes nothing twice)."""

from django.core.management.base import BaseCommand, CommandError

from accountability.suggestions import RoundNotFinalised, round_suggestions_run
from appraisal.models import Round


class Command(BaseCommand):
    help = "Propose the accountability suggestions and commendations of a finalised appraisal round."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id, **options):
        try:
            run = round_suggestions_run(round_id=round_id)
        except Round.DoesNotExist:
            raise CommandError(f"No appraisal round {round_id}.") from None
        except RoundNotFinalised:
            raise CommandError(f"Appraisal round {round_id} is not finalised.") from None
        self.stdout.write(
            f"Round {round_id}: {run.suggestions} suggestions and {run.commendations} commendations proposed in all "
            f"(run {run.runs}); {len(run.skipped)} excellent departments not proposed (barred)."
        )
