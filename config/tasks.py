"""Tasks that belong to no app: the liveness probe the status page and the worker test use."""

from celery import shared_task


@shared_task(bind=True)
def ping(self) -> dict:
    """Answered by whichever worker picks it up, to prove the broker-to-worker path end to end."""
    return {"worker": self.request.hostname, "pong": True}
