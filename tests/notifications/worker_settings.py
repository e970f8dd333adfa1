"""Settings of the worker that ``test_worker_beat.py`` starts: the developer settings, on the test
database (DATABASE_URL from the test), with beat sending the reminder sweep alone — every
REMINDER_SWEEP_SECONDS, set short by the test — to a queue of the test's own, and mail written
to files the test reads."""

import os

from config.settings.local import *  # noqa: F403
from config.settings.local import CELERY_BEAT_SCHEDULE

CELERY_TASK_DEFAULT_QUEUE = os.environ["LECRS_TEST_QUEUE"]
CELERY_BEAT_SCHEDULE = {name: entry for name, entry in CELERY_BEAT_SCHEDULE.items() if name == "notifications-reminder-sweep"}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["LECRS_TEST_MAIL_DIR"]
