"""API shapes of the enforcement basis. Serializers validate what comes in and present what goes
out; who may do what is decided in basis.permissions and the services."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations.models import Organisation, SubjectKind

from .checks import FindingKind
from .models import (
    BasisCatalogue,
    CatalogueEntry,
    CatalogueEvent,
    EstablishmentOpinion,
    InstrumentStatus,
    LegalInstrument,
    ManagementCategory,
    OpinionVerdict,
    Provision,
    ReviewComment,
    SubmissionDeadline,
)
from .selectors import ProvisionTextError, provisions_from_text
from .services import EntryData

# -- References -------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name"]


class ProvisionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="Chinese label, e.g. 第十二条第二款.")

    class Meta:
        model = Provision
        fields = ["id", "article", "paragraph", "item", "label"]
        extra_kwargs = {
            "paragraph": {"help_text": "0 = the whole article."},
            "item": {"help_text": "0 = no item."},
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, for the user to read.")


# -- Instruments ------------------------------------------------------------------------------


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalInstrument
        fields = [
            "id", "code", "name", "level", "issuing_organ", "document_number",
            "promulgated_on", "effective_on", "status", "source",
        ]


class InstrumentDetailSerializer(InstrumentSerializer):
    provisions = ProvisionSerializer(many=True, read_only=True, help_text="The articles, paragraphs and items entries cite.")

    class Meta(InstrumentSerializer.Meta):
        fields = [*InstrumentSerializer.Meta.fields, "provisions"]


class InstrumentStatusRecordSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=[(InstrumentStatus.AMENDED.value, "amended"), (InstrumentStatus.REPEALED.value, "repealed")]
    )
    note = serializers.CharField(help_text="What changed; stored and sent to the departments whose catalogues cite it.")
    effective_on = serializers.DateField(required=False, allow_null=True)


class InstrumentStatusResultSerializer(serializers.Serializer):
    instrument = InstrumentSerializer()
    flagged_catalogues = serializers.IntegerField(help_text="How many catalogues citing it were flagged for revision.")


# -- Entries ----------------------------------------------------------------------------------


class CatalogueEntrySerializer(serializers.ModelSerializer):
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    provisions = ProvisionSerializer(many=True, read_only=True)
    provisions_text = serializers.SerializerMethodField(help_text="The provisions as text, e.g. 第十条、第十二条第二款.")
    lead_department = OrganisationRefSerializer(read_only=True)
    joint_departments = OrganisationRefSerializer(many=True, read_only=True)
    assisting_departments = OrganisationRefSerializer(many=True, read_only=True)
    principal = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CatalogueEntry
        fields = [
            "id", "position", "instrument", "instrument_name", "provisions", "provisions_text", "category",
            "lead_department", "joint_departments", "assisting_departments",
            "rights_and_duties", "subject_kind", "principal",
        ]

    def get_provisions_text(self, entry) -> str:
        return "、".join(p.label for p in entry.provisions.all())


class CatalogueEntryInputSerializer(serializers.Serializer):
    """An entry as the department writes it. Provisions go either as ids (``provisions``) or as
    text (``provisions_text``); neither means the whole instrument. On PATCH, what is left out
    keeps its value (the provisions too, which must then belong to the instrument)."""

    instrument = serializers.PrimaryKeyRelatedField(queryset=LegalInstrument.objects.all())
    provisions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Ids of the instrument's provisions (see GET /api/basis/instruments/{id}/).",
    )
    provisions_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The provisions as text instead of ids: 第十条、第十二条第二款.",
    )
    category = serializers.ChoiceField(choices=ManagementCategory.choices)
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), required=False, help_text="Defaults to the catalogue's department."
    )
    joint_departments = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), many=True, required=False
    )
    assisting_departments = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), many=True, required=False
    )
    rights_and_duties = serializers.CharField(required=False, allow_blank=True)
    subject_kind = serializers.ChoiceField(
        choices=SubjectKind.choices, required=False, help_text="Defaults to the department's own kind."
    )
    principal = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        required=False,
        allow_null=True,
        help_text="The entrusting department; required for an entrusted organisation, refused otherwise.",
    )

    DEPARTMENT_FIELDS = ("lead_department", "joint_departments", "assisting_departments", "principal")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = self.context.get("catalogue")
        if catalogue is not None:
            from .spreadsheets import department_candidates

            # The departments the entry form offers: those of the catalogue's government.
            candidates = department_candidates(catalogue.department)
            for name in self.DEPARTMENT_FIELDS:
                field = self.fields[name]
                getattr(field, "child_relation", field).queryset = candidates

    def _current(self) -> dict:
        """The values a field left out takes: the entry's own on PATCH, the defaults otherwise."""
        entry = self.instance
        if entry is not None and self.partial:
            return {
                "instrument": entry.instrument,
                "category": entry.category,
                "lead_department": entry.lead_department,
                "joint_departments": list(entry.joint_departments.all()),
                "assisting_departments": list(entry.assisting_departments.all()),
                "rights_and_duties": entry.rights_and_duties,
                "subject_kind": entry.subject_kind,
                "principal": entry.principal,
                "provision_objects": list(entry.provisions.all()),
            }
        department = self.context["catalogue"].department
        return {
            "lead_department": department,
            "joint_departments": [],
            "assisting_departments": [],
            "rights_and_duties": "",
            "subject_kind": department.subject_kind or SubjectKind.STATUTORY_ORGAN.value,
            "principal": None,
            "provision_objects": [],
        }

    def validate(self, attrs):
        values = {**self._current(), **attrs}
        instrument = values["instrument"]
        if "provisions" in attrs and "provisions_text" in attrs:
            raise serializers.ValidationError(
                {"provisions_text": _("Give the provisions either as ids or as text, not both.")}
            )
        if "provisions_text" in attrs:
            values["provision_objects"] = self._provisions_from_text(instrument, attrs["provisions_text"])
        elif "provisions" in attrs:
            values["provision_objects"] = self._provisions_from_ids(instrument, attrs["provisions"])
        else:
            self._check_instrument(instrument, values["provision_objects"])
        if values["subject_kind"] == SubjectKind.ENTRUSTED and values["principal"] is None:
            raise serializers.ValidationError({"principal": _("An entrusted organisation must name its principal.")})
        if values["subject_kind"] != SubjectKind.ENTRUSTED and values["principal"] is not None:
            raise serializers.ValidationError({"principal": _("Only an entrusted organisation has a principal.")})
        return values

    def _provisions_from_text(self, instrument, text: str) -> list[Provision]:
        try:
            return provisions_from_text(instrument, text)
        except ProvisionTextError as error:
            raise serializers.ValidationError({"provisions_text": error.messages}) from None

    def _provisions_from_ids(self, instrument, ids: list[int]) -> list[Provision]:
        found = {p.pk: p for p in Provision.objects.filter(pk__in=ids).select_related("instrument")}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            does_not_exist = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
            raise serializers.ValidationError(
                {"provisions": [does_not_exist.format(pk_value=pk) for pk in missing]}
            )
        provisions = list(dict.fromkeys(found[pk] for pk in ids))
        self._check_instrument(instrument, provisions)
        return provisions

    def _check_instrument(self, instrument, provisions: list[Provision]) -> None:
        foreign = [
            _("Provision %(provision)s is not part of %(instrument)s.") % {"provision": p, "instrument": instrument.name}
            for p in provisions
            if p.instrument_id != instrument.pk
        ]
        if foreign:
            raise serializers.ValidationError({"provisions": foreign})

    def entry_data(self) -> EntryData:
        return EntryData.from_cleaned(self.validated_data)


