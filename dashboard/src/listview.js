// The side list: one row per unicorn on the map, sorted by name, with its vitals. Text only.

import { el, inTrouble, lowHealth, lowMagic, shortStatusTime, VITALS } from "./vitals.js";

// In the list, the time of day only (the popup and the cell's tooltip have the whole StatusTime).
const COLUMNS = VITALS.map(([key, label, format]) => (key === "time" ? [key, label, shortStatusTime] : [key, label, format]));

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export class ListView {
  constructor(container, { onSelect = () => {} } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.rows = new Map(); // name -> {row, cells}
    this.order = []; // names, sorted
  }

  upsert(u) {
    let item = this.rows.get(u.name);
    if (!item) {
      item = this.create(u);
      this.rows.set(u.name, item);
      this.insertSorted(u.name, item.row);
    }
    for (const [key, , format] of COLUMNS) {
      const text = format(u);
      if (item.cells[key].textContent !== text) item.cells[key].textContent = text;
    }
    item.cells.time.title = u.statusTime;
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
    row.append(el("span", "cell-name", u.name));
    const cells = {};
    for (const [key, label] of COLUMNS) {
      const cell = el("span", `cell-${key}`);
      cell.dataset.field = key;
      cell.title = label;
      cells[key] = cell;
      row.append(cell);
    }
    const select = () => this.onSelect(u.name);
    row.addEventListener("click", select);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") select();
    });
    return { row, cells, trouble: false };
  }

  insertSorted(name, row) {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (collator.compare(this.order[middle], name) < 0) low = middle + 1;
      else high = middle;
    }
    const before = low < this.order.length ? this.rows.get(this.order[low]).row : null;
    this.order.splice(low, 0, name);
    this.container.insertBefore(row, before);
  }

  remove(name) {
    const item = this.rows.get(name);
    if (!item) return;
    item.row.remove();
    this.rows.delete(name);
    const index = this.order.indexOf(name);
    if (index >= 0) this.order.splice(index, 1);
  }
}
