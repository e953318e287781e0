// A basemap that needs no network: coastlines and country borders (world-atlas, Natural Earth 1:50m),
// US state and county borders (us-atlas, Census 1:10m), shipped with the page as TopoJSON and turned
// into GeoJSON with topojson-client, drawn as Leaflet GeoJSON layers on a canvas of their own.
// Optionally, OpenStreetMap tiles underneath (only when configured: they come from the network).

import L from "leaflet";
import { feature, mesh } from "topojson-client";
import { OSM_ATTRIBUTION } from "./config.js";

const COUNTIES_FROM_ZOOM = 7;

async function load(url) {
  const reply = await fetch(url);
  if (!reply.ok) throw new Error(`${url}: HTTP ${reply.status}`);
  return reply.json();
}

export async function addBasemap(map, { tileUrl = "" } = {}) {
  const pane = map.createPane("basemap");
  pane.style.zIndex = 250;
  pane.style.pointerEvents = "none";
  const renderer = L.canvas({ pane: "basemap", padding: 0.2 });
  const style = (className, extra) => ({ renderer, pane: "basemap", interactive: false, className, ...extra });

  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: OSM_ATTRIBUTION, maxZoom: 19 }).addTo(map);
  }

  const [world, us] = await Promise.all([load("basemap/countries-50m.json"), load("basemap/counties-10m.json")]);
  const filled = !tileUrl;
  const layers = {
    land: L.geoJSON(feature(world, world.objects.land), {
      ...style("basemap-land", {
        color: "#5b7083",
        weight: 1,
        fill: filled,
        fillColor: "#f3efe4",
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
