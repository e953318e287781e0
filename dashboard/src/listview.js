// The side list: one row per unicorn on the map, sorted by (cut) name, with its vitals. Text only.
// Keyed by the unicorn's key (its whole name): two names alike in their first 200 characters are two rows.

import { t } from "./i18n.js";
import { clockText, el, inTrouble, lowHealth, lowMagic, shortSpeed, shortStatusTime, VITALS } from "./vitals.js";

// In the list, the time of day only (the popup and the cell's tooltip have the whole StatusTime), and the speed
// without a long unit.
const SHORT = { time: shortStatusTime, speed: shortSpeed };
const COLUMNS = VITALS.map(([key, label, format]) => [key, label, SHORT[key] ?? format]);

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export class ListView {
  constructor(container, { onSelect = () => {} } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.rows = new Map(); // key -> {row, cells, label}
    this.order = []; // keys, sorted by label
  }

  upsert(u) {
    let item = this.rows.get(u.key);
    if (!item) {
      item = this.create(u);
      this.rows.set(u.key, item);
      this.insertSorted(u.key, item);
    }
    for (const [key, , format] of COLUMNS) {
      const text = format(u);
      if (item.cells[key].textContent !== text) item.cells[key].textContent = text;
    }
    const clock = clockText(u);
    const time = t("vital.timeValue", { time: u.statusTime });
    item.cells.time.title = clock ? `${time} · ${clock}` : time;
    item.cells.time.classList.toggle("skewed", Boolean(clock));
    const trouble = inTrouble(u);
    if (trouble !== item.trouble) {
      item.trouble = trouble;
      item.row.classList.toggle("low", trouble);
    }
    item.cells.health.classList.toggle("low", lowHealth(u));
    item.cells.magic.classList.toggle("low", lowMagic(u));
  }

  create(u) {
    const row = el("li", "unicorn-row");
    row.tabIndex = 0;
    row.append(el("span", "cell-name", u.label));
    const cells = {};
    for (const [key, label] of COLUMNS) {
      const cell = el("span", `cell-${key}`);
      cell.dataset.field = key;
      cell.title = t(label);
      cells[key] = cell;
      row.append(cell);
    }
    const select = () => this.onSelect(u.key);
    row.addEventListener("click", select);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") select();
    });
    return { row, cells, trouble: false, label: u.label };
  }

  /** First index whose label sorts at or after `label` (binary search over the sorted keys). */
  lowerBound(label) {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (collator.compare(this.rows.get(this.order[middle]).label, label) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  insertSorted(key, item) {
    const at = this.lowerBound(item.label);
    const before = at < this.order.length ? this.rows.get(this.order[at]).row : null;
    this.order.splice(at, 0, key);
    this.container.insertBefore(item.row, before);
  }

  remove(key) {
    const item = this.rows.get(key);
    if (!item) return;
    item.row.remove();
    // Search from the label's place: with thousands of rows, indexOf over all of them on every drop adds up.
    let index = this.lowerBound(item.label);
    while (index < this.order.length && this.order[index] !== key) index += 1;
    if (index >= this.order.length) index = this.order.indexOf(key);
    if (index >= 0) this.order.splice(index, 1);
    this.rows.delete(key);
  }
}
