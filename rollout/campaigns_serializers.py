"""API shapes of campaigns, phases, deliverable statuses and spot checks. Status fields are
plain strings (documented by pattern), so the schema makes no enum component whose name could
collide with another app's ``status``."""

from rest_framework import serializers

from .models import Campaign, Finding, Phase, PhaseNumber, SpotCheck, SpotCheckTarget


class PhaseSerializer(serializers.ModelSerializer):
    effective_due_at = serializers.SerializerMethodField()

    class Meta:
        model = Phase
        fields = ["number", "starts_on", "due_at", "effective_due_at"]

    def get_effective_due_at(self, phase) -> str | None:
        dues = self.context.get("dues", {}).get(phase.campaign_id, {})
        due = dues.get(phase.number)
        return serializers.DateTimeField().to_representation(due) if due else None


class CampaignSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "jurisdiction", "year", "title", "parent", "created_at", "phases"]


class PhaseInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=4)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    starts_on = serializers.DateField(required=False, allow_null=True)


class PhasesInputSerializer(serializers.Serializer):
    phases = PhaseInputSerializer(many=True)

    def dues(self) -> dict:
        given = {p["number"]: p.get("due_at") for p in self.validated_data["phases"]}
        return {n: given.get(n) for n in PhaseNumber.values}

    def starts(self) -> dict:
        given = {p["number"]: p.get("starts_on") for p in self.validated_data["phases"]}
        return {n: given.get(n) for n in PhaseNumber.values}


class CampaignInputSerializer(PhasesInputSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)


class ItemSerializer(serializers.Serializer):
    deliverable = serializers.CharField()
    phase = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="not_started, in_progress, submitted, done or late")
    delivered_at = serializers.DateTimeField(allow_null=True)
    delivered_late = serializers.BooleanField()


class DeliverableRowSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    campaign = serializers.IntegerField(source="campaign.pk")
    status = serializers.SerializerMethodField(help_text="The organisation's status over the phase asked (or all).")
    items = serializers.SerializerMethodField()

    def get_status(self, row) -> str:
        return row.status(self.context.get("phase"))

    def get_items(self, row) -> list[dict]:
        phase = self.context.get("phase")
        return ItemSerializer([i for i in row.items if phase is None or i.phase == phase], many=True).data


class FindingSerializer(serializers.ModelSerializer):
    serious = serializers.BooleanField(source="is_serious", read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "kind", "serious", "description", "rectification", "due_at", "status", "report", "reported_at", "done_at"]


class TargetSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = SpotCheckTarget
        fields = ["position", "organisation", "inspected_on", "findings"]


class SpotCheckSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = SpotCheck
        fields = ["id", "campaign", "title", "seed", "share_percent", "exclude_last_round", "late_weight",
                  "drawn", "excluded", "drawn_at", "targets"]
        read_only_fields = fields


class SpotCheckInputSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    share_percent = serializers.IntegerField(min_value=1, max_value=100)
    exclude_last_round = serializers.BooleanField(default=False)
    late_weight = serializers.IntegerField(min_value=1, max_value=10, default=1)
    seed = serializers.IntegerField(min_value=0, max_value=2**62, required=False, allow_null=True)
