"""The registry editors can grow (issue 12, item 4): the shipped registry data, and proposals of
instruments the registry lacks, confirmed, merged or refused by the legal-affairs office."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from basis import services
from basis.management.commands.load_instruments import DEFAULT
from basis.models import InstrumentProposal, LegalInstrument, ProposalStatus, Provision
from basis.spreadsheets import import_confirm, parse_catalogue_upload

from .factories import InstrumentFactory
from .fixtures.sheets import HEADER, row, upload, xlsx_bytes

MISSING = "城镇燃气管理条例"
GENERAL = ("中华人民共和国行政处罚法", "中华人民共和国行政许可法", "中华人民共和国行政强制法",
           "中华人民共和国行政复议法", "中华人民共和国行政诉讼法", "中华人民共和国国家赔偿法",
           "中华人民共和国政府信息公开条例")


@pytest.fixture(autouse=True)
def english(client):
    """Messages read in English: the code's own words, in the test and in the pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


# -- The registry as versioned data -------------------------------------------------------------


def test_the_shipped_registry_is_real_shaped_and_versioned():
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    assert data["version"] >= 2
    instruments = data["instruments"]
    assert 60 <= len(instruments) <= 100
    assert len({i["code"] for i in instruments}) == len(instruments)
    assert len({i["name"] for i in instruments}) == len(instruments)
    for i in instruments:
        assert i["issuing_organ"] in {"全国人民代表大会常务委员会", "全国人民代表大会", "国务院", "国家市场监督管理总局"}
        assert i["source"], i["name"]
        assert i["effective_on"] >= i["promulgated_on"], i["name"]
        if i["level"] == "law" and i["document_number"]:
            assert i["document_number"].startswith("中华人民共和国主席令第"), i["name"]
        if i["level"] == "administrative_regulation":
            assert i["document_number"].startswith("中华人民共和国国务院令第"), i["name"]


def test_the_loader_is_idempotent_marks_general_laws_and_deletes_nothing(db):
    call_command("load_instruments", stdout=io.StringIO())
    count, provisions = LegalInstrument.objects.count(), Provision.objects.count()
    assert 60 <= count <= 100
    assert set(LegalInstrument.objects.filter(binds_all_departments=True).values_list("name", flat=True)) >= set(GENERAL)
    assert not LegalInstrument.objects.get(name="中华人民共和国食品安全法").binds_all_departments
    # article_count gives articles 1..n; an entry without any is a whole instrument.
    assert LegalInstrument.objects.get(code="LAW-XZSS").provisions.count() == 103
    assert LegalInstrument.objects.get(code="LAW-CSF").provisions.count() == 0
    # A changed field is brought up to date; a local record the file does not name stays.
    penalty = LegalInstrument.objects.get(code="LAW-XZCF")
    penalty.document_number = "typo"
    penalty.save()
    local = InstrumentFactory(name="测试市市容管理条例")
    call_command("load_instruments", stdout=io.StringIO())
    penalty.refresh_from_db()
    assert penalty.document_number == "中华人民共和国主席令第七十号"
    assert LegalInstrument.objects.count() == count + 1 and LegalInstrument.objects.filter(pk=local.pk).exists()
    assert Provision.objects.count() == provisions


# -- Proposals ----------------------------------------------------------------------------------


def propose_url(**params):
    from urllib.parse import urlencode

    return reverse("basis:instrument_propose") + "?" + urlencode(params)


def test_the_propose_form_is_prefilled_from_the_import_link(client, users):
    client.force_login(users.editor_a)
    response = client.get(propose_url(
        name="《城镇燃气管理条例》", issuing_organ="国务院", document_number="国务院令第583号",
        effective_on="2011年3月1日", next="/office/basis/catalogues/1/import/",
    ))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["name"] == MISSING
    assert form.initial["effective_on"].isoformat() == "2011-03-01"
    assert form.initial["level"] == "administrative_regulation"
    assert response.context["next"] == "/office/basis/catalogues/1/import/"
    assert 'value="2011-03-01"' in response.content.decode()
    # A link to elsewhere is not followed back.
    response = client.get(propose_url(name=MISSING, next="https://evil.example/"))
    assert response.context["next"] == ""


def test_proposing_sends_the_editor_back_to_the_import(client, users):
    client.force_login(users.editor_a)
    response = client.post(reverse("basis:instrument_propose"), {
        "name": MISSING, "level": "administrative_regulation", "issuing_organ": "国务院",
        "document_number": "中华人民共和国国务院令第583号", "effective_on": "2011年3月1日",
        "next": "/office/basis/catalogues/7/import/",
    })
    assert response.status_code == 302 and response["Location"] == "/office/basis/catalogues/7/import/"
    proposal = InstrumentProposal.objects.get()
    assert proposal.department == users.editor_a.organisation and proposal.status == ProposalStatus.PENDING
    assert proposal.effective_on.isoformat() == "2011-03-01"
    assert AuditEvent.objects.filter(object_type__endswith="instrumentproposal", object_id=str(proposal.pk)).exists()


def test_a_duplicate_proposal_points_to_what_exists(client, users):
    InstrumentFactory(name="中华人民共和国行政处罚法", document_number="中华人民共和国主席令第七十号")
    client.force_login(users.editor_a)
    data = {"name": "行政处罚法", "level": "law", "issuing_organ": "全国人民代表大会常务委员会"}
    response = client.post(reverse("basis:instrument_propose"), data)
    assert response.status_code == 200
    assert "is in the registry already" in response.content.decode()
    assert isinstance(response.context["duplicate"], LegalInstrument)
    services.instrument_propose(actor=users.editor_a, data={"name": MISSING, "level": "administrative_regulation", "issuing_organ": "国务院"})
    client.force_login(users.editor_b)
    response = client.post(reverse("basis:instrument_propose"), {**data, "name": f"《{MISSING}》"})
    assert "awaits the legal-affairs office" in response.content.decode()
    assert InstrumentProposal.objects.count() == 1


