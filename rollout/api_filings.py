"""The API of plans, working teams, phase summaries and problems. Lists are scoped by
``permissions_filings``; writes go through the services (403 role, 404 scope, 409 state,
400 input by field)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.api_permissions import Capability, ScopedObjectMixin
from organisations.models import Organisation

from . import permissions_filings as filing_perms
from . import selectors_filings as selectors
from . import services_filings as services
from .diff_plans import plan_diff
from .models import PLAN_PARTS, Phase, PhaseSummary, PlanRevision, SummaryProblem, TeamBody, TeamMember, TeamRole
from .workflow_filings import PLAN, SUMMARY, PlanTransition, SummaryTransition

_PART_NAMES = [name for name, _label in PLAN_PARTS]


class PlanRevisionSerializer(serializers.ModelSerializer):
    covered = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    has_document = serializers.SerializerMethodField()
    has_superior_document = serializers.SerializerMethodField()

    class Meta:
        model = PlanRevision
        fields = ["number", *_PART_NAMES, "revision_notes", "superior_title", "superior_issuer", "covered",
                  "document_name", "superior_document_name", "has_document", "has_superior_document", "filed_at", "created_at"]

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)

    def get_has_superior_document(self, obj) -> bool:
        return bool(obj.superior_document)


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    campaign = serializers.IntegerField(source="campaign_id")
    status = serializers.CharField()
    kind = serializers.CharField()
    form = serializers.CharField()
    comment = serializers.CharField()
    filed_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()


class PlanOpenSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())


class PlanWriteSerializer(serializers.Serializer):
    guiding_ideas = serializers.CharField(required=False, allow_blank=True, default="")
    goals_and_tasks = serializers.CharField(required=False, allow_blank=True, default="")
    organisation_and_leadership = serializers.CharField(required=False, allow_blank=True, default="")
    steps = serializers.CharField(required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    time_requirements = serializers.CharField(required=False, allow_blank=True, default="")
    revision_notes = serializers.CharField(required=False, allow_blank=True, default="")
    superior_title = serializers.CharField(required=False, allow_blank=True, default="")
    superior_issuer = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(required=False, allow_null=True, default=None)
    superior_document = serializers.FileField(required=False, allow_null=True, default=None)
    covered = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class FilingTransitionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    """Plans in the caller's scope. POST opens the plan of an organisation the caller files for,
    ``revision`` (PUT) writes its working revision, ``transition`` files, acknowledges, returns
    or reopens it, ``revisions`` lists every revision and ``diff`` compares two."""

    permission_classes = [Capability]
    capability = staticmethod(filing_perms.can_view_filings)
    serializer_class = PlanSerializer
    filterset_fields = ["status", "kind", "form"]
    ordering = ["organisation__path"]

    def get_queryset(self):
        return filing_perms.plans_visible_to(self.request.user).select_related("organisation", "campaign__jurisdiction").order_by(*self.ordering)

    @extend_schema(request=PlanOpenSerializer, responses={201: PlanSerializer})
    def create(self, request, *args, **kwargs):
        body = PlanOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = perms.get_visible_or_404(request.user, filing_perms.filers_visible_to(request.user),
                                                pk=body.validated_data["organisation"].pk)
        perms.require(request.user, filing_perms.can_file_for(request.user, organisation), obj=organisation,
                      who=perms.Actor.DEPARTMENT_EDITOR)
        campaign = selectors.current_campaign_for(organisation)
        if campaign is None:
            return Response({"detail": "No campaign."}, status=status.HTTP_409_CONFLICT)
        plan = services.plan_open(actor=request.user, organisation=organisation, campaign=campaign)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses={200: PlanRevisionSerializer})
    @action(detail=True, methods=["put"])
    def revision(self, request, pk=None):
        plan = self.get_object()
        perms.require(request.user, filing_perms.can_edit_plan(request.user, plan), obj=plan, who=perms.Actor.DEPARTMENT_EDITOR)
        body = PlanWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = services.plan_save(actor=request.user, plan=plan, data=services.PlanData(**body.validated_data))
        return Response(PlanRevisionSerializer(revision).data)

    @extend_schema(request=FilingTransitionSerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        plan = self.get_object()
        body = FilingTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["transition"]
        if name not in services.PLAN_SERVICES:
            raise serializers.ValidationError({"transition": [f"one of {', '.join(PlanTransition.values)}"]})
        perms.require(request.user, PLAN.may(name, request.user, plan), obj=plan)
        kwargs = {"comment": body.validated_data["comment"]} if name in (PlanTransition.ACKNOWLEDGE, PlanTransition.RETURN) else {}
        return Response(PlanSerializer(services.PLAN_SERVICES[name](actor=request.user, plan=plan, **kwargs)).data)

    @extend_schema(responses={200: PlanRevisionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def revisions(self, request, pk=None):
        return Response(PlanRevisionSerializer(selectors.revisions_of(self.get_object()), many=True).data)

    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        plan = self.get_object()
        revisions = {str(r.number): r for r in plan.revisions.prefetch_related("covered")}
        old, new = revisions.get(request.query_params.get("old", "")), revisions.get(request.query_params.get("new", ""))
        if old is None or new is None:
            return Response({"detail": "Give two revision numbers: ?old=&new="}, status=status.HTTP_400_BAD_REQUEST)
        diff = plan_diff(old, new)
        return Response({
            "old": old.number, "new": new.number,
            "changed": [{"part": c.change.field, "label": c.change.label, "old": c.change.old, "new": c.change.new} for c in diff.changed],
            "unchanged": diff.unchanged,
        })


class SummarySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    phase_number = serializers.IntegerField(source="phase.number", read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = PhaseSummary
        fields = ["id", "organisation", "phase", "phase_number", "status", "text", "document_name", "comment",
                  "submitted_at", "reviewed_at", "problems"]

    def get_problems(self, obj) -> list[dict]:
        return [{"id": p.pk, "text": p.text, "raised_at": p.raised_at, "answer": p.answer, "answered_at": p.answered_at}
                for p in obj.problems.all()]


class SummaryWriteSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    phase = serializers.PrimaryKeyRelatedField(queryset=Phase.objects.select_related("campaign__jurisdiction"))
    text = serializers.CharField(allow_blank=True)
    document = serializers.FileField(required=False, allow_null=True, default=None)
    problems = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class SummaryViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    """Phase summaries in the caller's scope. POST writes an organisation's summary of a phase
    (made on first write); ``transition`` submits, accepts or returns it."""

    permission_classes = [Capability]
    capability = staticmethod(filing_perms.can_view_filings)
    serializer_class = SummarySerializer
    filterset_fields = ["status", "phase"]

    def get_queryset(self):
        return filing_perms.summaries_visible_to(self.request.user).select_related("organisation", "phase").prefetch_related(
            "problems").order_by("phase__campaign__year", "phase__number", "organisation__path")

    @extend_schema(request=SummaryWriteSerializer, responses={200: SummarySerializer})
    def create(self, request, *args, **kwargs):
        body = SummaryWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        organisation = perms.get_visible_or_404(request.user, filing_perms.filers_visible_to(request.user), pk=data["organisation"].pk)
        summary = services.summary_save(
            actor=request.user, organisation=organisation, phase=data["phase"],
            data=services.SummaryData(text=data["text"], document=data["document"], problems=data["problems"]),
        )
        return Response(SummarySerializer(summary).data, status=status.HTTP_200_OK)

    @extend_schema(request=FilingTransitionSerializer, responses={200: SummarySerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        summary = self.get_object()
        body = FilingTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["transition"]
        if name not in services.SUMMARY_SERVICES:
            raise serializers.ValidationError({"transition": [f"one of {', '.join(SummaryTransition.values)}"]})
        perms.require(request.user, SUMMARY.may(name, request.user, summary), obj=summary)
        kwargs = {"comment": body.validated_data["comment"]} if name != SummaryTransition.SUBMIT else {}
        return Response(SummarySerializer(services.SUMMARY_SERVICES[name](actor=request.user, summary=summary, **kwargs)).data)


class ProblemSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="summary.organisation.code", read_only=True)
    phase_number = serializers.IntegerField(source="summary.phase.number", read_only=True)

    class Meta:
        model = SummaryProblem
        fields = ["id", "summary", "organisation", "phase_number", "text", "raised_at", "answer", "answered_at"]


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


class ProblemViewSet(ScopedObjectMixin, viewsets.ReadOnlyModelViewSet):
    """Problems raised in summaries the caller sees (``?open=1`` for the open ones, oldest
    first); ``answer`` closes one."""

    permission_classes = [Capability]
    capability = staticmethod(filing_perms.can_view_filings)
    serializer_class = ProblemSerializer
    filter_backends = []

    def get_queryset(self):
        queryset = filing_perms.problems_visible_to(self.request.user).select_related(
            "summary__organisation", "summary__phase").order_by("raised_at", "id")
        if self.request.query_params.get("open") in ("1", "true"):
            queryset = queryset.filter(answered_at__isnull=True)
        return queryset

    @extend_schema(request=AnswerSerializer, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        problem = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(ProblemSerializer(services.problem_answer(actor=request.user, problem=problem,
                                                                  answer=body.validated_data["answer"])).data)


class TeamMemberSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="team.organisation.code", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "organisation", "name", "body", "role", "position", "phone", "order"]


class TeamMemberWriteSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all(), required=False)
    name = serializers.CharField(allow_blank=True)
    body = serializers.ChoiceField(choices=TeamBody.choices)
    role = serializers.ChoiceField(choices=TeamRole.choices)
    position = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    order = serializers.IntegerField(required=False, min_value=0, default=0)

    def member_data(self) -> services.MemberData:
        data = dict(self.validated_data)
        data.pop("organisation", None)
        return services.MemberData(**data)


class TeamMemberViewSet(ScopedObjectMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Members of the leading groups and working bodies in the caller's scope (``?organisation=``
    a code); the organisation's filer adds, changes and removes them."""

    permission_classes = [Capability]
    capability = staticmethod(filing_perms.can_view_filings)
    serializer_class = TeamMemberSerializer
    filter_backends = []

    def get_queryset(self):
        queryset = filing_perms.team_members_visible_to(self.request.user).select_related("team__organisation").order_by(
            "team__organisation__path", "body", "order", "id")
        code = self.request.query_params.get("organisation")
        return queryset.filter(team__organisation__code=code) if code else queryset

    @extend_schema(request=TeamMemberWriteSerializer, responses={201: TeamMemberSerializer})
    def create(self, request, *args, **kwargs):
        body = TeamMemberWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "organisation" not in body.validated_data:
            raise serializers.ValidationError({"organisation": ["required"]})
        organisation = perms.get_visible_or_404(request.user, filing_perms.filers_visible_to(request.user),
                                                pk=body.validated_data["organisation"].pk)
        member = services.team_member_add(actor=request.user, organisation=organisation, data=body.member_data())
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamMemberWriteSerializer, responses={200: TeamMemberSerializer})
    def update(self, request, *args, **kwargs):
        member = self.get_object()
        body = TeamMemberWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(TeamMemberSerializer(services.team_member_update(actor=request.user, member=member, data=body.member_data())).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.team_member_remove(actor=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("rollout/plans", PlanViewSet, basename="rollout-plan")
    router.register("rollout/summaries", SummaryViewSet, basename="rollout-summary")
    router.register("rollout/problems", ProblemViewSet, basename="rollout-problem")
    router.register("rollout/team-members", TeamMemberViewSet, basename="rollout-team-member")
