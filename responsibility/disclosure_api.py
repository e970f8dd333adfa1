"""The disclosure documents API (status, retry, download link, render requests). Lists are scoped
by responsibility.permissions; writes go through the disclosure services (403 role, 404 scope, 409
state)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from organisations import permissions as org_perms
from responsibility import permissions as responsibility_perms

from . import disclosure_services
from .models import DisclosureDocument, DocumentKind, DocumentStatus


@extend_schema_field({"type": "string", "enum": DocumentStatus.values, "description": "queued, rendering, ready or failed"})
class DocumentStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=DocumentStatus.choices, **kwargs)


class DisclosureDocumentSerializer(serializers.ModelSerializer):
    # A plain string in the schema: the enum is the render request's, and one enum under one
    # field name in two components would collide with other apps' "kind" enums.
    kind = serializers.CharField(read_only=True, help_text="booklet, bulletin or compilation")
    status = DocumentStatusField(read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureDocument
        fields = [
            "id", "organisation", "organisation_code", "organisation_name", "kind", "version", "status",
            "error", "attempts", "pages", "size", "content_hash", "data_as_of", "created_at", "started_at",
            "finished_at", "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        if document.status != "ready":
            return ""
        return reverse("disclosure:download", args=[document.pk])


class RenderRequestSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="Id of a department (booklet, bulletin) or a government (compilation).")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)


class DisclosureDocumentViewSet(ScopedObjectMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Disclosure documents in the caller's scope, every status. POST asks for a render of what
    an organisation publishes now (the existing document if its content has not changed)."""

    permission_classes = [Capability]
    capability = staticmethod(responsibility_perms.can_view_responsibilities)
    serializer_class = DisclosureDocumentSerializer
    filterset_fields = ["organisation__code"]
    ordering = ["organisation__path", "kind", "-version"]

    def get_queryset(self):
        queryset = responsibility_perms.disclosure_documents_visible_to(self.request.user).select_related("organisation")
        # Filtered by hand rather than through filterset_fields: django-filter's generated enums
        # would collide with other apps' "status" and "kind" in the schema.
        for name, values in (("status", DocumentStatus.values), ("kind", DocumentKind.values)):
            value = self.request.query_params.get(name)
            if value in values:
                queryset = queryset.filter(**{name: value})
        return queryset.order_by(*self.ordering)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", {"type": "string", "enum": DocumentStatus.values}),
            OpenApiParameter("kind", {"type": "string", "enum": DocumentKind.values}),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RenderRequestSerializer, responses={201: DisclosureDocumentSerializer})
    def create(self, request, *args, **kwargs):
        body = RenderRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = perms.get_visible_or_404(
            request.user, org_perms.organisations_visible_to(request.user), pk=body.validated_data["organisation"]
        )
        document = disclosure_services.document_request(
            actor=request.user, organisation=organisation, kind=body.validated_data["kind"]
        )
        return Response(DisclosureDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DisclosureDocumentSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        document = self.get_object()
        document = disclosure_services.document_retry(actor=request.user, document=document)
        document.refresh_from_db()
        return Response(DisclosureDocumentSerializer(document).data)


def register(router) -> None:
    """Add the disclosure viewsets to the project's API router."""
    router.register("disclosure/documents", DisclosureDocumentViewSet, basename="disclosure-document")
