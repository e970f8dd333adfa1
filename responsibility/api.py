"""The responsibility API (sets, responsibilities, standards, supporting rules, coverage). Lists
are scoped by responsibility.permissions; writes go through the services (403 role, 404 scope, 409
state, 400 input)."""

from functools import cached_property

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from organisations import permissions as org_perms
from responsibility import permissions as responsibility_perms

from . import selectors, services
from .models import ResponsibilitySet, StandardBand, SupportingRule, SupportingRuleKind, SupportingRuleStatus
from .serializers import (
    CoverageRowSerializer,
    ResponsibilityInputSerializer,
    ResponsibilitySerializer,
    ResponsibilitySetEventSerializer,
    ResponsibilitySetSerializer,
    RuleStatusInputSerializer,
    SetTransitionInputSerializer,
    StandardInputSerializer,
    StandardSerializer,
    SupportingRuleInputSerializer,
    SupportingRuleSerializer,
)
from .views import rule_document_response


class ResponsibilitySetViewSet(ScopedObjectMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Responsibility-set versions in the caller's scope. POST starts the department's next
    version."""

    permission_classes = [Capability]
    capability = staticmethod(responsibility_perms.can_view_responsibilities)
    serializer_class = ResponsibilitySetSerializer
    filterset_fields = ["status", "department__code"]
    search_fields = ["department__name"]
    ordering = ["department__path", "-version"]

    def get_queryset(self):
        return responsibility_perms.responsibility_sets_visible_to(self.request.user).select_related("department").order_by(*self.ordering)

    @extend_schema(request=None, responses={201: ResponsibilitySetSerializer})
    def create(self, request, *args, **kwargs):
        department = perms.department_of(request.user)
        perms.require(request.user, department is not None and responsibility_perms.can_start_responsibility_set(request.user, department),
                      who=perms.Actor.DEPARTMENT_EDITOR)
        responsibility_set = services.responsibility_set_start(actor=request.user, department=department)
        return Response(ResponsibilitySetSerializer(responsibility_set).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SetTransitionInputSerializer, responses={200: ResponsibilitySetSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        responsibility_set = self.get_object()
        body = SetTransitionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["transition"]
        kwargs = {"comment": body.validated_data["comment"]} if name in ("return", "approve") else {}
        updated = services.TRANSITION_SERVICES[name](actor=request.user, responsibility_set=responsibility_set, **kwargs)
        return Response(ResponsibilitySetSerializer(updated).data)

    @extend_schema(responses={200: ResponsibilitySetEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        responsibility_set = self.get_object()
        return Response(
            ResponsibilitySetEventSerializer(responsibility_set.events.select_related("actor"), many=True).data
        )


class _NestedInSet(ScopedObjectMixin):
    """Rows of one visible set, under /api/responsibility/sets/{set_pk}/…."""

    permission_classes = [Capability]
    capability = staticmethod(responsibility_perms.can_view_responsibilities)
    lookup_value_regex = "[0-9]+"
    filter_backends = []

    @cached_property
    def responsibility_set(self) -> ResponsibilitySet:
        visible = responsibility_perms.responsibility_sets_visible_to(self.request.user).select_related("department")
        return perms.get_visible_or_404(self.request.user, visible, pk=self.kwargs["set_pk"])


class ResponsibilityViewSet(_NestedInSet, viewsets.ModelViewSet):
    serializer_class = ResponsibilitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResponsibilitySet.objects.none()
        return self.responsibility_set.responsibilities.select_related("kind", "agency", "post", "stage").order_by(
            "position", "id"
        )

    def _input(self) -> ResponsibilityInputSerializer:
        body = ResponsibilityInputSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body

    def _present(self, item, code=status.HTTP_200_OK) -> Response:
        return Response(ResponsibilitySerializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    @extend_schema(request=ResponsibilityInputSerializer, responses={201: ResponsibilitySerializer})
    def create(self, request, *args, **kwargs):
        item = services.responsibility_create(
            actor=request.user, responsibility_set=self.responsibility_set, data=self._input().responsibility_data()
        )
        return self._present(item, status.HTTP_201_CREATED)

    @extend_schema(request=ResponsibilityInputSerializer, responses={200: ResponsibilitySerializer})
    def update(self, request, *args, **kwargs):
        item = self.get_object()
        data = self._input().responsibility_data()
        return self._present(services.responsibility_update(actor=request.user, responsibility=item, data=data))

    @extend_schema(request=ResponsibilityInputSerializer, responses={200: ResponsibilitySerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.responsibility_delete(actor=request.user, responsibility=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class StandardViewSet(_NestedInSet, viewsets.ModelViewSet):
    """Enforcement standards with their bands; a write replaces the bands as a whole."""

    serializer_class = StandardSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResponsibilitySet.objects.none()
        return self.responsibility_set.standards.prefetch_related(
            Prefetch("bands", queryset=StandardBand.objects.order_by("order"))
        ).order_by("position", "id")

    def _input(self) -> StandardInputSerializer:
        body = StandardInputSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body

    def _present(self, standard, code=status.HTTP_200_OK) -> Response:
        return Response(StandardSerializer(self.get_queryset().get(pk=standard.pk)).data, status=code)

    @extend_schema(request=StandardInputSerializer, responses={201: StandardSerializer})
    def create(self, request, *args, **kwargs):
        standard = services.standard_create(
            actor=request.user, responsibility_set=self.responsibility_set, data=self._input().standard_data()
        )
        return self._present(standard, status.HTTP_201_CREATED)

    @extend_schema(request=StandardInputSerializer, responses={200: StandardSerializer})
    def update(self, request, *args, **kwargs):
        standard = self.get_object()
        data = self._input().standard_data()
        return self._present(services.standard_update(actor=request.user, standard=standard, data=data))

    @extend_schema(request=StandardInputSerializer, responses={200: StandardSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.standard_delete(actor=request.user, standard=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupportingRuleFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code")
    kind = django_filters.ChoiceFilter(choices=SupportingRuleKind.choices)
    status = django_filters.ChoiceFilter(choices=SupportingRuleStatus.choices)

    class Meta:
        model = SupportingRule
        fields = ["department", "kind", "status"]


class SupportingRuleViewSet(ScopedObjectMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                            viewsets.ReadOnlyModelViewSet):
    """The supporting rules of the departments in the caller's scope. A department writes its
    own register (POST, PUT, and ``status`` to change a rule's status)."""

    permission_classes = [Capability]
    capability = staticmethod(responsibility_perms.can_view_responsibilities)
    serializer_class = SupportingRuleSerializer
    filterset_class = SupportingRuleFilter
    search_fields = ["title", "document_number", "department__name"]
    ordering = ["department__path", *selectors.RULE_ORDER]

    def get_queryset(self):
        return selectors.in_plan_order(responsibility_perms.supporting_rules_visible_to(self.request.user).select_related("department"), "department__path")

    def _input(self) -> SupportingRuleInputSerializer:
        body = SupportingRuleInputSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body

    @extend_schema(request=SupportingRuleInputSerializer, responses={201: SupportingRuleSerializer})
    def create(self, request, *args, **kwargs):
        department = perms.department_of(request.user)
        perms.require(request.user, department is not None and responsibility_perms.can_manage_supporting_rules(request.user, department),
                      who=perms.Actor.DEPARTMENT_EDITOR)
        rule = services.supporting_rule_create(actor=request.user, department=department, data=self._input().rule_data())
        return Response(SupportingRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupportingRuleInputSerializer, responses={200: SupportingRuleSerializer})
    def update(self, request, *args, **kwargs):
        rule = self.get_object()
        updated = services.supporting_rule_update(actor=request.user, rule=rule, data=self._input().rule_data())
        return Response(SupportingRuleSerializer(updated).data)

    @extend_schema(request=SupportingRuleInputSerializer, responses={200: SupportingRuleSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="document")
    def document(self, request, pk=None):
        """The rule's document, as uploaded (404 when it has none)."""
        return rule_document_response(request.user, self.get_object())

    @extend_schema(request=RuleStatusInputSerializer, responses={200: SupportingRuleSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        rule = self.get_object()
        body = RuleStatusInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.supporting_rule_set_status(actor=request.user, rule=rule, status=body.validated_data["status"])
        return Response(SupportingRuleSerializer(updated).data)


class CoverageViewSet(viewsets.GenericViewSet):
    """For each department in scope, the kinds of supporting rule in force and those missing."""

    permission_classes = [Capability]
    capability = staticmethod(responsibility_perms.can_view_responsibilities)
    serializer_class = CoverageRowSerializer
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("government", OpenApiTypes.STR, description="Code of a city or county government"),
            OpenApiParameter("missing", OpenApiTypes.BOOL, description="Only departments that miss a rule"),
        ],
        responses={200: CoverageRowSerializer(many=True)},
    )
    def list(self, request):
        code = request.query_params.get("government", "")
        government = org_perms.organisations_visible_to(request.user).filter(code=code).first() if code else None
        only_missing = request.query_params.get("missing", "").lower() in ("1", "true")
        if code and government is None:
            rows = []  # a government outside the caller's scope has no departments to show
        else:
            rows = selectors.coverage_for(request.user, government=government, only_missing=only_missing).rows
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CoverageRowSerializer(page, many=True).data)


def register(router) -> None:
    """Add this app's viewsets to the project's API router."""
    router.register("responsibility/sets", ResponsibilitySetViewSet, basename="responsibility-set")
    router.register(
        r"responsibility/sets/(?P<set_pk>[0-9]+)/responsibilities", ResponsibilityViewSet,
        basename="responsibility-set-responsibility",
    )
    router.register(
        r"responsibility/sets/(?P<set_pk>[0-9]+)/standards", StandardViewSet, basename="responsibility-set-standard"
    )
    router.register("responsibility/supporting-rules", SupportingRuleViewSet, basename="supporting-rule")
    router.register("responsibility/coverage", CoverageViewSet, basename="responsibility-coverage")
