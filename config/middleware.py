"""Site-wide response policy that depends on the URL layout, which only config knows."""

from django.utils.cache import add_never_cache_headers

# Back-office pages and the private API hold data nobody else should get from a browser's or a
# proxy's cache. The public API and the schema are for anyone and may be cached.
NO_STORE_PREFIXES = ("/office/", "/accounts/", "/api/")
CACHEABLE_PREFIXES = ("/api/public/", "/api/schema/")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's never-cache companions) on the back office."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(NO_STORE_PREFIXES) and not path.startswith(CACHEABLE_PREFIXES):
            add_never_cache_headers(response)
        return response
