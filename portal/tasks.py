"""Background work of the portal: the open-data files (``opendata.py``)."""

from celery import shared_task

from .opendata import open_data_build, open_data_build_requested, public_governments


@shared_task
def build_open_data(government_id: int, coalesce: bool = False) -> int:
    """Rebuild one government's open-data files. Idempotent: unchanged rows rewrite nothing, so a
    second delivery (the outbox may send a message twice) costs only the reading. With
    ``coalesce`` (the receivers' jobs) only while a change's request is pending: one build
    answers every change queued before it started, the other jobs read nothing."""
    government = public_governments().filter(pk=government_id).first()
    if government is None:
        return 0
    if coalesce:
        return len(open_data_build_requested(government=government) or [])
    return len(open_data_build(government=government))


@shared_task
def rebuild_open_data() -> int:
    """Daily: every government's files, for the certificates that stop being valid by date alone
    (no row changes when a validity simply runs out)."""
    return sum(len(open_data_build(government=government)) for government in public_governments())
