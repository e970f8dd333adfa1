"""Background work of appraisal: computing a round, rendering its results PDF."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=5)
def compute_round(round_id: int) -> str:
    """Compute (or compute again) a round. A second delivery of a finalised round does nothing;
    of a computed one it computes the same numbers again."""
    from . import scoring
    from .models import Round, RoundStatus

    status = Round.objects.filter(pk=round_id).values_list("status", flat=True).first()
    if status is None or status == RoundStatus.FINALISED:
        return status or "gone"
    return scoring.compute(round_id).status


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=5)
def render_results(round_id: int) -> str:
    from .outputs import render_pdf

    return render_pdf(round_id)
