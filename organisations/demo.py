"""Demo step of the organisation tree: Longnan, its nine counties and districts, their
departments and offices (``data/longnan_demo.json``). Idempotent: an organisation already there
(by code) is left as it is."""

import json
from pathlib import Path

from django.db import transaction

from .models import Organisation
from .services import organisation_create

DATA = Path(__file__).resolve().parent / "data" / "longnan_demo.json"
_NODE_FIELDS = (
    "short_name",
    "office_function",
    "subject_kind",
    "stationed_provincial",
    "vertically_managed",
    "dual_managed",
)


@transaction.atomic
def load_demo_organisations(stdout=None) -> int:
    """Create what is missing of the demo tree; returns how many organisations were created."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = _load_tree(data["organisations"], parent=None)
    if stdout is not None:
        stdout.write(f"Demo city: {created} organisation(s) created.")
    return created


def _load_tree(node: dict, parent: Organisation | None) -> int:
    created = 0
    organisation = Organisation.objects.filter(code=node["code"]).first()
    if organisation is None:
        fields = {key: node[key] for key in _NODE_FIELDS if key in node}
        if node.get("principal"):
            fields["principal"] = Organisation.objects.get(code=node["principal"])
        organisation = organisation_create(
            parent=parent, code=node["code"], name=node["name"], kind=node["kind"], **fields
        )
        created += 1
    for child in node.get("children", []):
        created += _load_tree(child, organisation)
    return created
