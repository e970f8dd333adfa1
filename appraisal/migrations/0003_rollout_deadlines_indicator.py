"""The rollout's deadlines kept joins the reference indicators (issue 14's records feed issue 15's
appraisal); the office's assessments give it five points of their fifteen. Re-reads
appraisal/data/reference_indicators.json; schemes already made keep their own copies."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    ReferenceIndicator = apps.get_model("appraisal", "ReferenceIndicator")
    for position, row in enumerate(json.loads((DATA / "reference_indicators.json").read_text(encoding="utf-8"))):
        ReferenceIndicator.objects.update_or_create(
            code=row["code"],
            defaults={**{k: row[k] for k in ("target", "name", "source", "rule", "params")}, "weight": Decimal(row["weight"]),
                      "position": position, "provenance": "实施方案 §3(五)"},
        )


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
