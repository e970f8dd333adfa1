from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from rest_framework import serializers, viewsets

from accounts import permissions as perms
from accounts.api_permissions import Capability
from audit import permissions as audit_perms

from .exports import events_to_xlsx
from .filters import AuditEventFilter
from .models import AuditAction, AuditEvent
from .services import event_record


def _filtered(request):
    return AuditEventFilter(request.GET, queryset=AuditEvent.objects.all())


# Read-only pages: any other method is refused, so that no HTML URL can touch the trail.
@require_safe
@login_required
def event_list(request):
    perms.require(request.user, audit_perms.can_view_audit(request.user), who=perms.Actor.AUDIT_ADMIN)
    filterset = _filtered(request)
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"filter": filterset, "page": page})


@require_safe
@login_required
def event_export(request):
    perms.require(request.user, audit_perms.can_view_audit(request.user), who=perms.Actor.AUDIT_ADMIN)
    filterset = _filtered(request)
    content = events_to_xlsx(filterset.qs)
    event_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        message=_("audit trail export"),
        detail={"filters": {k: v for k, v in request.GET.items() if v}},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_username",
            "action",
            "outcome",
            "object_type",
            "object_id",
            "object_repr",
            "message",
            "detail",
            "ip_address",
            "user_agent",
            "path",
        ]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, read-only, for the audit administrator. There is no write endpoint."""

    serializer_class = AuditEventSerializer
    permission_classes = [Capability]
    capability = staticmethod(audit_perms.can_view_audit)
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-id"]
    queryset = AuditEvent.objects.all()
