"""The appraisal's reference data: the plan's indicators and the case-file review rubrics, from
``appraisal/data/``. Loaded by the data migrations, by ``manage.py load_appraisal_reference`` (as
every chapter's reference data is, so a database emptied by ``flush`` or restored without them
gets them back) and by the demo. Idempotent: indicators are matched by code and updated; a
rubric is added for a case kind that has none (a new version is never written over an old one)."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import ReferenceIndicator, Rubric, RubricItem, RubricSection

DATA = Path(__file__).resolve().parent / "data"


@transaction.atomic
def reference_load(data: Path = DATA) -> tuple[int, int]:
    """(indicators written, rubrics added)."""
    indicators = json.loads((data / "reference_indicators.json").read_text(encoding="utf-8"))
    for position, row in enumerate(indicators):
        ReferenceIndicator.objects.update_or_create(
            code=row["code"],
            defaults={**{k: row[k] for k in ("target", "name", "source", "rule", "params")}, "weight": Decimal(row["weight"]),
                      "position": position, "provenance": "实施方案 §3(五)"},
        )
    added = 0
    for row in json.loads((data / "rubrics.json").read_text(encoding="utf-8")):
        if Rubric.objects.filter(case_kind=row["case_kind"]).exists():
            continue
        rubric = Rubric.objects.create(case_kind=row["case_kind"], version=1, name=row["name"], provenance="实施方案 §3(四)")
        sections = [
            RubricSection.objects.create(rubric=rubric, name=s["name"], max_points=Decimal(str(s["max_points"])), position=i)
            for i, s in enumerate(row["sections"])
        ]
        RubricItem.objects.bulk_create([
            RubricItem(
                rubric=rubric, section=None if item.get("is_veto") else sections[item["section"]], text=item["text"],
                deduction=Decimal(str(item.get("deduction", 0))), is_veto=bool(item.get("is_veto")), position=i,
            )
            for i, item in enumerate(row["items"])
        ])
        added += 1
    return len(indicators), added
