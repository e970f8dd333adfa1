"""Pagination for the API and the pages.

``CappedPaginator`` stops counting at a cap: counting every match of a common word in hundreds of
thousands of rows costs more than showing the first page, and nobody pages to the end. It reads the ids of the first ``cap + 1`` matches in one query (the count and every page come
from that list) and then fetches the page's rows by id with the queryset's own select_related
and prefetching, so a search scans its table once."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pagination(PageNumberPagination):
    """The API's page-number pagination: 50 a page, up to 200 on request."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(CursorPagination):
    """The public API's lists: pages by an opaque cursor over a unique, unchanging order (keyset),
    so page 10,000 costs what page 1 costs and a consumer can read every published row. No
    total count: counting is what made deep pages expensive. ``next``/``previous`` are the links."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"


class CappedPaginator(Paginator):
    cap = 1000

    @cached_property
    def _ids(self) -> list:
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return len(self._ids)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids = self._ids[start : start + self.per_page]
        rows = {}
        if ids:
            fetch = self.object_list.model._default_manager.filter(pk__in=ids)
            query = self.object_list.query
            if query.select_related:
                fetch = fetch.select_related(*_select_related_paths(query.select_related))
            fetch = fetch.prefetch_related(*self.object_list._prefetch_related_lookups)
            rows = {row.pk: row for row in fetch}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def _select_related_paths(tree: dict | bool, prefix: str = "") -> list[str]:
    if tree is True or not tree:
        return []
    paths = []
    for name, children in tree.items():
        path = f"{prefix}{name}"
        deeper = _select_related_paths(children, f"{path}__")
        paths.extend(deeper or [path])
    return paths
