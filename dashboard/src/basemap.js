// A basemap that needs no network: coastlines and country borders (world-atlas, Natural Earth 1:50m),
// US state and county borders (us-atlas, Census 1:10m), shipped with the page as TopoJSON and turned
// into GeoJSON with topojson-client, drawn as Leaflet GeoJSON layers on a canvas of their own.
// Street tiles go underneath once Start is pressed (addTiles), and give way to the outlines alone when they fail.

import L from "leaflet";
import { feature, mesh } from "topojson-client";

const COUNTIES_FROM_ZOOM = 7;
// A tile server that has not delivered a single tile in this long is taken as unreachable.
export const TILE_PATIENCE_MS = 3000;
const LAND_FILL = "#f3efe4";

async function load(url) {
  const reply = await fetch(url);
  if (!reply.ok) throw new Error(`${url}: HTTP ${reply.status}`);
  return reply.json();
}

export async function addBasemap(map) {
  const pane = map.createPane("basemap");
  pane.style.zIndex = 250;
  pane.style.pointerEvents = "none";
  const renderer = L.canvas({ pane: "basemap", padding: 0.2 });
  const style = (className, extra) => ({ renderer, pane: "basemap", interactive: false, className, ...extra });

  const [world, us] = await Promise.all([load("basemap/countries-50m.json"), load("basemap/counties-10m.json")]);
  const layers = {
    land: L.geoJSON(feature(world, world.objects.land), {
      ...style("basemap-land", {
        color: "#5b7083",
        weight: 1,
        fill: true,
        fillColor: LAND_FILL,
        fillOpacity: 1,
      }),
    }),
    countries: L.geoJSON(
      mesh(world, world.objects.countries, (a, b) => a !== b),
      style("basemap-countries", { color: "#7d8b99", weight: 1.2 }),
    ),
    states: L.geoJSON(
      mesh(us, us.objects.states, (a, b) => a !== b),
      style("basemap-states", { color: "#8e9aa6", weight: 1 }),
    ),
    counties: L.geoJSON(
      mesh(us, us.objects.counties, (a, b) => a !== b && ((a.id / 1000) | 0) === ((b.id / 1000) | 0)),
      style("basemap-counties", { color: "#b9c2ca", weight: 0.6, dashArray: "2 3" }),
    ),
  };
  layers.land.addTo(map);
  layers.countries.addTo(map);
  layers.states.addTo(map);
  const showCounties = () => {
    if (map.getZoom() >= COUNTIES_FROM_ZOOM) layers.counties.addTo(map);
    else layers.counties.remove();
  };
  map.on("zoomend", showCounties);
  showCounties();
  return layers;
}

/**
 * A tile layer ({url, attribution}) under the outlines. The land's fill gives way at the first tile; a tile that
 * fails, or no tile within TILE_PATIENCE_MS, takes the layer off again (pending tiles are aborted), brings the fill
 * back and calls onOffline() once. Nothing waits for it: markers and outlines draw as before.
 */
export function addTiles(map, { url, attribution }, basemap, onOffline) {
  const layer = L.tileLayer(url, { attribution, maxZoom: 19, className: "street-tiles" });
  let loaded = false;
  let failed = false;
  const land = (fill) => basemap.then((layers) => layers?.land.setStyle({ fill }));
  const fail = () => {
    if (failed) return;
    failed = true;
    clearTimeout(timer);
    layer.remove();
    land(true);
    onOffline();
  };
  layer.on("tileload", () => {
    if (failed || loaded) return;
    loaded = true;
    clearTimeout(timer);
    land(false);
  });
  layer.on("tileerror", fail);
  const timer = setTimeout(() => {
    if (!loaded) fail();
  }, TILE_PATIENCE_MS);
  layer.addTo(map);
  return layer;
}
