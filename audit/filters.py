import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent, AuditOutcome


class IPAddressFilter(django_filters.CharFilter):
    """An address, checked as one: on PostgreSQL the column is ``inet``, and a word compared with
    it is a database error (a 500, and the transaction lost) instead of a clear 400."""

    field_class = forms.GenericIPAddressField


class AuditEventFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(label=_("From"), field_name="occurred_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="occurred_at", lookup_expr="date__lte")
    user = django_filters.CharFilter(label=_("User name"), field_name="actor_username", lookup_expr="icontains")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=AuditOutcome.choices)
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="icontains")
    ip_address = IPAddressFilter(label=_("IP address"))

    class Meta:
        model = AuditEvent
        fields = ["since", "until", "user", "action", "outcome", "object_type", "ip_address"]
