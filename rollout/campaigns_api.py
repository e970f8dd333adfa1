"""The campaign API: campaigns and their phases (the office opens and dates them), the
deliverables' statuses (read-only: computed from the records), spot checks. Scoped like the
pages: ``rollout.permissions``; 403 for a role, 404 outside the scope."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from toolkit.pagination import Pagination

from . import campaigns_services, checks_services
from . import permissions as rollout_perms
from .campaigns_serializers import (
    CampaignInputSerializer,
    CampaignSerializer,
    DeliverableRowSerializer,
    PhasesInputSerializer,
    SpotCheckInputSerializer,
    SpotCheckSerializer,
)
from .campaigns_status import Dates, Progress, State
from .models import Finding, SpotCheckTarget


class CampaignViewSet(ScopedObjectMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Campaigns of the office's government and those under it. POST opens this government's
    campaign (``phases``: [{number, due_at, starts_on}], an absent due_at inheriting the city's)."""

    permission_classes = [Capability]
    capability = staticmethod(rollout_perms.can_view_campaigns)
    serializer_class = CampaignSerializer
    filterset_fields = ["year"]

    def get_queryset(self):
        return rollout_perms.campaigns_visible_to(self.request.user).select_related("jurisdiction").prefetch_related("phases")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        campaigns = list(self.get_queryset()) if self.action == "list" else []
        if self.action in ("retrieve", "phases") and "pk" in self.kwargs:
            campaigns = list(self.get_queryset().filter(pk=self.kwargs["pk"]))
        dates = Dates(campaigns)
        context["dues"] = {c.pk: {n: dates.due(c.pk, n) for n in range(1, 5)} for c in campaigns}
        return context

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request, *args, **kwargs):
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        government = rollout_perms.office_government(request.user)
        campaign = campaigns_services.campaign_open(
            actor=request.user, jurisdiction=government, year=data.validated_data["year"],
            title=data.validated_data["title"], dues=data.dues(), starts=data.starts())
        self.kwargs["pk"] = campaign.pk
        self.action = "retrieve"
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PhasesInputSerializer, responses={200: CampaignSerializer})
    @action(detail=True, methods=["put"])
    def phases(self, request, pk=None):
        campaign = self.get_object()
        data = PhasesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaigns_services.campaign_phases_set(actor=request.user, campaign=campaign, dues=data.dues(), starts=data.starts())
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("phase", OpenApiTypes.INT, description="1–4"),
            OpenApiParameter("status", OpenApiTypes.STR, description=", ".join(State.values)),
            OpenApiParameter("q", OpenApiTypes.STR, description="organisation name or code contains"),
        ],
        responses={200: DeliverableRowSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliverables(self, request, pk=None):
        """Each organisation's deliverables with their computed status (read-only)."""
        campaign = self.get_object()
        try:
            phase = int(request.query_params["phase"]) if request.query_params.get("phase") else None
        except ValueError:
            phase = None
        wanted = request.query_params.get("status", "")
        rows = Progress(campaign).rows_filtered(
            phase=phase if phase in (1, 2, 3, 4) else None, status=wanted if wanted in State.values else "",
            q=request.query_params.get("q", ""))
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DeliverableRowSerializer(page, many=True, context={"phase": phase}).data)


class SpotCheckViewSet(ScopedObjectMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Spot checks of the visible campaigns, with the organisations drawn and their findings.
    POST draws (the campaign's own office only)."""

    permission_classes = [Capability]
    capability = staticmethod(rollout_perms.can_view_campaigns)
    serializer_class = SpotCheckSerializer
    filterset_fields = ["campaign"]

    def get_queryset(self):
        targets = SpotCheckTarget.objects.select_related("organisation").prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("pk")))
        return rollout_perms.spot_checks_visible_to(self.request.user).prefetch_related(Prefetch("targets", queryset=targets))

    @extend_schema(request=SpotCheckInputSerializer, responses={201: SpotCheckSerializer})
    def create(self, request, *args, **kwargs):
        data = SpotCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        campaign = perms.get_visible_or_404(request.user, rollout_perms.campaigns_visible_to(request.user), pk=values.pop("campaign"))
        spot_check = checks_services.spot_check_draw(actor=request.user, campaign=campaign, **values)
        return Response(SpotCheckSerializer(self.get_queryset().get(pk=spot_check.pk)).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("rollout/campaigns", CampaignViewSet, basename="rollout-campaign")
    router.register("rollout/spot-checks", SpotCheckViewSet, basename="rollout-spot-check")
