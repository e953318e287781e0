"""Street tiles under the herd, in headless Chromium against the lab (no internet: tiles come from a local server).

Tiles are asked for only after Start; a tile server that hangs or fails leaves the offline outlines and the notice
"offline map" (once), and the herd is drawn meanwhile; `?tiles=none` makes no request beyond the page and the AWS
endpoint; the page's Content-Security-Policy lets images come from the chosen tile origin only.
"""

import base64
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.dashboard.harness import start_dashboard_page
from tests.dashboard.test_dashboard_browser import marker, put_records, unicorn_record
from tests.dashboard.tileserver import TILE_COLOUR, tile_server

LAND_FILL = (0xF3, 0xEF, 0xE4)  # basemap.js's land colour


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def colour_share(page, colour: tuple[int, int, int]) -> float:
    """The share of the map's pixels (as shown on screen) within a few levels of `colour`. The screenshot is
    decoded by the page itself: a data: image drawn on a canvas (same origin, so its pixels can be read)."""
    shot = base64.b64encode(page.locator("#map").screenshot()).decode()
    return page.evaluate(
        """async ([data, colour]) => {
          const image = new Image();
          image.src = "data:image/png;base64," + data;
          await image.decode();
          const canvas = document.createElement("canvas");
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext("2d");
          context.drawImage(image, 0, 0);
          const pixels = context.getImageData(0, 0, image.width, image.height).data;
          let near = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            if (Math.abs(pixels[i] - colour[0]) + Math.abs(pixels[i + 1] - colour[1]) +
                Math.abs(pixels[i + 2] - colour[2]) <= 12) near += 1;
          }
          return near / (pixels.length / 4);
        }""",
        [shot, list(colour)],
    )


def put_unicorn(lab, name: str) -> None:
    put_records(lab, [(name, unicorn_record(name, datetime.now(UTC)))])


def test_tiles_from_a_local_server_appear_under_the_herd_and_only_after_start(page, lab):
    with tile_server("ok") as tiles:
        page.goto(lab.url(tiles=tiles.template))
        page.wait_for_selector("body[data-state=ready]")
        page.wait_for_timeout(1000)
        assert tiles.requests == [], "tiles were asked for before Start"
        page.click("#start")
        page.wait_for_selector("body[data-state=reading]")
        put_unicorn(lab, "Tiled-1")
        expect(marker(page, "Tiled-1")).to_be_visible(timeout=15_000)
        expect(page.locator(".street-tiles img.leaflet-tile-loaded").first).to_be_visible(timeout=15_000)
        assert tiles.requests and all(path.endswith(".png") for path in tiles.requests)
        # Under the herd: the tiles' pane lies below the outlines, the trails and the markers.
        panes = page.evaluate(
            """() => Object.fromEntries(["tile", "basemap", "trails", "marker"].map(name => [name,
                 Number(getComputedStyle(document.querySelector(`.leaflet-${name}-pane`)).zIndex)]))"""
        )
        assert panes["tile"] < panes["basemap"] < panes["trails"] < panes["marker"], panes
        # The land's fill gave way: the tiles' own colour is what the map shows.
        page.wait_for_timeout(500)
        assert colour_share(page, TILE_COLOUR) > 0.3
        assert colour_share(page, LAND_FILL) < 0.05
        # Past the 3 s patience, nothing is said: the tiles came.
        page.wait_for_timeout(3500)
        expect(page.locator("#notices .notice-offline")).to_have_count(0)
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")
        assert page.page_errors == []