# -- Catalogues -------------------------------------------------------------------------------


class CatalogueSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = BasisCatalogue
        fields = [
            "id", "department", "department_name", "version", "status", "based_on", "comment",
            "submitted_at", "is_late", "published_at", "needs_revision", "revision_reason",
        ]


class CatalogueSummarySerializer(CatalogueSerializer):
    """A row of the department's versions or of the office's review queue."""

    entry_count = serializers.IntegerField(read_only=True)
    conflict_count = serializers.SerializerMethodField(
        help_text="How many cross-department findings concern this version (see …/findings/)."
    )

    class Meta(CatalogueSerializer.Meta):
        fields = [*CatalogueSerializer.Meta.fields, "entry_count", "conflict_count"]

    def get_conflict_count(self, catalogue) -> int:
        return self.context.get("conflict_counts", {}).get(catalogue.pk, 0)


class CatalogueEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CatalogueEvent
        fields = ["from_status", "to_status", "actor_name", "comment", "occurred_at"]

    def get_actor_name(self, event) -> str:
        return str(event.actor) if event.actor else ""


class CatalogueDetailSerializer(CatalogueSerializer):
    entries = CatalogueEntrySerializer(many=True, read_only=True)
    events = CatalogueEventSerializer(many=True, read_only=True, help_text="The workflow history, oldest first.")
    deadline = serializers.SerializerMethodField(help_text="The submission deadline in force for the department.")

    class Meta(CatalogueSerializer.Meta):
        fields = [*CatalogueSerializer.Meta.fields, "deadline", "events", "entries"]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_deadline(self, catalogue):
        from .services import deadline_for

        deadline = deadline_for(catalogue.department)
        return serializers.DateTimeField().to_representation(deadline.due_at) if deadline else None


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Required to return a catalogue.")


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    acknowledged_findings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) when the version has open findings: the office approves it all the same.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the version is approved despite its open findings; required with them, kept on its history.",
    )


