// The map: a marker per unicorn (its name beside it) with a capped trail; click for its vitals.
// Markers and popups are DOM elements built with textContent: record fields are never parsed as HTML.
// Keyed by the unicorn's key (its whole name); labelled with its cut name.

import L from "leaflet";
import { addBasemap, addTiles } from "./basemap.js";
import { t } from "./i18n.js";
import { clockText, cutNameText, el, inTrouble, lowHealth, lowMagic, VITALS } from "./vitals.js";

// Before any unicorn: the workshop's part of the world (its sample records are near Worcester, MA).
const START_VIEW = { center: [42.2644, -71.9758], zoom: 8 };
const FIT_OPTIONS = { padding: [40, 40], maxZoom: 13, animate: false };
const FIT_MARGIN = 0.15; // around the herd, as a share of its extent

export class MapView {
  constructor(container, { tiles = null, onUserMove = () => {}, onOffline = () => {} } = {}) {
    this.map = L.map(container, { zoomControl: false, worldCopyJump: true, minZoom: 2, maxZoom: 18 });
    L.control.zoom({ zoomInTitle: t("map.zoomIn"), zoomOutTitle: t("map.zoomOut") }).addTo(this.map);
    this.tiles = tiles;
    this.onOffline = onOffline;
    this.map.setView(START_VIEW.center, START_VIEW.zoom);
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    this.map.attributionControl.addAttribution("Natural Earth, US Census Bureau");
    const trails = this.map.createPane("trails");
    trails.style.zIndex = 400;
    trails.style.pointerEvents = "none";
    this.trailRenderer = L.canvas({ pane: "trails", padding: 0.3 });
    this.basemap = addBasemap(this.map).catch((error) => {
      console.warn("basemap not loaded", error);
      return null;
    });
    this.items = new Map(); // key -> {marker, trail, element, popup fields}
    this.fitting = false;
    // The user took the map over (dragged, zoomed): stop following the herd until asked.
    this.map.on("dragstart", () => onUserMove());
    container.addEventListener("wheel", () => onUserMove(), { passive: true });
    this.map.on("zoomstart", () => {
      if (!this.fitting) onUserMove();
    });
  }

  /**
   * Street tiles under the herd (called at Start: never a request to the tile host before). Tried without holding
   * anything up; on failure the outlines stay and onOffline() is called once.
   */
  startTiles() {
    if (this.tileLayer || !this.tiles?.url) return;
    this.tileLayer = addTiles(this.map, this.tiles, this.basemap, () => this.onOffline());
  }

  upsert(u) {
    let item = this.items.get(u.key);
    const latlng = [u.latitude, u.longitude];
    if (!item) {
      item = this.create(u, latlng);
      this.items.set(u.key, item);
    } else {
      item.marker.setLatLng(latlng);
      item.trail.setLatLngs(u.trail);
    }
    const trouble = inTrouble(u);
    if (trouble !== item.trouble) {
      item.trouble = trouble;
      item.element.classList.toggle("low", trouble);
      item.trail.setStyle({ color: trouble ? "#d7263d" : "#6a3d9a" });
    }
    if (item.marker.isPopupOpen()) this.fillPopup(item, u);
  }

  create(u, latlng) {
    const element = el("div", "unicorn");
    element.append(el("span", "unicorn-dot"), el("span", "unicorn-name", u.label));
    const marker = L.marker(latlng, {
      icon: L.divIcon({ className: "unicorn-marker", html: element, iconSize: null, iconAnchor: [7, 7] }),
      keyboard: true,
      riseOnHover: true,
    });
    const popup = el("div", "unicorn-popup");
    popup.append(el("h3", "popup-name", u.label));
    const cut = cutNameText(u);
    if (cut) popup.append(el("p", "popup-note", cut));
    const list = el("dl");
    const fields = {};
    for (const [key, label] of VITALS) {
      const value = el("dd", `vital-${key}`);
      value.dataset.field = key;
      list.append(el("dt", "", t(label)), value);
      fields[key] = value;
    }
    popup.append(list);
    const clock = el("p", "popup-clock");
    clock.dataset.field = "skew";
    clock.hidden = true;
    popup.append(clock);
    fields.skew = clock;
    const item = {
      marker,
      element,
      popupElement: popup,
      fields,
      trouble: false,
      trail: L.polyline(u.trail, {
        renderer: this.trailRenderer,
        pane: "trails",
        interactive: false,
        color: "#6a3d9a",
        weight: 2,
        opacity: 0.7,
      }),
    };
    marker.bindPopup(popup, { autoPan: false, minWidth: 240, maxWidth: 360 });
    marker.on("popupopen", (event) => {
      // Leaflet's own close button is labelled in English.
      event.popup.getElement()?.querySelector(".leaflet-popup-close-button")?.setAttribute("aria-label", t("map.closePopup"));
      this.fillPopup(item, this.lastOf?.(u.key) ?? u);
      // Leaflet sized the popup before its values were in: size it again (Korean labels are wider).
      event.popup.update();
    });
    item.trail.addTo(this.map);
    marker.addTo(this.map);
    marker.getElement()?.setAttribute("aria-label", u.label);
    return item;
  }

  fillPopup(item, u) {
    for (const [key, , format] of VITALS) item.fields[key].textContent = format(u);
    item.fields.health.classList.toggle("low", lowHealth(u));
    item.fields.magic.classList.toggle("low", lowMagic(u));
    const clock = clockText(u);
    item.fields.skew.textContent = clock;
    item.fields.skew.hidden = !clock;
  }

  remove(key) {
    const item = this.items.get(key);
    if (!item) return;
    item.marker.remove();
    item.trail.remove();
    this.items.delete(key);
  }

  open(key) {
    const item = this.items.get(key);
    if (!item) return;
    this.map.panTo(item.marker.getLatLng(), { animate: false });
    item.marker.openPopup();
  }

  contains(u) {
    return this.map.getBounds().contains([u.latitude, u.longitude]);
  }

  /** Bring the herd into view with a margin around it; no move at all when the view would barely change. */
  fit(bounds) {
    const padded = L.latLngBounds(bounds).pad(FIT_MARGIN);
    const zoom = this.map.getBoundsZoom(padded, false, L.point(FIT_OPTIONS.padding));
    const target = Math.min(zoom, FIT_OPTIONS.maxZoom);
    const shift = this.map.latLngToContainerPoint(padded.getCenter()).distanceTo(this.map.getSize().divideBy(2));
    if (target === this.map.getZoom() && shift < 40 && this.map.getBounds().contains(L.latLngBounds(bounds))) {
      return;
    }
    this.fitting = true;
    try {
      this.map.fitBounds(padded, FIT_OPTIONS);
    } finally {
      this.fitting = false;
    }
  }
}
