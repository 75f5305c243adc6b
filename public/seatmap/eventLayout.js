// @ts-check
// An event's seats in the server's order (section by section, row by row, seat by seat), built
// from the layout `GET /events/:eventId` gives: a seat's index is arithmetic on row starts, so a
// 1,000,000-seat event costs a few arrays of rows here, never an object per seat.

/** @typedef {import('./types.js').SectionShape} SectionShape */

/**
 * @typedef {object} LayoutRow
 * @property {string} label
 * @property {number} section index of its section in {@link EventLayout#sections}
 * @property {number} start index of its first seat
 * @property {number} seats
 */

/**
 * @typedef {object} LayoutSection
 * @property {string} id
 * @property {string} name
 * @property {string} category
 * @property {number} start index of its first seat
 * @property {number} end index after its last seat
 * @property {number} firstRow index of its first row in {@link EventLayout#rows}
 * @property {number} rowCount
 */

export class EventLayout {
  /**
   * @param {SectionShape[]} sections as `GET /events/:eventId` lists them, in layout order
   * @param {boolean} grid seat ids are `A12` (the `{rows, seatsPerRow}` shorthand), not `FLOOR-A-12`
   */
  constructor(sections, grid) {
    this.grid = grid;
    /** @type {LayoutSection[]} */
    this.sections = [];
    /** @type {LayoutRow[]} */
    this.rows = [];
    /** @type {Map<string, number>} the id prefix of a row's seats (`FLOOR-A-` or `A`) → row */
    this.rowsByPrefix = new Map();
    let next = 0;
    sections.forEach((shape, section) => {
      const start = next;
      const firstRow = this.rows.length;
      for (const { label, seats } of shape.rows) {
        this.rowsByPrefix.set(grid ? label : `${shape.id}-${label}-`, this.rows.length);
        this.rows.push({ label, section, start: next, seats });
        next += seats;
      }
      const { id, name, category } = shape;
      this.sections.push({
        id,
        name,
        category,
        start,
        end: next,
        firstRow,
        rowCount: shape.rows.length,
      });
    });
    /** How many seats the event has. */
    this.size = next;
  }

  /**
   * The row holding seat `index`: the last row starting at or before it (binary search).
   * @param {number} index
   */
  rowAt(index) {
    let low = 0;
    let high = this.rows.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.rows[mid].start <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /**
   * The id of seat `index`, as the server names it.
   * @param {number} index
   */
  idAt(index) {
    const row = this.rows[this.rowAt(index)];
    return this.prefixOf(row) + String(index - row.start + 1);
  }

  /**
   * The index of seat `id`, or -1 when this event has no such seat.
   * @param {string} id
   */
  indexOf(id) {
    const match = /^(.*?)([1-9][0-9]*)$/.exec(id);
    if (!match) return -1;
    const row = this.rowsByPrefix.get(match[1]);
    const number = Number(match[2]);
    if (row === undefined || number > this.rows[row].seats) return -1;
    return this.rows[row].start + number - 1;
  }

  /**
   * The section holding seat `index`.
   * @param {number} index
   */
  sectionAt(index) {
    return this.rows[this.rowAt(index)].section;
  }

  /**
   * The index of section `id`, or -1.
   * @param {string} id
   */
  sectionIndex(id) {
    return this.sections.findIndex((section) => section.id === id);
  }

  /**
   * What a row's seat ids start with: `A` in a grid, `FLOOR-A-` in sections.
   * @param {LayoutRow} row
   */
  prefixOf(row) {
    return this.grid ? row.label : `${this.sections[row.section].id}-${row.label}-`;
  }
}
