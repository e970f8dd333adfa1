"""API shapes of responsibilities. Serializers validate and present; the services decide."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authority.models import Post, ProcedureStage
from organisations.models import Organisation
from workflow.review import Transition

from .models import (
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilityKind,
    ResponsibilitySet,
    ResponsibilitySetEvent,
    StandardBand,
    SupportingRule,
    SupportingRuleKind,
    SupportingRuleStatus,
)
from .services import BandData, ResponsibilityData, ResponsibilityError, RuleData, StandardData, check_document


def _enum(choices) -> dict:
    values = [value for value, _label in choices]
    return {"type": "string", "pattern": f"^({'|'.join(values)})$", "description": "One of: " + ", ".join(values)}


# ``status``, ``kind`` and ``level`` name other apps' choice sets too, and the schema's enum
# components are named by field: described by a pattern instead, these fields make no enum
# component whose name could collide (project settings are not this app's to change).
@extend_schema_field(_enum(SupportingRuleStatus.choices))
class RuleStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SupportingRuleStatus.choices, **kwargs)


@extend_schema_field(_enum(SupportingRuleKind.choices))
class RuleKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SupportingRuleKind.choices, **kwargs)


@extend_schema_field(_enum(HolderLevel.choices))
class LevelField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=HolderLevel.choices, **kwargs)


class ResponsibilitySetSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ResponsibilitySet
        fields = ["id", "department", "department_name", "version", "status", "based_on", "comment",
                  "submitted_at", "published_at", "needs_revision", "revision_reason", "created_at", "updated_at"]
        read_only_fields = fields


class ResponsibilitySetEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = ResponsibilitySetEvent
        fields = ["from_status", "to_status", "actor", "comment", "occurred_at"]


class SetTransitionInputSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=Transition.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ResponsibilitySerializer(serializers.ModelSerializer):
    level = LevelField(read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.CharField(source="agency.code", default=None, read_only=True)
    agency_name = serializers.CharField(source="agency.name", default=None, read_only=True)
    post_name = serializers.CharField(source="post.name", default=None, read_only=True)
    stage = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "position", "level", "agency", "agency_name", "post", "post_name", "kind", "power_code",
                  "stage", "content"]


class ResponsibilityInputSerializer(serializers.Serializer):
    """A responsibility as written: kind and stage by code, the agency by organisation code, the
    post by id."""

    level = LevelField(required=False, default=HolderLevel.DEPARTMENT)
    kind = serializers.SlugRelatedField(slug_field="code", queryset=ResponsibilityKind.objects.all())
    content = serializers.CharField()
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False, default=None
    )
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all(), allow_null=True, required=False, default=None)
    power_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    stage = serializers.SlugRelatedField(
        slug_field="code", queryset=ProcedureStage.objects.all(), allow_null=True, required=False, default=None
    )

    def responsibility_data(self) -> ResponsibilityData:
        return ResponsibilityData(**self.validated_data)


class BandSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardBand
        fields = ["order", "label", "circumstances", "measure"]


class StandardSerializer(serializers.ModelSerializer):
    bands = BandSerializer(many=True, read_only=True)

    class Meta:
        model = EnforcementStandard
        fields = ["id", "position", "power_code", "title", "note", "bands"]


class BandInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    label = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    circumstances = serializers.CharField(allow_blank=True)
    measure = serializers.CharField(allow_blank=True)


class StandardInputSerializer(serializers.Serializer):
    """A standard with its bands, written as a whole (the bands replace the previous ones)."""

    power_code = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    bands = BandInputSerializer(many=True)

    def standard_data(self) -> StandardData:
        data = dict(self.validated_data)
        bands = [BandData(**band) for band in data.pop("bands")]
        return StandardData(bands=bands, **data)


class SupportingRuleSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    kind = RuleKindField(read_only=True)
    status = RuleStatusField(read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = SupportingRule
        fields = ["id", "department", "department_name", "kind", "title", "document_number", "adopted_on", "status",
                  "has_document", "note", "updated_at"]

    def get_has_document(self, rule) -> bool:
        return bool(rule.document)


class SupportingRuleInputSerializer(serializers.Serializer):
    """A rule of the caller's department. Sent as JSON, or as multipart/form-data with the
    document; without a document the current one (if any) is kept."""

    kind = RuleKindField()
    title = serializers.CharField(max_length=300)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    adopted_on = serializers.DateField()
    status = RuleStatusField(required=False, default=SupportingRuleStatus.IN_FORCE)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="PDF, DOCX, ODT or OFD, at most 20 MB (multipart/form-data)."
    )

    def validate_document(self, value):
        # The same check as the back office's form, reported against the field (400).
        if value is not None:
            try:
                check_document(value)
            except ResponsibilityError as error:
                raise serializers.ValidationError(str(error)) from error
        return value

    def rule_data(self) -> RuleData:
        return RuleData(**self.validated_data)


class RuleStatusInputSerializer(serializers.Serializer):
    status = RuleStatusField()


class CoverageRowSerializer(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    government = serializers.CharField(source="department.jurisdiction.code", default=None)
    in_force = serializers.SerializerMethodField()
    missing = serializers.ListField(child=serializers.CharField())

    def get_in_force(self, row) -> list[str]:
        return [value for value, _label, present in row.cells if present]
