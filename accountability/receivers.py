"""What accountability does when the chapters below it report something."""

from django.db import transaction

from outbox.services import message_enqueue


def round_finalised(sender, round_id: int, **_kwargs) -> None:
    """An appraisal round was finalised (after its commit): the worker proposes its suggestions
    and commendations."""
    with transaction.atomic():
        message_enqueue(task="accountability.tasks.propose_from_round", kwargs={"round_id": round_id})
