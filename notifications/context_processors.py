"""The header's unread count: one query, made only when a page that shows the header reads it,
and only for a signed-in user."""

import functools

from .permissions import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template calls it when it reads the value (a page without the header does
    # not query), and the cache makes a second reading free.
    return {"unread_notifications": functools.cache(lambda: unread_count(user))}
