"""The enforcement basis over HTTP: everything a department editor and an office reviewer do on
the screens, for their own systems, and the public, published catalogues.

Each action parses the request, checks the caller through basis.permissions, calls one
service and serializes the result. Refusals: 403 for a role that may never do it, 404 for what
lies outside the caller's scope, 409 (with the reason) for a step the record's state does not
allow, 400 for invalid input.
"""

from functools import cached_property

import django_filters
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from audit.models import AuditAction
from audit.services import event_record
from basis import permissions as basis_perms
from toolkit.pagination import KeysetPagination
from workflow.review import ReviewStatus

from . import api_rows, services
from .models import (
    BasisCatalogue,
    CatalogueEntry,
    CatalogueEvent,
    EstablishmentOpinion,
    LegalInstrument,
    Provision,
    ReviewComment,
)
from .selectors import entries_with_details
from .selectors_public import published_catalogues, published_entries_search
from .serializers import (
    ApproveSerializer,
    CatalogueDetailSerializer,
    CatalogueDiffQuerySerializer,
    CatalogueDiffSerializer,
    CatalogueEntryInputSerializer,
    CatalogueEntrySerializer,
    CatalogueFindingSerializer,
    CatalogueImportResultSerializer,
    CatalogueImportSerializer,
    CatalogueSerializer,
    CatalogueSummarySerializer,
    CompilationSerializer,
    ErrorSerializer,
    EstablishmentOpinionInputSerializer,
    EstablishmentOpinionSerializer,
    InstrumentDetailSerializer,
    InstrumentSerializer,
    InstrumentStatusRecordSerializer,
    InstrumentStatusResultSerializer,
    OrganisationRefSerializer,
    PublicCatalogueDetailSerializer,
    PublicCatalogueSerializer,
    PublicSearchResultSerializer,
    ReviewCommentInputSerializer,
    ReviewCommentSerializer,
    SubmissionDeadlineInputSerializer,
    SubmissionDeadlineSerializer,
    TransitionSerializer,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"

REFUSED = OpenApiResponse(ErrorSerializer, description="Role not permitted.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or outside the caller's scope.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="The record's state does not allow this; the reason is in detail.")
INVALID = OpenApiResponse(description="Invalid input: a list of messages per field.")
WRITE_REFUSALS = {400: INVALID, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT}
STEP_REFUSALS = {403: REFUSED, 404: NOT_FOUND, 409: CONFLICT}


class XlsxRenderer(BaseRenderer):
    """Hands a workbook's bytes through. An error on the way is still written as JSON: the
    client asked for a file, but the reason it did not get one must be readable."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = JSON
        return JSONRenderer().render(data)


class CatalogueKeysetPagination(KeysetPagination):
    """Published catalogues in the tree's order: one per department, so the path is unique."""

    ordering = "department_path"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- Instruments ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="The registry of legal instruments: public reference data."),
    retrieve=extend_schema(description="An instrument with its provisions, whose ids entries cite."),
)
class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of legal instruments: public reference data."""

    permission_classes = [AllowAny]
    capability = staticmethod(basis_perms.can_manage_instruments)  # for record-status
    filterset_fields = ["level", "status"]
    search_fields = ["name", "document_number", "issuing_organ"]
    ordering_fields = ["name", "effective_on"]
    ordering = ["level", "name"]

    def get_queryset(self):
        if self.action == "retrieve":
            return LegalInstrument.objects.prefetch_related(
                Prefetch("provisions", queryset=Provision.objects.order_by("article", "paragraph", "item"))
            )
        return LegalInstrument.objects.all()

    def get_serializer_class(self):
        return InstrumentDetailSerializer if self.action == "retrieve" else InstrumentSerializer

    @extend_schema(
        request=InstrumentStatusRecordSerializer,
        responses={200: InstrumentStatusResultSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
        description=(
            "The legal-affairs office records that an instrument was amended or repealed. Every "
            "current catalogue citing it is flagged for revision and its department notified."
        ),
    )
    @action(detail=True, methods=["post"], url_path="record-status", permission_classes=[Capability])
    def record_status(self, request, pk=None):
        instrument = self.get_object()
        body = InstrumentStatusRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flagged = services.instrument_record_status(actor=request.user, instrument=instrument, **body.validated_data)
        instrument.refresh_from_db()
        return Response(InstrumentStatusResultSerializer({"instrument": instrument, "flagged_catalogues": flagged}).data)


# -- Catalogues -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description=(
            "Catalogue versions in the caller's scope: a department's own (drafts included), or "
            "the office's review queue (submitted and later versions of its jurisdiction), each "
            "with its number of entries and of cross-department findings."
        )
    ),
    retrieve=extend_schema(description="One version with its entries, its workflow history and the deadline in force."),
)
class CatalogueViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Basis catalogues in the caller's scope. A department sees its own versions, drafts
    included; an office sees its jurisdiction's submitted and later versions. Transitions are
    POST actions; a wrong transition answers 409 with the reason."""

    permission_classes = [Capability]
    capability = staticmethod(basis_perms.can_view_catalogues)
    filterset_fields = ["status", "department", "needs_revision", "is_late"]
    ordering_fields = ["submitted_at", "version", "updated_at"]
    ordering = ["department__path", "-version"]

    def get_queryset(self):
        queryset = basis_perms.catalogues_visible_to(self.request.user).select_related("department")
        if self.action == "list":
            queryset = queryset.annotate(entry_count=Count("entries"))
        elif self.action == "retrieve":
            entries = CatalogueEntry.objects.select_related("instrument", "lead_department", "principal")
            queryset = queryset.prefetch_related(
                Prefetch(
                    "entries",
                    queryset=entries.prefetch_related("provisions", "joint_departments", "assisting_departments"),
                ),
                Prefetch("events", queryset=CatalogueEvent.objects.select_related("actor")),
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return CatalogueSummarySerializer
        return CatalogueDetailSerializer if self.action == "retrieve" else CatalogueSerializer

    def list(self, request, *args, **kwargs):
        from .checks import cached_conflict_counts

        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        counts = cached_conflict_counts([catalogue.pk for catalogue in page]) if page else {}
        context = {**self.get_serializer_context(), "conflict_counts": counts}
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        request=None,
        responses={201: CatalogueSerializer, 403: REFUSED, 409: CONFLICT},
        description=(
            "Start the next version of the caller's department's catalogue, copied from its latest "
            "published one. Refused (409) while another version is in progress."
        ),
    )
    def create(self, request):
        department = perms.department_of(request.user)
        perms.require(request.user, department is not None and basis_perms.can_start_catalogue(request.user, department))
        catalogue = services.catalogue_start(actor=request.user, department=department)
        return Response(CatalogueSerializer(catalogue).data, status=status.HTTP_201_CREATED)

    # -- Transitions

    def _transition(self, request, service, **extra):
        catalogue = self.get_object()
        updated = service(actor=request.user, catalogue=catalogue, **extra)
        return Response(CatalogueSerializer(updated).data)

    @extend_schema(request=None, responses={200: CatalogueSerializer, **STEP_REFUSALS},
                   description="The department submits a draft or returned version for review.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.catalogue_submit)

    @extend_schema(request=None, responses={200: CatalogueSerializer, **STEP_REFUSALS},
                   description="The competent legal-affairs office takes a submitted version into review.")
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._transition(request, services.catalogue_start_review)

    @extend_schema(request=TransitionSerializer, responses={200: CatalogueSerializer, **STEP_REFUSALS},
                   description="The office returns a version under review, with a comment on it or on its entries.")
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(request, services.catalogue_return, comment=body.validated_data.get("comment", ""))

    @extend_schema(request=ApproveSerializer, responses={200: CatalogueSerializer, **STEP_REFUSALS},
                   description=(
                       "The office approves a version under review. With open findings (see findings) it "
                       "must send acknowledged_findings=true and a reason, else 409. Refused too while the "
                       "establishment office's opinion is required and missing; a comment saying why is "
                       "required when that office disagrees."
                   ))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(request, services.catalogue_approve, **body.validated_data)

    @extend_schema(request=None, responses={200: CatalogueSerializer, **STEP_REFUSALS},
                   description="The office publishes an approved version; the previous published one is superseded.")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, services.catalogue_publish)

    # -- Review

    @extend_schema(
        methods=["GET"],
        responses=ReviewCommentSerializer(many=True),
        description="Review comments on the version and on its entries, oldest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=ReviewCommentInputSerializer,
        responses={201: ReviewCommentSerializer, **WRITE_REFUSALS},
        description="Either office comments on a version under review, or on one of its entries.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        catalogue = self.get_object()
        if request.method == "GET":
            comments = ReviewComment.objects.filter(catalogue=catalogue).select_related("author")
            page = self.paginate_queryset(comments.order_by("created_at", "pk"))
            return self.get_paginated_response(ReviewCommentSerializer(page, many=True).data)
        perms.require(request.user, basis_perms.can_comment_catalogue(request.user, catalogue), obj=catalogue)
        body = ReviewCommentInputSerializer(data=request.data, context={"catalogue": catalogue})
        body.is_valid(raise_exception=True)
        comment = services.comment_add(actor=request.user, catalogue=catalogue, **body.validated_data)
        return Response(ReviewCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses=EstablishmentOpinionSerializer(many=True),
        description="The establishment office's opinions on the version and on its entries, oldest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=EstablishmentOpinionInputSerializer,
        responses={201: EstablishmentOpinionSerializer, **WRITE_REFUSALS},
        description="The competent establishment office gives its opinion (会同审查) on a version submitted or "
                    "under review, or on one of its entries.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], url_path="establishment-opinions")
    def establishment_opinions(self, request, pk=None):
        catalogue = self.get_object()
        if request.method == "GET":
            opinions = EstablishmentOpinion.objects.filter(catalogue=catalogue).select_related("author")
            page = self.paginate_queryset(opinions.order_by("created_at", "pk"))
            return self.get_paginated_response(EstablishmentOpinionSerializer(page, many=True).data)
        perms.require(request.user, basis_perms.can_give_establishment_opinion(request.user, catalogue), obj=catalogue)
        body = EstablishmentOpinionInputSerializer(data=request.data, context={"catalogue": catalogue})
        body.is_valid(raise_exception=True)
        opinion = services.establishment_opinion_add(actor=request.user, catalogue=catalogue, **body.validated_data)
        return Response(EstablishmentOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=CatalogueFindingSerializer(many=True),
        description=(
            "Cross-department findings about this version, checked as if it were its department's "
            "current one: multi-head and cross enforcement, repealed instruments, ultra vires "
            "entries of entrusted organisations, duplicates."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def findings(self, request, pk=None):
        from .checks import cached_findings_for_catalogue

        return Response(CatalogueFindingSerializer(cached_findings_for_catalogue(self.get_object()), many=True).data)

    @extend_schema(
        parameters=[CatalogueDiffQuerySerializer],
        responses={200: CatalogueDiffSerializer, 400: INVALID, 404: NOT_FOUND},
        description=(
            "Compare two versions of one department's catalogue: entries added, removed and "
            "changed, field by field."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def diff(self, request, pk=None):
        from .diff import catalogue_diff

        catalogue = self.get_object()
        query = CatalogueDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        against_id = query.validated_data.get("against", catalogue.based_on_id)
        if against_id is None:
            # Nothing to compare with by default: the version was not made from another.
            raise serializers.ValidationError({"against": [serializers.Field.default_error_messages["required"]]})
        others = self.get_queryset().filter(department_id=catalogue.department_id).exclude(pk=catalogue.pk)
        against = perms.get_visible_or_404(request.user, others, pk=against_id)
        old, new = sorted([against, catalogue], key=lambda c: c.version)
        return Response(CatalogueDiffSerializer(catalogue_diff(old, new)).data)

    @extend_schema(
        responses=OrganisationRefSerializer(many=True),
        description="The departments an entry of this catalogue may name (lead, joint, assisting, principal).",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def departments(self, request, pk=None):
        from .spreadsheets import department_candidates

        catalogue = self.get_object()
        page = self.paginate_queryset(department_candidates(catalogue.department).order_by("path"))
        return self.get_paginated_response(OrganisationRefSerializer(page, many=True).data)

    # -- Spreadsheets

    @extend_schema(
        request={"multipart/form-data": CatalogueImportSerializer},
        responses={
            200: CatalogueImportResultSerializer,
            400: OpenApiResponse(
                CatalogueImportResultSerializer,
                description=(
                    "Confirmed with errors: the result, nothing saved. (A file refused as a whole "
                    "answers {\"file\": [reason]} instead.)"
                ),
            ),
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Check a spreadsheet against the registry and the organisation tree: every rejected "
            "row with its number, column and reason. Nothing is saved unless confirm is true and "
            "the file has no errors; then it replaces the version's entries, all at once."
        ),
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_(self, request, pk=None):
        from .spreadsheets import ImportRefused, UploadRefused, import_confirm, parse_catalogue_upload

        catalogue = self.get_object()
        perms.require(request.user, basis_perms.is_catalogue_editor(request.user, catalogue), obj=catalogue)
        upload = CatalogueImportSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            preview = parse_catalogue_upload(upload.validated_data["file"], department=catalogue.department)
        except UploadRefused as error:
            raise serializers.ValidationError({"file": error.messages}) from None
        result = {
            "file_name": preview.file_name,
            "rows": len(preview.rows),
            "errors": preview.errors,
            "ignored_columns": preview.ignored_headers,
            "is_clean": preview.is_clean,
            "imported": None,
        }
        if not upload.validated_data["confirm"]:
            return Response(CatalogueImportResultSerializer(result).data)
        try:
            result["imported"] = import_confirm(actor=request.user, catalogue=catalogue, preview=preview)
        except ImportRefused as error:
            result["detail"] = str(error)
            return Response(CatalogueImportResultSerializer(result).data, status=status.HTTP_400_BAD_REQUEST)
        return Response(CatalogueImportResultSerializer(result).data)

    @extend_schema(
        responses={(200, XLSX): OpenApiTypes.BINARY, (403, JSON): ErrorSerializer, (404, JSON): ErrorSerializer},
        description="The version as an .xlsx workbook in the import shape. The export is on the audit record.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[XlsxRenderer, JSONRenderer], filter_backends=[])
    def export(self, request, pk=None):
        from .spreadsheets import catalogue_to_xlsx

        catalogue = self.get_object()
        content = catalogue_to_xlsx(catalogue)
        event_record(action=AuditAction.EXPORT, actor=request.user, obj=catalogue)
        return _xlsx(content, f"catalogue-{catalogue.department.code}-v{catalogue.version}.xlsx")


# -- Entries ----------------------------------------------------------------------------------


CATALOGUE_PATH_PARAMETER = OpenApiParameter(
    "catalogue_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id of the catalogue version."
)
ENTRY_PATH_PARAMETER = OpenApiParameter(
    "entry_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id of the entry."
)


@extend_schema_view(
    list=extend_schema(parameters=[CATALOGUE_PATH_PARAMETER], description="The entries of a catalogue version, in order."),
    retrieve=extend_schema(parameters=[CATALOGUE_PATH_PARAMETER, ENTRY_PATH_PARAMETER], description="One entry."),
    create=extend_schema(
        parameters=[CATALOGUE_PATH_PARAMETER],
        request=CatalogueEntryInputSerializer,
        responses={201: CatalogueEntrySerializer, **WRITE_REFUSALS},
        description="The department's editor adds an entry to a draft or returned version.",
    ),
    update=extend_schema(
        parameters=[CATALOGUE_PATH_PARAMETER, ENTRY_PATH_PARAMETER],
        request=CatalogueEntryInputSerializer,
        responses={200: CatalogueEntrySerializer, **WRITE_REFUSALS},
        description="Replace an entry of a draft or returned version.",
    ),
    partial_update=extend_schema(
        parameters=[CATALOGUE_PATH_PARAMETER, ENTRY_PATH_PARAMETER],
        request=CatalogueEntryInputSerializer,
        responses={200: CatalogueEntrySerializer, **WRITE_REFUSALS},
        description="Change some fields of an entry; the others keep their values.",
    ),
    destroy=extend_schema(
        parameters=[CATALOGUE_PATH_PARAMETER, ENTRY_PATH_PARAMETER],
        responses={204: None, **STEP_REFUSALS},
        description="Delete an entry of a draft or returned version.",
    ),
)
class EntryViewSet(ScopedObjectMixin, viewsets.ModelViewSet):
    """Entries of one catalogue version, under /api/basis/catalogues/{catalogue_pk}/entries/."""

    permission_classes = [Capability]
    capability = staticmethod(basis_perms.can_view_catalogues)
    lookup_url_kwarg = "entry_id"
    lookup_value_regex = "[0-9]+"
    filter_backends = []
    serializer_class = CatalogueEntrySerializer

    @cached_property
    def catalogue(self) -> BasisCatalogue:
        visible = basis_perms.catalogues_visible_to(self.request.user).select_related("department")
        return perms.get_visible_or_404(self.request.user, visible, pk=self.kwargs["catalogue_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no catalogue
            return CatalogueEntry.objects.none()
        return entries_with_details([self.catalogue.pk])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "catalogue_pk" in self.kwargs:
            context["catalogue"] = self.catalogue
        return context

    def _require_editor(self):
        perms.require(self.request.user, basis_perms.is_catalogue_editor(self.request.user, self.catalogue), obj=self.catalogue)

    def _input(self, entry=None, partial=False) -> CatalogueEntryInputSerializer:
        body = CatalogueEntryInputSerializer(entry, data=self.request.data, partial=partial, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body

    def _present(self, entry, code=status.HTTP_200_OK) -> Response:
        return Response(CatalogueEntrySerializer(self.get_queryset().get(pk=entry.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        self._require_editor()
        entry = services.entry_create(actor=request.user, catalogue=self.catalogue, data=self._input().entry_data())
        return self._present(entry, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        entry = self.get_object()
        self._require_editor()
        entry.catalogue = self.catalogue
        data = self._input(entry, partial=partial).entry_data()
        return self._present(services.entry_update(actor=request.user, entry=entry, data=data))

    def destroy(self, request, *args, **kwargs):
        entry = self.get_object()
        self._require_editor()
        entry.catalogue = self.catalogue
        services.entry_delete(actor=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- Office: deadlines and the compilation ----------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="The submission deadlines of the caller's government, newest first: the first is the one in force."
    ),
    create=extend_schema(
        request=SubmissionDeadlineInputSerializer,
        responses={201: SubmissionDeadlineSerializer, 400: INVALID, 403: REFUSED},
        description=(
            "The legal-affairs office sets the submission deadline of its jurisdiction. Late "
            "submissions are accepted and marked."
        ),
    ),
)
class DeadlineViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [Capability]
    capability = staticmethod(basis_perms.can_view_catalogues)
    serializer_class = SubmissionDeadlineSerializer
    filter_backends = []

    def get_queryset(self):
        return basis_perms.deadlines_visible_to(self.request.user).select_related("jurisdiction").order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        government = perms.jurisdiction_of(request.user)
        perms.require(request.user, government is not None and basis_perms.can_set_deadline(request.user, government))
        body = SubmissionDeadlineInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deadline = services.deadline_set(actor=request.user, jurisdiction=government, **body.validated_data)
        return Response(SubmissionDeadlineSerializer(deadline).data, status=status.HTTP_201_CREATED)


class CatalogueFilter(django_filters.FilterSet):
    """Published catalogues by government and department, by code (as the portal shows them)."""

    government = django_filters.CharFilter(
        field_name="department__jurisdiction__code", help_text="Code of the city or county government."
    )
    department = django_filters.CharFilter(field_name="department__code", help_text="Code of the department.")

    class Meta:
        model = BasisCatalogue
        fields = ["government", "department"]


@extend_schema_view(
    list=extend_schema(
        responses={
            (200, JSON): CompilationSerializer(many=True),
            (200, XLSX): OpenApiTypes.BINARY,
            (403, JSON): ErrorSerializer,
        },
        description=(
            "The office's compilation (汇编): the published catalogues of its jurisdiction. With "
            "format=xlsx, every entry of them in one workbook (on the audit record)."
        ),
    )
)
class CompilationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [Capability]
    capability = staticmethod(perms.can_use_office_functions)
    serializer_class = CompilationSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XlsxRenderer]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = CatalogueFilter

    def get_queryset(self):
        return (
            basis_perms.catalogues_visible_to(self.request.user)
            .filter(status=ReviewStatus.PUBLISHED)
            .select_related("department", "department__jurisdiction")
            .annotate(entry_count=Count("entries"))
            .order_by("department__path")
        )

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != XlsxRenderer.format:
            return super().list(request, *args, **kwargs)
        from .spreadsheets import compilation_to_xlsx

        published = self.filter_queryset(self.get_queryset())
        content = compilation_to_xlsx(published)
        event_record(
            action=AuditAction.EXPORT,
            actor=request.user,
            message=gettext_lazy("compilation export"),
            detail={key: request.query_params.get(key, "") for key in ("government", "department")},
        )
        return _xlsx(content, "compilation.xlsx")


# -- Public -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="Published catalogues, by government and department. No login needed."),
    retrieve=extend_schema(description="A published catalogue with its entries. No login needed."),
)
class PublicCatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = CatalogueKeysetPagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = CatalogueFilter

    def get_queryset(self):
        catalogues = published_catalogues().select_related("department", "department__jurisdiction")
        if self.action == "retrieve":
            entries = CatalogueEntry.objects.select_related("instrument", "lead_department", "principal").prefetch_related(
                "provisions", "joint_departments", "assisting_departments"
            )
            return catalogues.prefetch_related(Prefetch("entries", queryset=entries.order_by("position", "pk")))
        # Counted per catalogue of the page by a subquery (an index-only count), not by joining
        # every published entry and grouping them before the page is cut.
        counted = CatalogueEntry.objects.filter(catalogue=OuterRef("pk")).order_by().values("catalogue")
        entry_count = Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)
        return catalogues.annotate(entry_count=entry_count, department_path=F("department__path"))

    def get_serializer_class(self):
        return PublicCatalogueDetailSerializer if self.action == "retrieve" else PublicCatalogueSerializer

    def list(self, request, *args, **kwargs):
        # PublicCatalogueSerializer's output built from rows (basis/api_rows.py): same JSON,
        # without a model instance per catalogue, department and government.
        catalogues = self.filter_queryset(self.get_queryset()).values(*api_rows.CATALOGUE_VALUES)
        page = self.paginate_queryset(catalogues)
        return self.get_paginated_response(api_rows.public_catalogue_rows(page))


class PublicEntryFilter(django_filters.FilterSet):
    government = django_filters.CharFilter(
        field_name="catalogue__department__jurisdiction__code", help_text="Code of the city or county government."
    )
    department = django_filters.CharFilter(field_name="catalogue__department__code", help_text="Code of the department.")

    class Meta:
        model = CatalogueEntry
        fields = ["government", "department"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    "Text to find in the instrument's name, the department's name or the rights "
                    "and duties; one character is enough."
                ),
            )
        ],
        description=(
            "Search the entries of published catalogues, or list them all without q. No login "
            "needed. Pages by cursor: follow next until it is null to read every row."
        ),
    )
)
class PublicEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    pagination_class = KeysetPagination
    serializer_class = PublicSearchResultSerializer
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = PublicEntryFilter

    def get_queryset(self):
        return (
            published_entries_search(self.request.query_params.get("q", ""))
            .select_related("lead_department", "principal")
            .prefetch_related("joint_departments", "assisting_departments")
        )

    def list(self, request, *args, **kwargs):
        # PublicSearchResultSerializer's output built from rows, the many-to-many data in one
        # query each for the page (basis/api_rows.py): same JSON, a fraction of the Python.
        entries = self.filter_queryset(self.get_queryset()).prefetch_related(None).values(*api_rows.ENTRY_VALUES)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(api_rows.public_entry_rows(page))
