"""The dashboard in Korean, in headless Chromium against the lab: forced with ?lang=ko, and chosen from the
browser's own language (a ko-KR context: navigator.languages and Accept-Language). A walk through every view
the page has (start screen with Advanced, every start error it can show, the attendee list and config problems,
the map and list with a popup, every notice: unicorn cap, skipped records, clock skew, offline map, refused
tiles, replay) finds no English word left beyond an explicit allowlist.

What may stay in Latin letters, and why (ALLOWED and the patterns in `english_left`): unicorn, stream and attendee
names (data), AWS service and API names, ARNs, regions, error codes, commands in backticks and URLs (typed as
they are), URL option names and values (from=, 15m), the product's name, UTC, the map attribution (credit as its
authors write it), the switch's own name for English, and the error detail lines (#start-error-detail,
#error-detail: the AWS reply quoted verbatim, marked lang="en").
"""

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.dashboard.test_dashboard_browser import marker, put_records, unicorn_record
from tests.dashboard.tileserver import tile_server

UNICORNS = ["Shadowfax-ko", "Bucephalus-ko", "Rocinante-ko", "Pegasus-ko", "Skewed-ko"]
NAMES = [*UNICORNS, "no-such-stream"]  # data the page shows as given
ALLOWED = {
    # AWS services, APIs and words the guide keeps in Latin letters
    "AWS",
    "Cognito",
    "Kinesis",
    "IAM",
    "STS",
    "ARN",
    "ID",
    "GetId",
    "GetOpenIdToken",
    "AssumeRoleWithWebIdentity",
    "URL",
    "UTC",
    # the product, resource and attendee names the test uses (data)
    "Wild",
    "Rydes",
    "wildrydes",
    "local",
    "second",
    "nobody",
    "setup",
    "localhost",
}
# Collected from the page: visible text (minus the excluded parts), and the title, placeholder and aria-label of
# visible elements, and the document's title.
COLLECT = """() => {
  const excluded = "#start-error-detail, #error-detail, .leaflet-control-attribution, #language a[lang=en]";
  const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0;
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(excluded) || parent.closest("script, style") || !visible(parent)) continue;
    if (node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const el of document.body.querySelectorAll("[title], [placeholder], [aria-label]")) {
    if (el.closest(excluded) || !visible(el)) continue;
    for (const name of ["title", "placeholder", "aria-label"]) {
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


def english_left(texts: list[str]) -> list[str]:
    """The Latin-letter words in `texts` that the allowlist does not explain."""
    left = []
    for text in texts:
        for name in NAMES:
            text = text.replace(name, " ")
        text = re.sub(r"`[^`]*`", " ", text)  # commands
        text = re.sub(r"https?://\S*", " ", text)  # URLs
        text = re.sub(r"arn:aws:\S+", " ", text)  # ARNs
        text = re.sub(r"\b[a-z]{2}(-[a-z]+)+-\d+\b", " ", text)  # regions
        text = re.sub(r"\b[A-Z][A-Za-z]*(Exception|Error|Denied)\b", " ", text)  # error codes
        text = re.sub(r"\b[a-z]+=", " ", text)  # URL option names
        text = re.sub(r"\b\d+[a-z]+(?![a-z])", " ", text)  # option values as typed (15m, 90s)
        text = re.sub(r"\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", " ", text)  # pool id's uuid
        left += [word for word in re.findall(r"[A-Za-z]+", text) if word not in ALLOWED]
    return left


def assert_korean(page, view: str) -> None:
    texts = page.evaluate(COLLECT)
    left = english_left(texts)
    assert left == [], f"{view}: English left: {left}\n{texts}"
    assert any(re.search(r"[\uac00-\ud7a3]", text) for text in texts), f"{view}: no Korean at all"


@pytest.fixture(params=["lang=ko", "locale=ko-KR"])
def korean(request, browser, lab) -> Iterator[tuple]:
    """A page in Korean, and the URL options that make it so: ?lang=ko (an English browser), or none (a Korean
    browser: Playwright's locale sets navigator.languages and Accept-Language)."""
    forced = request.param == "lang=ko"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US" if forced else "ko-KR")
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    try:
        yield page, ({"lang": "ko"} if forced else {})
    finally:
        lab.stop_all()
        context.close()


def open_start(page, lab, **params) -> None:
    page.goto(lab.url(**params))
    page.wait_for_selector("body[data-state=ready]")


def start_fails(page, view: str, **fields: str) -> None:
    """Fill the fields, press Start, wait for the start error, check the whole page."""
    for field, value in fields.items():
        page.fill(f"#{field}", value)
    page.click("#start")
    expect(page.locator("#start-error")).to_be_visible(timeout=30_000)
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert_korean(page, view)


def test_the_start_screen_and_every_start_error_are_in_korean(korean, lab):
    page, lang = korean
    good = {name: lab.config[name] for name in ("identityPoolId", "unauthRoleArn", "region", "endpoint")}
    open_start(page, lab, advanced=1, wait=3, **lang)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#start")).to_have_text("시작")
    assert_korean(page, "start screen with Advanced")

    start_fails(page, "no pool id", identityPoolId="")
    start_fails(page, "no region", identityPoolId="no-region-here", region="")
    start_fails(page, "no role", identityPoolId=good["identityPoolId"], region="us-east-1", unauthRoleArn="")
    start_fails(page, "pool not found", identityPoolId="us-east-1:00000000-0000-0000-0000-000000000000",
                unauthRoleArn=good["unauthRoleArn"])  # fmt: skip
    expect(page.locator("#start-error")).to_contain_text("자격 증명 풀을 찾을 수 없음")
    start_fails(page, "malformed pool id", identityPoolId="us-east-1:not a pool id")
    start_fails(page, "unreachable", identityPoolId=good["identityPoolId"], endpoint="http://127.0.0.1:9")
    expect(page.locator("#start-error")).to_contain_text("엔드포인트에 연결할 수 없음")
    page.fill("#endpoint", good["endpoint"])
    page.fill("#streamName", "no-such-stream")
    start_fails(page, "stream denied")
    expect(page.locator("#start-error")).to_contain_text("액세스 거부")
    page.fill("#streamName", "wildrydes")
    # A role that refuses this pool's guests: first the page waits it out as IAM propagation (wait=3), then says no.
    page.fill("#unauthRoleArn", good["unauthRoleArn"].replace("Unauth_Role", "Auth_Role"))
    page.click("#start")
    expect(page.locator("#start-progress")).to_contain_text("게스트 역할이 아직 적용되지 않았습니다")
    assert_korean(page, "waiting for IAM")
    expect(page.locator("#start-error")).to_contain_text("액세스 거부", timeout=30_000)
    assert_korean(page, "role refused")
    page.fill("#replay-from", "어제")  # echoed back in the message: typed in Korean, as a Korean user would
    start_fails(page, "bad replay span", unauthRoleArn=good["unauthRoleArn"])
    page.fill("#replay-from", "")
    assert page.page_errors == []


def test_config_problems_and_the_attendee_list_are_in_korean(korean, lab):
    page, lang = korean
    open_start(page, lab, attendee="nobody", **lang)
    expect(page.locator("#config-note")).to_contain_text("nobody 참가자는 이곳에 설정되어 있지 않습니다")
    assert_korean(page, "unknown attendee")
    second = lab.build_dir / "second"
    second.mkdir()
    try:
        shutil.copy(lab.build_dir / "local" / "dashboard-config.json", second / "dashboard-config.json")
        page.goto(f"{lab.dashboard_url}?{'&'.join(f'{k}={v}' for k, v in lang.items())}")
        page.wait_for_selector("body[data-state=ready]")
        expect(page.locator("#attendees")).to_be_visible()
        assert_korean(page, "attendee list")
    finally:
        shutil.rmtree(second)


def test_the_map_the_list_a_popup_and_every_notice_are_in_korean(korean, lab):
    page, lang = korean
    with tile_server("fail") as tiles:
        open_start(page, lab, max=3, timeout=600, tiles=tiles.template, **lang)
        page.click("#start")
        page.wait_for_selector("body[data-state=reading]")
        now = datetime.now(UTC)
        ahead = now + timedelta(hours=3)
        put_records(
            lab,
            [(name, unicorn_record(name, now, latitude=42.2 + i / 10)) for i, name in enumerate(UNICORNS[:4])]
            + [("x", b"not a unicorn"), ("Skewed-ko", unicorn_record("Skewed-ko", ahead))]
            + [("Skewed-ko", unicorn_record("Skewed-ko", now, latitude=42.0))]
            + [("Skewed-ko", unicorn_record("Skewed-ko", ahead, latitude=42.1, HealthPoints=50))],
        )
        expect(page.locator("#notices .notice-cap")).to_contain_text("가장 최근 유니콘 3마리만", timeout=15_000)
        expect(page.locator("#notices .notice-skipped")).to_contain_text("건너뛴 레코드: 1개")
        expect(page.locator("#notices .notice-offline")).to_have_text("오프라인 지도", timeout=10_000)
        expect(marker(page, "Skewed-ko")).to_be_visible()
        marker(page, "Skewed-ko").locator(".unicorn-dot").click()
        popup = page.locator(".leaflet-popup .unicorn-popup")
        expect(popup.locator("[data-field=skew]")).to_contain_text("시계 차이 +3시간")
        expect(popup.locator("[data-field=speed]")).to_contain_text("시속")
        page.wait_for_timeout(1200)  # the status line's next update
        expect(page.locator("#status")).to_contain_text("샤드 1개")
        assert_korean(page, "map, list, popup, notices")
    assert page.page_errors == []


def test_a_replay_and_refused_tiles_are_said_in_korean(korean, lab):
    page, lang = korean
    open_start(page, lab, tiles="http://tiles.example.com/{z}/{x}/{y}.png", **{"from": "1m", "speed": "60"}, **lang)
    page.click("#start")
    page.wait_for_selector("body[data-state=reading]", timeout=30_000)
    expect(page.locator("#notices .notice-tiles")).to_contain_text("타일 거부")
    expect(page.locator("#notices .notice-replay")).to_be_visible(timeout=15_000)
    assert_korean(page, "replaying, tiles refused")
    page.wait_for_selector("body[data-replay=live]", timeout=30_000)
    expect(page.locator("#notices .notice-replay")).to_contain_text("실시간")
    assert_korean(page, "replay caught up")
    assert page.page_errors == []


def test_english_stays_english_and_the_switch_keeps_the_other_options(page, lab):
    open_start(page, lab, lang="en", advanced=1, timeout=7)
    expect(page.locator("#start")).to_have_text("Start")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language a[lang=ko]").click()
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#start")).to_have_text("시작")
    query = page.evaluate("location.search")
    assert "lang=ko" in query and "timeout=7" in query and "advanced=1" in query and "attendee=local" in query
    page.locator("#language a[lang=en]").click()
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#start")).to_have_text("Start")


def test_an_error_while_reading_is_in_korean(page, lab):
    """Last in this module: it deletes the lab's stream."""
    open_start(page, lab, lang="ko")
    page.click("#start")
    page.wait_for_selector("body[data-state=reading]")
    kinesis = lab.admin_client("kinesis")
    kinesis.delete_stream(StreamName="wildrydes", EnforceConsumerDeletion=True)
    expect(page.locator("#error")).to_be_visible(timeout=30_000)
    assert_korean(page, "error while reading")
