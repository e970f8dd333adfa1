from rest_framework import serializers

from .models import BasisCatalogue, CatalogueEntry, LegalInstrument, Provision


class ProvisionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="Chinese label, e.g. 第十二条第二款.")

    class Meta:
        model = Provision
        fields = ["id", "article", "paragraph", "item", "label"]


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalInstrument
        fields = [
            "id", "code", "name", "level", "issuing_organ", "document_number",
            "promulgated_on", "effective_on", "status", "source",
        ]


class EntrySerializer(serializers.ModelSerializer):
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    provisions = ProvisionSerializer(many=True, read_only=True)

    class Meta:
        model = CatalogueEntry
        fields = [
            "id", "position", "instrument", "instrument_name", "provisions", "category",
            "lead_department", "joint_departments", "assisting_departments",
            "rights_and_duties", "subject_kind", "principal",
        ]


class CatalogueSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = BasisCatalogue
        fields = [
            "id", "department", "department_name", "version", "status", "based_on", "comment",
            "submitted_at", "is_late", "published_at", "needs_revision", "revision_reason",
        ]


class CatalogueDetailSerializer(CatalogueSerializer):
    entries = EntrySerializer(many=True, read_only=True)

    class Meta(CatalogueSerializer.Meta):
        fields = [*CatalogueSerializer.Meta.fields, "entries"]


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Required to return a catalogue.")
