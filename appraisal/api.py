"""The appraisal API (issue 15): schemes, rounds with their results and drill-down, objections
and their answers, case-file reviews and outcomes, and the public's finalised rounds.

Scoped exactly like the pages: the same ``appraisal.permissions`` (403 for a role that has no
appraisal, 404 outside the caller's scope, both on the audit trail) and the same services for
the two writes (an objection, the office's answer)."""

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from toolkit.pagination import KeysetPagination, Pagination

from . import permissions as appraisal_perms
from . import selectors, services
from .models import DepartmentResult, IndicatorScore, Objection, ObjectionStatus, OfficerResult, RoundStatus
from .serializers import (
    AnswerInputSerializer,
    DrilldownSerializer,
    FileReviewSerializer,
    ObjectionInputSerializer,
    ObjectionSerializer,
    OutcomeSerializer,
    PublicRoundSerializer,
    ResultSerializer,
    RoundDetailSerializer,
    RoundSerializer,
    SchemeDetailSerializer,
    SchemeSerializer,
)
from .services import AppraisalError


class _AppraisalView(ScopedObjectMixin):
    permission_classes = [Capability]
    capability = staticmethod(appraisal_perms.can_view_appraisal)


class SchemeViewSet(_AppraisalView, viewsets.ReadOnlyModelViewSet):
    """The schemes of the office's jurisdiction (and those under it); a department reads its own
    jurisdiction's. The detail carries the indicators; the grade thresholds are its fields."""

    filterset_fields = ["year"]

    def get_queryset(self):
        visible = appraisal_perms.schemes_visible_to(self.request.user).select_related("jurisdiction").order_by("-year", "-version", "-id")
        return visible if self.action == "list" else visible.prefetch_related("indicators")

    def get_serializer_class(self):
        return SchemeSerializer if self.action == "list" else SchemeDetailSerializer


def _scores_by_department(round_, results) -> dict[int, list[IndicatorScore]]:
    """The indicator scores of a page of results, in one query."""
    grouped: dict[int, list[IndicatorScore]] = {}
    scores = (
        IndicatorScore.objects.filter(round=round_, department_id__in=[r.department_id for r in results])
        .select_related("indicator").order_by("indicator__position", "indicator__id")
    )
    for score in scores:
        grouped.setdefault(score.department_id, []).append(score)
    return grouped


