"""Public reads from a streaming replica, when one is configured.

``DATABASE_REPLICA_URL`` adds a ``replica`` alias (settings); without it everything uses
``default`` and this router changes nothing. ``ReplicaReadsMiddleware`` marks the requests that may
read from the replica: safe methods (GET, HEAD) on the public site and the public API, from an
anonymous visitor who has not written anything in the last ``REPLICA_STICKY_SECONDS``. Every
other request — the back office, any signed-in user, every POST, and the visitor's reads right
after his own write (a rating, a language switch) — reads from the primary, so nobody misses
what he has just done because the standby has not replayed it yet. Writes always go to the
primary; migrations run on the primary only (the standby replays them).
"""

import contextvars

from django.conf import settings
from django.db import connections

REPLICA = "replica"
STICKY_COOKIE = "lecrs_primary"
# The public site is everything outside these prefixes, plus the public API.
PRIVATE_PREFIXES = ("/office/", "/accounts/", "/api/", "/i18n/", "/static/")
PUBLIC_API_PREFIX = "/api/public/"
SAFE_METHODS = ("GET", "HEAD")

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("lecrs_read_alias", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_API_PREFIX) or not path.startswith(PRIVATE_PREFIXES)


def reads_from_replica(request) -> bool:
    """Whether this request's reads may go to the replica (the replica being configured)."""
    if request.method not in SAFE_METHODS or not is_public_path(request.path_info):
        return False
    if STICKY_COOKIE in request.COOKIES:
        return False
    # The session is read from the primary to learn this; a visitor without a session cookie
    # costs nothing.
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return _read_alias.get()  # None: Django's default

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Routes a public request's reads to the replica; after a write, pins the client to the
    primary for ``REPLICA_STICKY_SECONDS`` with a short-lived cookie. Placed after the
    authentication middleware, which it consults."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _read_alias.set(REPLICA if reads_from_replica(request) else None)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                STICKY_COOKIE, "1", max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True, samesite="Lax", secure=request.is_secure(),
            )
        return response
