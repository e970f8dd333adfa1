"""The reference-table loader behind load_authority_reference and load_responsibility_reference:
matched by code, added, brought up to date, never deleted."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from authority.models import PowerKind
from responsibility.models import ResponsibilityKind

pytestmark = pytest.mark.django_db


def _file(tmp_path, **tables):
    path = tmp_path / "reference.json"
    path.write_text(json.dumps({"source": "测试文件", "version": "2", **tables}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_second_file_adds_and_renames_but_deletes_nothing(tmp_path):
    call_command("load_responsibility_reference", _file(tmp_path, responsibility_kinds=[
        {"code": "a", "name": "承办责任", "order": 1}, {"code": "b", "name": "审核责任", "order": 2},
    ]), stdout=StringIO())
    out = StringIO()
    call_command("load_responsibility_reference", _file(tmp_path, responsibility_kinds=[
        {"code": "a", "name": "承办人责任", "order": 1}, {"code": "c", "name": "监督责任", "order": 3},
    ]), stdout=out)

    assert out.getvalue().strip() == "responsibilitykind: 1 created, 1 updated."
    assert dict(ResponsibilityKind.objects.values_list("code", "name")) == {"a": "承办人责任", "b": "审核责任", "c": "监督责任"}
    assert ResponsibilityKind.objects.get(code="c").source == "测试文件 (2)"


def test_an_unchanged_file_changes_nothing(tmp_path):
    path = _file(tmp_path, power_kinds=[{"code": "penalty", "name": "行政处罚"}], procedure_stages=[])
    call_command("load_authority_reference", path, stdout=StringIO())
    out = StringIO()
    call_command("load_authority_reference", path, stdout=out)
    assert out.getvalue().splitlines() == ["powerkind: 0 created, 0 updated.", "procedurestage: 0 created, 0 updated."]
    assert PowerKind.objects.filter(code="penalty").count() == 1
