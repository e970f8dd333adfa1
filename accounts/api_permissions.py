"""DRF glue for the permission modules: the same predicates, the same 403/404 rules, and every
denial through the same choke point (``accounts.permissions.refuse``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission

from .permissions import get_visible_or_404, refuse


def is_probe(request) -> bool:
    """DRF's browsable API and its OPTIONS metadata ask the permission classes about methods the
    caller has not used (to decide which forms to show), on a clone of the request with another
    method. Such a question is no attempt and must not go on record as a denial."""
    return request.method != request._request.method


class Capability(BasePermission):
    """Checks a role-level predicate named by the view's ``capability`` (403 if missing)."""

    def has_permission(self, request, view):
        allowed = view.capability(request.user) if request.user.is_authenticated else False
        if request.user.is_authenticated and not allowed and not is_probe(request):
            refuse(request.user, reason=_("role not permitted"))
        return allowed


class ObjectChange(BasePermission):
    """For writes, the view's ``can_change(user, obj)`` must hold (403, on record, if not)."""

    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

    def has_object_permission(self, request, view, obj):
        if request.method in self.SAFE_METHODS:
            return True
        if view.can_change(request.user, obj):
            return True
        if not is_probe(request):
            refuse(request.user, obj=obj, reason=_("may not change this object"))
        return False


class ScopedObjectMixin:
    """Object lookups go through accounts.permissions.get_visible_or_404: outside the caller's
    scope is 404, and a miss on a real object is a denial on record."""

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        if is_probe(self.request):
            # DRF's own get_object_or_404 answers 404 for a value the field cannot hold.
            obj = get_object_or_404(self.get_queryset(), **lookup)
        else:
            obj = get_visible_or_404(self.request.user, self.get_queryset(), **lookup)
        self.check_object_permissions(self.request, obj)
        return obj
