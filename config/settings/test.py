"""Test settings: fast hashing, in-memory mail, the database and broker from the environment."""

from .base import *  # noqa: F403

SECRET_KEY = "test-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests enqueue through the same on_commit path as production but run the task in-process; the
# worker test starts a real Celery worker on Redis on its own.
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "zh-hans"
# Static files are served from the source folders in tests; no collectstatic run needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# django-simple-captcha: "passed" answers every captcha in tests.
CAPTCHA_TEST_MODE = True
