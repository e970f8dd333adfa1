"""In a browser: the header's count, the list, opening a reminder, marking read — desktop and
phone width. Screenshots go to SHOTS_DIR when it is set (to look at them)."""

import os
from pathlib import Path

import pytest

from notifications.registry import Due
from notifications.services import reminders_sweep
from tests.browser import chromium_page, sign_in

from .conftest import at

pytestmark = pytest.mark.browser


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_editor_reads_his_reminders(live_server, users, providers):
    editor = users.editor_a
    providers["test"] = lambda now: [
        Due(key="b:1", due_at=at(2026, 12, 15, 17, 0), what="测试市市场监督管理局基础目录报送", url="/office/basis/catalogues/",
            recipients=(editor.pk,)),
        Due(key="c:1", due_at=at(2026, 12, 14, 0, 0), what="王五的执法证（证号 C00000001）换证", url="/office/authority/officers/",
            recipients=(editor.pk,)),
        Due(key="d:1", due_at=at(2026, 12, 10, 17, 0), what="实施方案报送", url="/office/", recipients=(editor.pk,)),
    ]
    assert reminders_sweep(now=at(2026, 12, 12, 9, 0)).sent == 3
    for width, name in ((390, "phone"), (1280, "desktop")):
        with chromium_page() as page:
            page.set_viewport_size({"width": width, "height": 900})
            sign_in(page, live_server.url, editor)
            assert page.locator("header .bell .count").inner_text() == "3"
            page.click("header .bell")
            page.wait_for_url(f"{live_server.url}/office/notifications/")
            assert page.locator("li.notification.unread").count() == 3
            _shot(page, f"notifications-{name}")
            if name == "phone":
                continue
            # Mark one read: the count and the highlight follow.
            page.locator("li.notification.unread form[action$='/read/'] button").first.click()
            page.wait_for_load_state()
            assert page.locator("header .bell .count").inner_text() == "2"
            assert page.locator("li.notification.unread").count() == 2
            # Open one: it is read, and the browser is on its page.
            page.locator("li.notification.unread button.title").first.click()
            page.wait_for_url(f"{live_server.url}/office/authority/officers/")
            assert page.locator("header .bell .count").inner_text() == "1"
            page.goto(f"{live_server.url}/office/notifications/")
            page.click("form[action$='/read-all/'] button")
            page.wait_for_load_state()
            assert page.locator("header .bell .count").count() == 0
            assert page.locator("li.notification.unread").count() == 0
            _shot(page, "notifications-all-read")
