from rest_framework import serializers

from .models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True, help_text="Id of the parent organisation."
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "office_function",
            "subject_kind",
            "principal",
            "stationed_provincial",
            "vertically_managed",
            "dual_managed",
            "complaint_phone",
            "supervision_phone",
            "jurisdiction",
            "parent",
            "depth",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["id", "code", "kind", "jurisdiction", "parent", "depth", "updated_at"]
