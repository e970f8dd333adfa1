from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin

from . import services
from .models import CatalogueEntry, LegalInstrument
from .serializers import CatalogueDetailSerializer, CatalogueSerializer, InstrumentSerializer, TransitionSerializer



class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of legal instruments: public reference data."""

    serializer_class = InstrumentSerializer
    permission_classes = [AllowAny]
    queryset = LegalInstrument.objects.all()
    filterset_fields = ["level", "status"]
    search_fields = ["name", "document_number", "issuing_organ"]
    ordering_fields = ["name", "effective_on"]
    ordering = ["level", "name"]


class CatalogueViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Basis catalogues in the caller's scope. A department sees its own versions, drafts
    included; an office sees its jurisdiction's submitted and later versions. Transitions are
    POST actions; a wrong transition answers 409 with the reason."""

    permission_classes = [Capability]
    capability = staticmethod(perms.can_view_catalogues)
    filterset_fields = ["status", "department", "needs_revision", "is_late"]
    ordering_fields = ["submitted_at", "version", "updated_at"]
    ordering = ["department__path", "-version"]

    def get_queryset(self):
        queryset = perms.catalogues_visible_to(self.request.user).select_related("department")
        if self.action == "retrieve":
            entries = CatalogueEntry.objects.select_related("instrument").prefetch_related(
                "provisions", "joint_departments", "assisting_departments"
            )
            queryset = queryset.prefetch_related(Prefetch("entries", queryset=entries))
        return queryset

    def get_serializer_class(self):
        return CatalogueDetailSerializer if self.action == "retrieve" else CatalogueSerializer

    def _transition(self, request, service, **extra):
        catalogue = self.get_object()
        updated = service(actor=request.user, catalogue=catalogue, **extra)
        return Response(CatalogueSerializer(updated).data)

    @extend_schema(request=None, responses=CatalogueSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.catalogue_submit)

    @extend_schema(request=None, responses=CatalogueSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._transition(request, services.catalogue_start_review)

    @extend_schema(request=TransitionSerializer, responses=CatalogueSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(request, services.catalogue_return, comment=body.validated_data.get("comment", ""))

    @extend_schema(request=None, responses=CatalogueSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, services.catalogue_approve)

    @extend_schema(request=None, responses=CatalogueSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, services.catalogue_publish)


