"""API shapes of the breakdown. Serializers validate and present; the services decide."""

from rest_framework import serializers

from basis.models import Provision
from organisations.models import Organisation
from workflow.review import Transition

from .models import (
    Breakdown,
    BreakdownEvent,
    Certificate,
    Officer,
    Post,
    PostAssignment,
    PowerItem,
    PowerKind,
    ProcedureStep,
    TrainingKind,
    TrainingRecord,
)
from .services import PowerData


class BreakdownSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Breakdown
        fields = ["id", "department", "department_name", "version", "status", "based_on", "comment",
                  "submitted_at", "published_at", "needs_revision", "revision_reason", "created_at", "updated_at"]
        read_only_fields = fields


class BreakdownEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = BreakdownEvent
        fields = ["from_status", "to_status", "actor", "comment", "occurred_at"]


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=Transition.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProvisionRefSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_name = serializers.CharField(source="instrument.name")

    class Meta:
        model = Provision
        fields = ["id", "instrument", "instrument_name", "label"]


class AssignmentSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True)

    class Meta:
        model = PostAssignment
        fields = ["id", "post", "post_name", "role"]


class StepSerializer(serializers.ModelSerializer):
    stage = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProcedureStep
        fields = ["order", "stage", "post", "duty", "time_limit", "time_unit"]


class PowerSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    enforcing_organ = serializers.CharField(source="enforcing_organ.code", read_only=True)
    handling_agency = serializers.CharField(source="handling_agency.code", default=None, read_only=True)
    provisions = ProvisionRefSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = PowerItem
        fields = ["id", "position", "code", "name", "kind", "enforcing_organ", "provisions", "handling_agency",
                  "forwards_only", "accountability_grounds", "assignments", "steps"]


class PowerInputSerializer(serializers.Serializer):
    """A power as written: kind by code, organisations by code, provisions by id."""

    name = serializers.CharField(max_length=300)
    code = serializers.CharField(max_length=64)
    kind = serializers.SlugRelatedField(slug_field="code", queryset=PowerKind.objects.all())
    enforcing_organ = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    provisions = serializers.PrimaryKeyRelatedField(many=True, queryset=Provision.objects.all())
    handling_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False, default=None
    )
    forwards_only = serializers.BooleanField(required=False, default=False)
    accountability_grounds = serializers.CharField(required=False, allow_blank=True, default="")

    def power_data(self) -> PowerData:
        return PowerData(**self.validated_data)


class PostSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "agency", "agency_name", "name", "positions"]


class OfficerSerializer(serializers.ModelSerializer):
    """No ID number: it is kept for the office's identification only."""

    department = serializers.CharField(source="department.code", read_only=True)

    class Meta:
        model = Officer
        fields = ["id", "department", "name", "gender", "is_active"]


class TrainingSerializer(serializers.ModelSerializer):
    posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = TrainingRecord
        fields = ["id", "kind", "hours", "completed_on", "note", "posts", "kinds"]


class TrainingInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    completed_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    posts = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Post.objects.none(),
        help_text="Posts of the officer's department the training prepared for; it covers their powers' kinds.",
    )
    kinds = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=PowerKind.objects.all(),
        help_text="Kinds of enforcement the training covers. Name posts, kinds or both.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        officer = self.context.get("officer")
        if officer is not None:
            self.fields["posts"].child_relation.queryset = Post.objects.filter(
                agency__path__startswith=officer.department.path
            )


class CertificateSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    current_status = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "number", "officer", "officer_name", "issuing_government", "area", "kinds",
                  "valid_from", "valid_until", "status", "current_status", "reason"]

    def get_current_status(self, certificate) -> str:
        return certificate.current_status()


class CompletenessFindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    department = serializers.CharField()
    message = serializers.CharField()
    url = serializers.CharField()
