"""The proposal round in a real browser, with screenshots at desktop and phone width: the editor
proposes from a prefilled link, the office finds it in its queue and merges it."""

from urllib.parse import urlencode

import pytest
from django.conf import settings

from basis.models import InstrumentProposal, ProposalStatus

from ..browser import chromium_page, sign_in
from .factories import InstrumentFactory

pytestmark = pytest.mark.browser
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
PHONE = {"width": 390, "height": 844}


def test_propose_from_a_link_then_the_office_merges(live_server, city, users):
    base = live_server.url
    gas = InstrumentFactory(name="城镇燃气管理条例", level="administrative_regulation", issuing_organ="国务院",
                            document_number="中华人民共和国国务院令第583号")
    ARTIFACTS.mkdir(exist_ok=True)
    link = "/office/basis/instruments/propose/?" + urlencode({
        "name": "《城镇燃气管理条例（2016修订）》", "issuing_organ": "国务院",
        "document_number": "国务院令第666号", "effective_on": "2016年2月6日", "next": "/office/basis/catalogues/",
    })
    with chromium_page() as page:
        sign_in(page, base, users.editor_a)
        page.goto(base + link)
        assert page.input_value("#id_effective_on") == "2016-02-06"
        page.screenshot(path=ARTIFACTS / "basis-propose-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=ARTIFACTS / "basis-propose-phone.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.select_option("#id_level", "administrative_regulation")
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_url(f"{base}/office/basis/catalogues/")
        page.click("header form button[type=submit]")

        sign_in(page, base, users.city_reviewer)
        page.goto(f"{base}/office/basis/instruments/proposals/")
        page.screenshot(path=ARTIFACTS / "basis-proposal-queue-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=ARTIFACTS / "basis-proposal-queue-phone.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        proposal = InstrumentProposal.objects.get()
        page.goto(f"{base}/office/basis/instruments/proposals/{proposal.pk}/?q=燃气")
        page.screenshot(path=ARTIFACTS / "basis-proposal-decide-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=ARTIFACTS / "basis-proposal-decide-phone.png", full_page=True)
        page.check(f"input[name=instrument][value='{gas.pk}']")
        page.click(f"form[action$='/{proposal.pk}/merge/'] button")
        page.wait_for_url(f"{base}/office/basis/instruments/proposals/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MERGED and proposal.instrument == gas
