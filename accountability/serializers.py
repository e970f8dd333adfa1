from rest_framework import serializers

from .models import Case, CaseEvent, CasePerson, Measure


class CasePersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasePerson
        fields = ["id", "officer", "name", "part", "responsibility", "grounds"]


class MeasureSerializer(serializers.ModelSerializer):
    certificate_number = serializers.CharField(source="certificate.number", default=None, read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "person", "kind", "status", "until", "note", "certificate_number", "placement", "reinstated_on", "completed_on"]


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["from_status", "to_status", "comment", "actor", "occurred_at"]


class CaseSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "department_code", "department_name", "status", "source_kind", "act", "act_date",
            "registered_on", "decision_due", "extended_on", "decided_on", "notified_on", "appeal_until", "closed_on",
            "heavier", "cleared", "published",
        ]


class CaseDetailSerializer(CaseSerializer):
    persons = CasePersonSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + [
            "source_text", "reason", "decision_grounds", "mitigating", "mitigating_note", "remedy_text", "persons", "measures", "events",
        ]


class CaseTransitionInputSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=["register", "investigate", "propose", "notify", "close", "decline", "dismiss", "return"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