# -- Review -----------------------------------------------------------------------------------


class ReviewCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewComment
        fields = ["id", "entry", "author", "author_name", "body", "created_at"]

    def get_author_name(self, comment) -> str:
        return str(comment.author)


class EstablishmentOpinionSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = EstablishmentOpinion
        fields = ["id", "entry", "verdict", "text", "author", "author_name", "created_at"]

    def get_author_name(self, opinion) -> str:
        return str(opinion.author)


class EstablishmentOpinionInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=OpinionVerdict.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required unless the verdict is agree.")
    entry = serializers.PrimaryKeyRelatedField(
        queryset=CatalogueEntry.objects.none(),
        required=False,
        allow_null=True,
        help_text="An entry of this catalogue, for an opinion on that entry; leave out for the catalogue.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = self.context.get("catalogue")
        if catalogue is not None:
            self.fields["entry"].queryset = catalogue.entries.all()


class ReviewCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField()
    entry = serializers.PrimaryKeyRelatedField(
        queryset=CatalogueEntry.objects.none(),
        required=False,
        allow_null=True,
        help_text="An entry of this catalogue, for a comment on that entry; leave out for the catalogue.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = self.context.get("catalogue")
        if catalogue is not None:
            self.fields["entry"].queryset = catalogue.entries.all()


class CatalogueFindingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    kind_label = serializers.CharField()
    message = serializers.CharField(help_text="The finding in a sentence, in the request's language.")
    instrument_id = serializers.IntegerField()
    instrument_name = serializers.CharField()
    provisions = serializers.ListField(child=serializers.CharField(), help_text="Labels; empty = the whole instrument.")
    department_ids = serializers.ListField(child=serializers.IntegerField())
    department_names = serializers.ListField(child=serializers.CharField())
    entry_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The entries at fault.")
    catalogue_ids = serializers.ListField(child=serializers.IntegerField())


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class EntryChangeSerializer(serializers.Serializer):
    old = CatalogueEntrySerializer()
    new = CatalogueEntrySerializer()
    changes = FieldChangeSerializer(many=True)


class CatalogueDiffSerializer(serializers.Serializer):
    old = CatalogueSerializer(help_text="The older of the two versions.")
    new = CatalogueSerializer()
    added = CatalogueEntrySerializer(many=True)
    removed = CatalogueEntrySerializer(many=True)
    changed = EntryChangeSerializer(many=True)
    unchanged = serializers.IntegerField(help_text="How many entries are the same in both.")


class CatalogueDiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        required=False,
        help_text="Id of another version of the same department's catalogue; defaults to the one this is based on.",
    )


# -- Spreadsheets -----------------------------------------------------------------------------


class CatalogueImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx or .csv in the shape of the export (Chinese column headers).")
    confirm = serializers.BooleanField(
        default=False, help_text="Save the entries if the file has no errors (replaces the draft's entries)."
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number as Excel shows it.")
    column = serializers.CharField(help_text="The column header as the file writes it.")
    message = serializers.CharField()


class CatalogueImportResultSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    rows = serializers.IntegerField(help_text="How many rows are valid.")
    errors = RowErrorSerializer(many=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())
    is_clean = serializers.BooleanField(help_text="No errors and at least one row: it can be confirmed.")
    imported = serializers.IntegerField(allow_null=True, help_text="Entries saved; null when nothing was saved.")
    detail = serializers.CharField(required=False, help_text="Why nothing was saved, on a refused confirm.")


# -- Deadlines and the compilation ------------------------------------------------------------


class SubmissionDeadlineSerializer(serializers.ModelSerializer):
    jurisdiction = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = SubmissionDeadline
        fields = ["id", "jurisdiction", "due_at", "note", "created_at"]


class SubmissionDeadlineInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubmissionDeadline
        fields = ["due_at", "note"]


class CompilationSerializer(CatalogueSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    government = OrganisationRefSerializer(source="department.jurisdiction", read_only=True, allow_null=True)
    entry_count = serializers.IntegerField(read_only=True)

    class Meta(CatalogueSerializer.Meta):
        fields = [
            "id", "department", "department_code", "department_name", "government", "version",
            "published_at", "entry_count",
        ]


# -- Public -----------------------------------------------------------------------------------


class PublicEntrySerializer(serializers.ModelSerializer):
    instrument = InstrumentSerializer(read_only=True)
    provisions = serializers.SerializerMethodField(help_text="Labels such as 第十二条第二款; empty = the whole instrument.")
    lead_department = OrganisationRefSerializer(read_only=True)
    joint_departments = OrganisationRefSerializer(many=True, read_only=True)
    assisting_departments = OrganisationRefSerializer(many=True, read_only=True)
    principal = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CatalogueEntry
        fields = [
            "id", "position", "instrument", "provisions", "category", "lead_department", "joint_departments",
            "assisting_departments", "rights_and_duties", "subject_kind", "principal",
        ]

    def get_provisions(self, entry) -> list[str]:
        return [p.label for p in entry.provisions.all()]


class PublicCatalogueSerializer(serializers.ModelSerializer):
    department = OrganisationRefSerializer(read_only=True)
    government = OrganisationRefSerializer(source="department.jurisdiction", read_only=True, allow_null=True)
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = BasisCatalogue
        fields = ["id", "department", "government", "version", "published_at", "entry_count"]


class PublicCatalogueDetailSerializer(PublicCatalogueSerializer):
    entries = PublicEntrySerializer(many=True, read_only=True)

    class Meta(PublicCatalogueSerializer.Meta):
        fields = [*PublicCatalogueSerializer.Meta.fields, "entries"]


class PublicCatalogueRefSerializer(serializers.ModelSerializer):
    department = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = BasisCatalogue
        fields = ["id", "department", "version"]


class PublicSearchResultSerializer(PublicEntrySerializer):
    catalogue = PublicCatalogueRefSerializer(read_only=True)

    class Meta(PublicEntrySerializer.Meta):
        fields = ["catalogue", *PublicEntrySerializer.Meta.fields]
