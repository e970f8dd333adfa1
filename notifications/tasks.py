from celery import shared_task

from .services import reminders_mail, reminders_sweep


@shared_task(ignore_result=True)
def sweep() -> dict:
    """The beat job (hourly): send the reminders that are due. Safe to run twice, or at once."""
    return reminders_sweep().as_detail()


@shared_task(bind=True, ignore_result=True, max_retries=5, default_retry_delay=300)
def mail_reminders(self, sweep: str | None = None) -> int:
    """Mail the reminders of one sweep (or every pending one). Claims before sending, so a retry
    or a second delivery sends nothing twice; what the SMTP server refused is retried later."""
    sent, failed = reminders_mail(sweep=sweep)
    # Eager (the embedded default, no worker) there is no later to retry at: the rows stay
    # pending and the next sweep asks for them again.
    if failed and not self.request.is_eager:
        raise self.retry()
    return sent