@pytest.mark.parametrize("mode", ["hang", "fail"])
def test_a_tile_server_that_hangs_or_fails_leaves_the_outlines_and_says_offline_map_once(page, lab, mode):
    with tile_server(mode) as tiles:
        start_dashboard_page(page, lab.url(tiles=tiles.template))
        put_unicorn(lab, f"Offline-{mode}")
        # The herd is drawn while the tiles are still pending (hang) or failing: nothing waits for them.
        expect(marker(page, f"Offline-{mode}")).to_be_visible(timeout=15_000)
        notice = page.locator("#notices .notice-offline")
        expect(notice).to_have_text("offline map", timeout=10_000)
        assert tiles.requests, "no tile was asked for"
        expect(page.locator(".street-tiles")).to_have_count(0)
        # The outlines stay, the land filled again.
        page.wait_for_timeout(300)
        assert colour_share(page, LAND_FILL) > 0.2
        assert colour_share(page, TILE_COLOUR) == 0
        # Moving the map asks for no more tiles, and the notice is not said again.
        asked = len(tiles.requests)
        page.evaluate("() => window.wildrydes.mapView.map.setZoom(window.wildrydes.mapView.map.getZoom() - 2)")
        page.wait_for_timeout(1500)
        assert len(tiles.requests) == asked
        expect(notice).to_have_count(1)
        # The map still works: a new unicorn is drawn, its popup opens.
        put_unicorn(lab, f"Offline-{mode}-2")
        expect(marker(page, f"Offline-{mode}-2")).to_be_visible(timeout=15_000)
        marker(page, f"Offline-{mode}-2").locator(".unicorn-dot").click()
        expect(page.locator(".leaflet-popup .unicorn-popup h3")).to_have_text(f"Offline-{mode}-2")
        assert page.page_errors == []


def test_tiles_none_makes_no_request_beyond_the_page_and_the_endpoint(page, lab):
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    start_dashboard_page(page, lab.url(tiles="none"))
    put_unicorn(lab, "Untiled-1")
    expect(marker(page, "Untiled-1")).to_be_visible(timeout=15_000)
    marker(page, "Untiled-1").locator(".unicorn-dot").click()
    page.evaluate("() => window.wildrydes.mapView.map.setZoom(window.wildrydes.mapView.map.getZoom() - 1)")
    page.wait_for_timeout(3500)
    network = {origin(url) for url in urls if not url.startswith("data:")}
    assert network <= {origin(lab.dashboard_url), origin(lab.endpoint_url)}, network
    expect(page.locator("#notices .notice-offline")).to_have_count(0)
    assert page.locator(".street-tiles").count() == 0


def test_before_start_nothing_leaves_the_page_origin_even_with_the_default_tiles(page, lab):
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(lab.url())
    page.wait_for_selector("body[data-state=ready]")
    page.wait_for_timeout(1500)
    assert {origin(url) for url in urls if not url.startswith("data:")} == {origin(lab.dashboard_url)}


def image_loads(page, url: str) -> bool:
    return page.evaluate(
        """url => new Promise(resolve => {
             const image = new Image();
             image.onload = () => resolve(true);
             image.onerror = () => resolve(false);
             image.src = url;
           })""",
        url,
    )


def test_the_page_policy_lets_images_come_from_the_tile_origin_only(page, lab):
    with tile_server("ok") as tiles, tile_server("ok") as other:
        page.goto(lab.url(tiles=tiles.template))
        page.wait_for_selector("body[data-state=ready]")
        assert image_loads(page, f"{tiles.url}/1/0/0.png")
        assert not image_loads(page, f"{other.url}/1/0/0.png")
        assert other.requests == [], "the policy let a request through to another image host"
        assert not image_loads(page, other.url.replace("127.0.0.1", "localhost") + "/1/0/0.png")
        assert other.requests == []


def test_a_tile_url_on_another_host_over_http_is_refused_with_a_notice_and_never_asked(page, lab):
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    refused = "http://tiles.example.com/{z}/{x}/{y}.png"
    start_dashboard_page(page, lab.url(tiles=refused))
    notice = page.locator("#notices .notice-tiles")
    expect(notice).to_contain_text(f"tiles refused: {refused}")
    page.wait_for_timeout(1000)
    assert not [url for url in urls if urlsplit(url).hostname == "tiles.example.com"]
    assert page.locator(".street-tiles").count() == 0
