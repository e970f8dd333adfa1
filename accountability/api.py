"""The accountability API: cases in the caller's scope (the same ``cases_visible_to`` as the
pages: 404 outside it, every read of a case on the audit trail) and the simple transitions,
through the services (403 role, 404 scope, 409 state, 400 input)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api_permissions import Capability, ScopedObjectMixin
from audit.models import AuditAction
from audit.services import event_record

from . import permissions as acc_perms
from . import services
from .serializers import CaseDetailSerializer, CaseSerializer, CaseTransitionInputSerializer


class CaseViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Capability]
    capability = staticmethod(acc_perms.can_view_cases)
    filterset_fields = ["status", "department__code", "source_kind"]
    search_fields = ["number", "department__name", "act"]

    def get_queryset(self):
        visible = acc_perms.cases_visible_to(self.request.user)
        if self.action == "list":
            return visible.select_related("department").order_by("-created_at", "-id")
        return visible.select_related("department").prefetch_related("persons", "measures__certificate", "events__actor")

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        event_record(action=AuditAction.EXPORT, actor=request.user, obj=case, message="case viewed", detail={"read": "api"})
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseTransitionInputSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = CaseTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["transition"]
        if name in services.TRANSITION_SERVICES:
            services.TRANSITION_SERVICES[name](actor=request.user, case=case)
        else:
            services.REASONED_SERVICES[name](actor=request.user, case=case, reason=data.validated_data["reason"])
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case).data)
