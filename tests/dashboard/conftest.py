"""Browser tests: the built dashboard in Debian's headless Chromium (Playwright), against the real lab.

They skip only when /usr/bin/chromium is missing and CI is unset; in CI a missing Chromium fails them
(.ci/run installs it).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.harness import CHROMIUM, DashboardLab, dashboard_lab, launch_browser


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must `apt-get install chromium`")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); these run in CI")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_browser(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory) -> Iterator[DashboardLab]:
    """One provisioned local attendee and `simulate dashboard` for the module's tests (setup takes seconds)."""
    with dashboard_lab(tmp_path_factory.mktemp("dashboard-lab")) as running:
        yield running


@pytest.fixture
def page(browser, lab):
    """A fresh browser context (empty localStorage) per test, recording every AWS API called and dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    opened.aws_targets = []
    opened.dialogs = []
    opened.page_errors = []

    def on_request(request) -> None:
        target = request.headers.get("x-amz-target")
        if target:
            opened.aws_targets.append(target)
        elif request.post_data and "Action=" in (request.post_data or ""):
            action = request.post_data.split("Action=", 1)[1].split("&", 1)[0]
            opened.aws_targets.append(f"STS.{action}")

    def on_dialog(dialog) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("request", on_request)
    opened.on("dialog", on_dialog)
    opened.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    try:
        yield opened
    finally:
        lab.stop_all()
        context.close()
