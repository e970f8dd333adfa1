"""The breakdown over HTTP. Lists are scoped by authority.permissions; writes go through the
services (403 role, 404 scope, 409 state, 400 input)."""

from functools import cached_property

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from authority import permissions as authority_perms

from . import selectors, services
from .models import Breakdown, PostAssignment, PowerItem, ProcedureStep
from .serializers import (
    BreakdownEventSerializer,
    BreakdownSerializer,
    CertificateSerializer,
    CompletenessFindingSerializer,
    OfficerSerializer,
    PostSerializer,
    PowerInputSerializer,
    PowerSerializer,
    TrainingInputSerializer,
    TrainingSerializer,
    TransitionInputSerializer,
)


class BreakdownViewSet(ScopedObjectMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Breakdown versions in the caller's scope. POST starts the department's next version."""

    permission_classes = [Capability]
    capability = staticmethod(authority_perms.can_view_breakdowns)
    serializer_class = BreakdownSerializer
    filterset_fields = ["status", "department__code"]
    ordering = ["department__path", "-version"]

    def get_queryset(self):
        return authority_perms.breakdowns_visible_to(self.request.user).select_related("department").order_by(*self.ordering)

    @extend_schema(request=None, responses={201: BreakdownSerializer})
    def create(self, request, *args, **kwargs):
        department = perms.department_of(request.user)
        perms.require(request.user, department is not None and authority_perms.can_start_breakdown(request.user, department),
                      who=perms.Actor.DEPARTMENT_EDITOR)
        breakdown = services.breakdown_start(actor=request.user, department=department)
        return Response(BreakdownSerializer(breakdown).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionInputSerializer, responses={200: BreakdownSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        breakdown = self.get_object()
        body = TransitionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["transition"]
        kwargs = {"comment": body.validated_data["comment"]} if name in ("return", "approve") else {}
        updated = services.TRANSITION_SERVICES[name](actor=request.user, breakdown=breakdown, **kwargs)
        return Response(BreakdownSerializer(updated).data)

    @extend_schema(responses={200: BreakdownEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        breakdown = self.get_object()
        return Response(BreakdownEventSerializer(breakdown.events.select_related("actor"), many=True).data)

    @extend_schema(responses={200: CompletenessFindingSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def findings(self, request, pk=None):
        breakdown = self.get_object()
        return Response(CompletenessFindingSerializer(selectors.cached_findings_for(breakdown), many=True).data)


class PowerViewSet(ScopedObjectMixin, viewsets.ModelViewSet):
    """Powers of one breakdown version, under /api/authority/breakdowns/{breakdown_pk}/powers/."""

    permission_classes = [Capability]
    capability = staticmethod(authority_perms.can_view_breakdowns)
    serializer_class = PowerSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = []

    @cached_property
    def breakdown(self) -> Breakdown:
        visible = authority_perms.breakdowns_visible_to(self.request.user).select_related("department")
        return perms.get_visible_or_404(self.request.user, visible, pk=self.kwargs["breakdown_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PowerItem.objects.none()
        return self.breakdown.powers.select_related("kind", "enforcing_organ", "handling_agency").prefetch_related(
            "provisions__instrument",
            Prefetch("assignments", queryset=PostAssignment.objects.select_related("post")),
            Prefetch("steps", queryset=ProcedureStep.objects.select_related("stage").order_by("order")),
        )

    def _input(self) -> PowerInputSerializer:
        body = PowerInputSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body

    def _present(self, power, code=status.HTTP_200_OK) -> Response:
        return Response(PowerSerializer(self.get_queryset().get(pk=power.pk)).data, status=code)

    @extend_schema(request=PowerInputSerializer, responses={201: PowerSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input().power_data()
        power = services.power_create(actor=request.user, breakdown=self.breakdown, data=data)
        return self._present(power, status.HTTP_201_CREATED)

    @extend_schema(request=PowerInputSerializer, responses={200: PowerSerializer})
    def update(self, request, *args, **kwargs):
        power = self.get_object()
        data = self._input().power_data()
        return self._present(services.power_update(actor=request.user, power=power, data=data))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.power_delete(actor=request.user, power=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Capability]
    capability = staticmethod(authority_perms.can_view_breakdowns)
    serializer_class = PostSerializer

    def get_queryset(self):
        return authority_perms.posts_visible_to(self.request.user).select_related("agency").order_by("agency__path", "name")


class OfficerViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Capability]
    capability = staticmethod(authority_perms.can_view_breakdowns)
    serializer_class = OfficerSerializer

    def get_queryset(self):
        return authority_perms.officers_visible_to(self.request.user).select_related("department").order_by("department__path", "name", "id")

    @extend_schema(methods=["GET"], responses={200: TrainingSerializer(many=True)},
                   description="The officer's training, newest first, with the posts and kinds each covers.")
    @extend_schema(methods=["POST"], request=TrainingInputSerializer, responses={201: TrainingSerializer},
                   description="The department records a training with the posts or kinds of enforcement it covers.")
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def trainings(self, request, pk=None):
        officer = self.get_object()
        if request.method == "GET":
            records = officer.trainings.prefetch_related("posts", "kinds")
            return Response(TrainingSerializer(records, many=True).data)
        perms.require(request.user, authority_perms.can_manage_officers(request.user, officer.department), obj=officer,
                      who=perms.Actor.DEPARTMENT_EDITOR)
        body = TrainingInputSerializer(data=request.data, context={"officer": officer})
        body.is_valid(raise_exception=True)
        record = services.training_record(actor=request.user, officer=officer, **body.validated_data)
        return Response(TrainingSerializer(record).data, status=status.HTTP_201_CREATED)


class CertificateViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Capability]
    capability = staticmethod(authority_perms.can_view_breakdowns)
    serializer_class = CertificateSerializer

    def get_queryset(self):
        return (
            authority_perms.certificates_visible_to(self.request.user)
            .select_related("officer")
            .prefetch_related("kinds")
            .order_by("-valid_until", "number")
        )