class RoundViewSet(_AppraisalView, viewsets.ReadOnlyModelViewSet):
    """Rounds: the office sees every round of its schemes, a department the computed and
    finalised ones. ``results``: the office every department's, a department its own (as on the
    round's page)."""

    filterset_fields = ["status", "scheme"]

    def get_queryset(self):
        return appraisal_perms.rounds_visible_to(self.request.user).select_related("scheme__jurisdiction").order_by("-created_at", "-id")

    def get_serializer_class(self):
        return RoundSerializer if self.action == "list" else RoundDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        round_ = self.get_object()
        user = request.user
        can_decide = appraisal_perms.can_decide_round(user, round_)
        context = self.get_serializer_context()
        context["officer_grades"] = (
            selectors.officer_grade_counts(round_) if can_decide or round_.status == RoundStatus.FINALISED else []
        )
        context["open_objections"] = Objection.objects.filter(
            result__in=appraisal_perms.results_visible_to(user), result__round=round_, status=ObjectionStatus.OPEN
        ).count()
        return Response(RoundDetailSerializer(round_, context=context).data)

    def _results(self, round_):
        visible = selectors.results_table(round_)
        if not appraisal_perms.can_decide_round(self.request.user, round_):
            visible = visible.filter(pk__in=appraisal_perms.results_visible_to(self.request.user))
        return visible

    @extend_schema(responses={200: ResultSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=Pagination)
    def results(self, request, pk=None):
        """The departments' results: total, grade, rank and the score of every indicator."""
        round_ = self.get_object()
        page = self.paginate_queryset(self._results(round_))
        return self.get_paginated_response(ResultSerializer(page, many=True, context={"scores": _scores_by_department(round_, page)}).data)

    @extend_schema(responses={200: DrilldownSerializer},
                   parameters=[OpenApiParameter("department_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="the department's id")])
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None,
            url_path=r"results/(?P<department_id>[0-9]+)/drilldown")
    def drilldown(self, request, pk=None, department_id=None):
        """One department's result with the records behind each indicator."""
        round_ = self.get_object()
        result = perms.get_visible_or_404(
            request.user, appraisal_perms.results_visible_to(request.user).select_related("department", "group"),
            round_id=round_.pk, department_id=department_id,
        )
        scores = {result.department_id: list(selectors.result_scores(result))}
        return Response(DrilldownSerializer(result, context={"scores": scores}).data)


class ObjectionViewSet(_AppraisalView, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A round's objections on the results the caller sees. POST: a department's editor objects
    to its draft result (within the objection period); ``answer``: the office answers, with an
    optional adjusted score of the indicator objected to."""

    serializer_class = ObjectionSerializer
    filterset_fields = ["status"]

    def _round(self):
        return perms.get_visible_or_404(
            self.request.user, appraisal_perms.rounds_visible_to(self.request.user).select_related("scheme__jurisdiction"),
            pk=self.kwargs["round_pk"],
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Objection.objects.none()
        return (
            Objection.objects.filter(result__in=appraisal_perms.results_visible_to(self.request.user), result__round_id=self.kwargs["round_pk"])
            .select_related("result", "score__indicator", "raised_by", "answered_by").order_by("raised_at", "id")
        )

    def list(self, request, *args, **kwargs):
        self._round()
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ObjectionInputSerializer, responses={201: ObjectionSerializer, 400: OpenApiResponse(description="bad input, by field")})
    def create(self, request, *args, **kwargs):
        round_ = self._round()
        user = request.user
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = data.validated_data.get("department") or getattr(perms.department_of(user), "pk", None)
        perms.require(user, department is not None, who=perms.Actor.DEPARTMENT_EDITOR)
        result = perms.get_visible_or_404(
            user, appraisal_perms.results_visible_to(user).select_related("round"), round_id=round_.pk, department_id=department
        )
        perms.require(user, appraisal_perms.can_object(user, result), obj=result, who=perms.Actor.DEPARTMENT_EDITOR)
        score = None
        if data.validated_data.get("score"):
            score = IndicatorScore.objects.filter(
                round=round_, department_id=result.department_id, pk=data.validated_data["score"]
            ).first()
            if score is None:
                raise ValidationError({"score": [_("Choose one of your department's indicators.")]})
        try:
            objection = services.objection_raise(actor=user, result=result, score=score, text=data.validated_data["text"])
        except AppraisalError as error:
            # As on the result's page: the refusal is shown on the form, nothing saved.
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(error)]}) from None
        return Response(ObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerInputSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, round_pk=None, pk=None):
        objection = self.get_object()
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.objection_answer(actor=request.user, objection=objection, answer=data.validated_data["answer"],
                                  adjusted=data.validated_data.get("adjusted"))
        return Response(ObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data)


class CaseFileViewSet(_AppraisalView, viewsets.ReadOnlyModelViewSet):
    """Case-file reviews (案卷评查): the office its jurisdiction's, a department its own files,
    a reviewer the files assigned to them."""

    serializer_class = FileReviewSerializer
    filterset_fields = ["status", "draw"]

    def get_queryset(self):
        return (
            appraisal_perms.reviews_visible_to(self.request.user)
            .select_related("draw", "case_file", "department", "reviewer").order_by("-draw_id", "department__path", "case_file__number", "id")
        )


class OutcomeViewSet(_AppraisalView, viewsets.ReadOnlyModelViewSet):
    """Reconsideration and litigation outcomes in the caller's scope."""

    serializer_class = OutcomeSerializer
    filterset_fields = ["proceeding", "outcome", "department"]

    def get_queryset(self):
        return appraisal_perms.outcomes_visible_to(self.request.user).select_related("department", "power_kind").order_by("-decided_on", "id")


def _officer_counts(rounds) -> dict[int, dict[str, int]]:
    """Officers per grade of rounds computed before the counts were kept on the round, in one
    query."""
    missing = [r.pk for r in rounds if not r.officer_grades]
    counts: dict[int, dict[str, int]] = {}
    if missing:
        rows = OfficerResult.objects.filter(round_id__in=missing).values_list("round_id", "grade").annotate(n=Count("id"))
        for round_id, grade, n in rows:
            counts.setdefault(round_id, {})[grade] = n
    return counts


@extend_schema_view(
    list=extend_schema(description="Finalised appraisal rounds with every department's result; officers only as counts per grade. "
                                   "No login needed. Pages by cursor: follow next until it is null."),
)
class PublicRoundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = KeysetPagination
    serializer_class = PublicRoundSerializer
    filter_backends = []

    def get_queryset(self):
        results = DepartmentResult.objects.select_related("department").order_by("rank", "department__path")
        return selectors.published_rounds().prefetch_related(Prefetch("department_results", queryset=results))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "officer_grades": _officer_counts(page)}
        return self.get_paginated_response(PublicRoundSerializer(page, many=True, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        round_ = self.get_object()
        context = {**self.get_serializer_context(), "officer_grades": _officer_counts([round_])}
        return Response(PublicRoundSerializer(round_, context=context).data)


def register(router) -> None:
    router.register("appraisal/schemes", SchemeViewSet, basename="appraisal-scheme")
    router.register("appraisal/rounds", RoundViewSet, basename="appraisal-round")
    router.register(r"appraisal/rounds/(?P<round_pk>[0-9]+)/objections", ObjectionViewSet, basename="appraisal-objection")
    router.register("appraisal/case-files", CaseFileViewSet, basename="appraisal-case-file")
    router.register("appraisal/outcomes", OutcomeViewSet, basename="appraisal-outcome")
    router.register("public/appraisal/rounds", PublicRoundViewSet, basename="public-appraisal-round")