def _proposal(users, name=MISSING):
    return services.instrument_propose(
        actor=users.editor_a,
        data={"name": name, "level": "administrative_regulation", "issuing_organ": "国务院",
              "document_number": "中华人民共和国国务院令第583号"},
        return_to="/office/basis/catalogues/1/import/",
    )


def test_confirm_creates_the_instrument_and_the_import_then_passes(users, city, client, django_capture_on_commit_callbacks):
    catalogue = services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    sheet = xlsx_bytes([row(instrument=f"《{MISSING}》", provisions="第十条", rights="燃气经营许可的监督检查")], header=HEADER)
    preview = parse_catalogue_upload(upload("燃气.xlsx", sheet), department=city.dept_a)
    assert preview.errors and "is not in the registry" in preview.errors[0].message

    users.editor_a.email = "editor_a@example.cn"
    users.editor_a.save()
    proposal = _proposal(users)
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.proposal_confirm(actor=users.city_reviewer, proposal=proposal, articles=53)
    instrument = decided.instrument
    assert decided.status == ProposalStatus.CONFIRMED and instrument.code == f"PROP-{proposal.pk}"
    assert instrument.status == "in_force" and city.dept_a.name in instrument.source  # in the official language
    assert instrument.provisions.count() == 53
    assert decided.events.get().to_status == ProposalStatus.CONFIRMED
    assert any(MISSING in m.subject for m in mail.outbox if "editor_a@example.cn" in m.to)

    preview = parse_catalogue_upload(upload("燃气.xlsx", sheet), department=city.dept_a)
    assert not preview.errors
    assert import_confirm(actor=users.editor_a, catalogue=catalogue, preview=preview) == 1
    assert catalogue.entries.get().instrument == instrument

    # The proposer is told on their next visit, once, with the way back to the import.
    client.force_login(users.editor_a)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert "was accepted" in page
    assert "was accepted" not in client.get(reverse("home")).content.decode()
    assert "/office/basis/catalogues/1/import/" in client.get(reverse("basis:proposal_detail", args=[proposal.pk])).content.decode()


def test_merge_points_the_proposal_to_an_existing_instrument(users, client):
    gas = InstrumentFactory(name="城镇燃气管理条例（2016年修订）", level="administrative_regulation")
    proposal = _proposal(users)
    client.force_login(users.city_reviewer)
    page = client.get(reverse("basis:proposal_detail", args=[proposal.pk]) + "?q=燃气")
    assert gas.name in page.content.decode()
    response = client.post(reverse("basis:proposal_decide", args=[proposal.pk, "merge"]), {"instrument": gas.pk, "reason": "按登记名称引用"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MERGED and proposal.instrument == gas
    assert not LegalInstrument.objects.filter(code__startswith="PROP-").exists()


def test_refuse_needs_a_reason_and_the_department_reads_it(users, client):
    proposal = _proposal(users)
    client.force_login(users.city_reviewer)
    client.post(reverse("basis:proposal_decide", args=[proposal.pk, "refuse"]), {"reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    client.post(reverse("basis:proposal_decide", args=[proposal.pk, "refuse"]), {"reason": "系地方性法规，请引用本市条例"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED and proposal.decided_by == users.city_reviewer
    # A decided proposal is decided for good.
    response = client.post(reverse("basis:proposal_decide", args=[proposal.pk, "confirm"]), {}, follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED and not LegalInstrument.objects.filter(code__startswith="PROP-").exists()
    client.force_login(users.editor_a)
    assert "系地方性法规" in client.get(reverse("basis:proposal_list"), follow=True).content.decode()


def test_who_sees_and_who_decides(users, city, client):
    from accounts.models import Role
    from tests.factories import UserFactory

    proposal = _proposal(users)
    editor_x1 = UserFactory(username="editor_x1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1)
    county = services.instrument_propose(actor=editor_x1, data={"name": "县级条例", "level": "administrative_regulation", "issuing_organ": "国务院"})
    detail = lambda p: reverse("basis:proposal_detail", args=[p.pk])
    # Department B cannot see department A's proposal.
    client.force_login(users.editor_b)
    assert client.get(detail(proposal)).status_code == 404
    assert client.get(reverse("basis:proposal_list")).status_code == 200
    # The county office sees its county's only; the city office sees the whole city.
    client.force_login(users.county_reviewer)
    assert client.get(detail(proposal)).status_code == 404
    assert client.get(detail(county)).status_code == 200
    assert client.post(reverse("basis:proposal_decide", args=[proposal.pk, "refuse"]), {"reason": "x"}).status_code == 404
    client.force_login(users.city_reviewer)
    listed = client.get(reverse("basis:proposal_list")).context["page"].object_list
    assert {p.pk for p in listed} == {proposal.pk, county.pk}
    # The establishment office and the administrators cannot decide, nor propose.
    for user in (users.establishment, users.sysadmin, users.secadmin, users.auditadmin):
        client.force_login(user)
        assert client.get(reverse("basis:proposal_list")).status_code == 403
        assert client.post(reverse("basis:proposal_decide", args=[proposal.pk, "refuse"]), {"reason": "x"}).status_code == 403
        assert client.get(reverse("basis:instrument_propose")).status_code == 403
    # A department's editor proposes but does not decide.
    client.force_login(users.editor_a)
    assert client.post(reverse("basis:proposal_decide", args=[proposal.pk, "confirm"]), {}).status_code == 403
    client.force_login(users.city_reviewer)
    assert client.get(reverse("basis:instrument_propose")).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
