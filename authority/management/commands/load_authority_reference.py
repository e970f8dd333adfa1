"""Load the power kinds and procedure stages from a versioned data file
(authority/data/reference.json by default). Idempotent: rows are matched by their stable code,
new ones added and names and order of known ones brought up to date; nothing is deleted, since
powers and procedures cite these rows."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from authority.models import PowerKind, ProcedureStage

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "reference.json"


class Command(BaseCommand):
    help = "Load power kinds and procedure stages from a JSON data file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    @transaction.atomic
    def handle(self, *args, path, **options):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        source = f"{data.get('source', '')} ({data.get('version', '')})".strip()
        for key, model in (("power_kinds", PowerKind), ("procedure_stages", ProcedureStage)):
            created = updated = 0
            for row in data[key]:
                values = {"name": row["name"], "order": row.get("order", 0), "source": source}
                obj, was_created = model.objects.get_or_create(code=row["code"], defaults=values)
                if was_created:
                    created += 1
                elif any(getattr(obj, field) != value for field, value in values.items()):
                    for field, value in values.items():
                        setattr(obj, field, value)
                    obj.save()
                    updated += 1
            self.stdout.write(f"{model._meta.model_name}: {created} created, {updated} updated.")
