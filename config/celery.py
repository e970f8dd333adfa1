"""The Celery application.

With ``CELERY_BROKER_URL`` unset (the embedded default) the settings make tasks eager, so a task
enqueued with ``transaction.on_commit(lambda: task.delay(...))`` runs in-process right after the
commit and ``make run`` needs nothing but SQLite. With Redis configured, a real worker and beat
pick the same tasks up.
"""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

from toolkit.runtime import collector_settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("lecrs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# config is not an installed app, so its tasks module is named here.
app.autodiscover_tasks(["config"])


@worker_process_init.connect
def _settle_child(**_kwargs):
    """A prefork child has imported everything it will use: freeze it (toolkit/runtime.py)."""
    collector_settle()


@worker_ready.connect
def _settle_main(**_kwargs):
    """The solo and threads pools run tasks in the main process, ready once this fires."""
    collector_settle()
