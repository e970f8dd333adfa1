"""Developer and embedded default: SQLite, eager background jobs, mail to the console."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
# A fixed key is fine on a developer's machine; production refuses to start without its own.
SECRET_KEY = SECRET_KEY or "local-development-key-not-for-production-use-0123456789abcdef"
