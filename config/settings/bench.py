"""Benchmarks: the local settings with DEBUG off, as in production (DEBUG keeps every query and
renders templates in debug mode, which would be measured too)."""

from .local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
