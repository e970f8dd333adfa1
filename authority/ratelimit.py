"""A per-address budget of public lookups, kept in the default cache: enough for a person
checking certificates, too little to walk the number space."""

import time

from django.core.cache import cache

from toolkit.client import client_address

VERIFY_LIMIT = 20
VERIFY_WINDOW_SECONDS = 60


def take(request, scope: str = "verify", limit: int = VERIFY_LIMIT, window: int = VERIFY_WINDOW_SECONDS) -> bool:
    """Count one lookup for the client; False once the window's budget is spent."""
    key = f"ratelimit:{scope}:{client_address(request) or 'unknown'}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit
