"""What the appraisal API shows, and the input of its two writes (an objection, its answer).
Read-only otherwise: schemes, rounds and the records are changed on the pages."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    HUNDRED,
    CaseOutcome,
    DepartmentResult,
    FileReview,
    Grade,
    IndicatorScore,
    Objection,
    Round,
    Scheme,
    SchemeIndicator,
)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeIndicator
        fields = ["id", "code", "target", "name", "source", "weight", "rule", "params", "position"]


class SchemeSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id", "jurisdiction", "jurisdiction_code", "jurisdiction_name", "year", "version", "title",
            "excellent_from", "good_from", "pass_from", "basic_pass_from", "objection_days", "reversal_rate_threshold",
            "created_at",
        ]


class SchemeDetailSerializer(SchemeSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta(SchemeSerializer.Meta):
        fields = SchemeSerializer.Meta.fields + ["indicators"]


class GradeCountSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    count = serializers.IntegerField()


class RoundSerializer(serializers.ModelSerializer):
    scheme_title = serializers.CharField(source="scheme.title", read_only=True)
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    jurisdiction_code = serializers.CharField(source="scheme.jurisdiction.code", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id", "scheme", "scheme_title", "year", "jurisdiction_code", "cut_off", "status", "progress", "computed_at",
            "objections_until", "finalised_at", "created_at",
        ]


class RoundDetailSerializer(RoundSerializer):
    officer_grades = serializers.SerializerMethodField()
    open_objections = serializers.SerializerMethodField()

    class Meta(RoundSerializer.Meta):
        fields = RoundSerializer.Meta.fields + ["error", "officer_grades", "open_objections"]

    @extend_schema_field(GradeCountSerializer(many=True))
    def get_officer_grades(self, round_):
        """Officers per grade: to the office, and to anyone once the round is finalised (as on
        the round's page); empty otherwise."""
        return GradeCountSerializer(self.context.get("officer_grades") or [], many=True).data

    def get_open_objections(self, round_) -> int:
        return self.context.get("open_objections", 0)


class ScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2, read_only=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = IndicatorScore
        fields = ["id", "indicator", "indicator_code", "indicator_name", "weight", "value", "computed", "adjusted", "adjust_reason", "score"]


class DrilldownScoreSerializer(ScoreSerializer):
    """An indicator's score with the records behind it: [{"model", "id", "label", "ok", "note"}]."""

    records = serializers.JSONField(source="detail", read_only=True)

    class Meta(ScoreSerializer.Meta):
        fields = ScoreSerializer.Meta.fields + ["records"]


class ResultSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    group_name = serializers.CharField(source="group.name", default=None, read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentResult
        fields = [
            "id", "department", "department_code", "department_name", "total", "grade", "rank", "group_name", "group_rank",
            "reversal_rate", "scores",
        ]

    @extend_schema_field(ScoreSerializer(many=True))
    def get_scores(self, result):
        return ScoreSerializer(self.context.get("scores", {}).get(result.department_id, []), many=True).data


class DrilldownSerializer(ResultSerializer):
    @extend_schema_field(DrilldownScoreSerializer(many=True))
    def get_scores(self, result):
        return DrilldownScoreSerializer(self.context.get("scores", {}).get(result.department_id, []), many=True).data


class ObjectionSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="result.department_id", read_only=True)
    indicator_code = serializers.CharField(source="score.indicator.code", default=None, read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", default=None, read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "result", "department", "score", "indicator_code", "text", "status", "raised_by", "raised_at",
                  "answer", "answered_by", "answered_at"]


class ObjectionInputSerializer(serializers.Serializer):
    """``department``: whose result (blank: the caller's own department); ``score``: the id of one
    of that result's indicator scores (blank: the result as a whole)."""

    department = serializers.IntegerField(required=False, min_value=1)
    score = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    text = serializers.CharField(max_length=5000, error_messages={
        "blank": _("Say what you object to and why."), "required": _("Say what you object to and why.")})


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000, error_messages={"blank": _("Write the answer."), "required": _("Write the answer.")})
    adjusted = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                        min_value=Decimal("0"), max_value=HUNDRED)


class FileReviewSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="draw.year", read_only=True)
    number = serializers.CharField(source="case_file.number", read_only=True)
    title = serializers.CharField(source="case_file.title", read_only=True)
    case_kind = serializers.CharField(source="case_file.case_kind", read_only=True)
    decided_on = serializers.DateField(source="case_file.decided_on", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    reviewer = serializers.CharField(source="reviewer.username", default=None, read_only=True)

    class Meta:
        model = FileReview
        fields = ["id", "draw", "year", "case_file", "number", "title", "case_kind", "decided_on", "department", "department_code",
                  "department_name", "reviewer", "status", "score", "vetoed", "department_answer", "finalised_at"]


class OutcomeSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    power_kind = serializers.CharField(source="power_kind.name", default=None, read_only=True)

    class Meta:
        model = CaseOutcome
        fields = ["id", "department", "department_code", "department_name", "proceeding", "case_number", "decided_on", "outcome",
                  "power_code", "power_kind", "entered_at"]


class PublicResultSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DepartmentResult
        fields = ["department_code", "department_name", "total", "grade", "rank"]


class PublicRoundSerializer(serializers.ModelSerializer):
    """A finalised round: every department's result; officers only as counts per grade."""

    title = serializers.CharField(source="scheme.title", read_only=True)
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    jurisdiction_code = serializers.CharField(source="scheme.jurisdiction.code", read_only=True)
    jurisdiction_name = serializers.CharField(source="scheme.jurisdiction.name", read_only=True)
    results = PublicResultSerializer(source="department_results", many=True, read_only=True)
    officer_grades = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = ["id", "title", "year", "jurisdiction_code", "jurisdiction_name", "cut_off", "finalised_at", "results", "officer_grades"]

    @extend_schema_field(GradeCountSerializer(many=True))
    def get_officer_grades(self, round_):
        counts = round_.officer_grades or self.context.get("officer_grades", {}).get(round_.pk, {})
        return [{"grade": value, "count": counts.get(value, 0)} for value in Grade.values]
