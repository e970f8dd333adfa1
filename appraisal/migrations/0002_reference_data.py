"""The plan's reference indicators and the review rubrics per case kind, from appraisal/data/.
The office adjusts its schemes' copies; a new rubric version is added, never edited in place."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    ReferenceIndicator = apps.get_model("appraisal", "ReferenceIndicator")
    Rubric = apps.get_model("appraisal", "Rubric")
    RubricSection = apps.get_model("appraisal", "RubricSection")
    RubricItem = apps.get_model("appraisal", "RubricItem")
    for position, row in enumerate(json.loads((DATA / "reference_indicators.json").read_text(encoding="utf-8"))):
        ReferenceIndicator.objects.update_or_create(
            code=row["code"],
            defaults={**{k: row[k] for k in ("target", "name", "source", "rule", "params")}, "weight": Decimal(row["weight"]),
                      "position": position, "provenance": "实施方案 §3(五)"},
        )
    for row in json.loads((DATA / "rubrics.json").read_text(encoding="utf-8")):
        if Rubric.objects.filter(case_kind=row["case_kind"]).exists():
            continue
        rubric = Rubric.objects.create(case_kind=row["case_kind"], version=1, name=row["name"], provenance="实施方案 §3(四)")
        sections = [
            RubricSection.objects.create(rubric=rubric, name=s["name"], max_points=Decimal(str(s["max_points"])), position=i)
            for i, s in enumerate(row["sections"])
        ]
        for i, item in enumerate(row["items"]):
            RubricItem.objects.create(
                rubric=rubric, section=None if item.get("is_veto") else sections[item["section"]], text=item["text"],
                deduction=Decimal(str(item.get("deduction", 0))), is_veto=bool(item.get("is_veto")), position=i,
            )


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
