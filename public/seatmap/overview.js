// @ts-check
// The whole venue on one canvas: every seat a small square coloured by its state, each section a
// named, outlined block of its rows. Drawn whole once (runs of same-state seats in a row are one
// rectangle, so a fresh 100,000-seat event is a few hundred rectangles), then one seat at a time
// as events arrive.

/** @typedef {import('./eventLayout.js').EventLayout} EventLayout */
/** @typedef {import('./seatStates.js').SeatStates} SeatStates */

/** Colours by state byte (available, locked, booked), and the user's own seats. */
export const OVERVIEW_COLOURS = ['#52b788', '#f4a300', '#8d8d99'];
export const MINE_COLOUR = '#1d4ed8';
const OUTLINE = '#1b1b1f';
/** Room above a block for its section's name, and between blocks. */
const LABEL_HEIGHT = 16;
const GAP = 14;
/** Largest seat square, CSS pixels; smaller ones are tried until the venue fits. */
const MAX_CELL = 12;
/** Widest canvas drawn (browsers refuse much wider ones), CSS pixels. */
const MAX_CANVAS = 16_000;

/**
 * @typedef {object} Block where a section is drawn, in CSS pixels
 * @property {number} x
 * @property {number} y top of its first row (its name is above)
 * @property {number} width
 * @property {number} height
 * @property {number} widest seats of its longest row
 */

export class Overview {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {EventLayout} layout
   */
  constructor(canvas, layout) {
    this.canvas = canvas;
    this.layout = layout;
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('This browser cannot draw on a canvas.');
    this.context = context;
    /** @type {Block[]} */
    this.blocks = [];
    /** Side of a seat's square, CSS pixels. */
    this.cell = 1;
  }

  /**
   * Sizes the canvas and places the sections, rows of blocks left to right: seats as big as
   * `width` × `maxHeight` CSS pixels allow, but never smaller than a pixel (every seat stays its
   * own pixel, in a canvas that then scrolls), unless a row is too long for any canvas.
   * @param {number} width
   * @param {number} maxHeight
   */
  place(width, maxHeight) {
    let cell = MAX_CELL;
    let placed = this.pack(width, cell);
    while (cell > 1 && (placed.height > maxHeight || placed.width > width)) {
      cell -= 1;
      placed = this.pack(width, cell);
    }
    if (placed.width > MAX_CANVAS) {
      cell = (MAX_CANVAS - GAP) / Math.max(...placed.blocks.map((b) => b.widest));
      placed = this.pack(MAX_CANVAS, cell);
    }
    this.cell = cell;
    this.blocks = placed.blocks;
    const ratio = window.devicePixelRatio || 1;
    const canvasWidth = Math.ceil(Math.max(width, placed.width));
    const height = Math.ceil(placed.height);
    this.canvas.width = Math.round(canvasWidth * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${canvasWidth}px`;
    this.canvas.style.height = `${height}px`;
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  /**
   * Draws every seat, section outlines and names.
   * @param {SeatStates} states
   * @param {Iterable<number>} mine indexes of the user's seats, drawn in their own colour
   */
  draw(states, mine) {
    const { context: ctx, layout, cell } = this;
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    layout.sections.forEach((section, s) => {
      const block = this.blocks[s];
      ctx.strokeStyle = OUTLINE;
      ctx.lineWidth = 1;
      ctx.strokeRect(block.x - 1.5, block.y - 1.5, block.width + 3, block.height + 3);
      ctx.fillStyle = OUTLINE;
      ctx.fillText(section.name, block.x, block.y - 3, Math.max(block.width, 40));
      for (let r = section.firstRow; r < section.firstRow + section.rowCount; r++) {
        this.drawRow(states.bytes, r);
      }
    });
    for (const index of mine) this.paintSeat(index, MINE_COLOUR);
    this.canvas.dataset.drawn = 'true';
    this.canvas.dataset.cell = cell.toFixed(2);
  }

  /**
   * Repaints one seat in `colour` (a seat changed, or became the user's).
   * @param {number} index
   * @param {string} colour
   */
  paintSeat(index, colour) {
    const { x, y, size } = this.seatBox(index);
    this.context.fillStyle = colour;
    this.context.fillRect(x, y, size, size);
  }

  /**
   * Where seat `index` is drawn: its square's corner and side, CSS pixels.
   * @param {number} index
   */
  seatBox(index) {
    const r = this.layout.rowAt(index);
    const { x, y } = this.rowOrigin(r);
    const size = this.cell >= 4 ? this.cell - 1 : this.cell;
    return { x: x + (index - this.layout.rows[r].start) * this.cell, y, size };
  }

  /**
   * The section and row under a point of the canvas (CSS pixels), or null over empty space.
   * @param {number} px
   * @param {number} py
   * @returns {{ section: number, row: number } | null}
   */
  hit(px, py) {
    const s = this.blocks.findIndex(
      (b) => px >= b.x && px <= b.x + b.width && py >= b.y - LABEL_HEIGHT && py <= b.y + b.height,
    );
    if (s < 0) return null;
    const section = this.layout.sections[s];
    const offset = Math.floor((py - this.blocks[s].y) / this.cell);
    const row = section.firstRow + Math.max(0, Math.min(section.rowCount - 1, offset));
    return { section: s, row };
  }

  /**
   * @private
   * @param {Uint8Array} bytes
   * @param {number} r
   */
  drawRow(bytes, r) {
    const { context: ctx, cell } = this;
    const row = this.layout.rows[r];
    const { x, y } = this.rowOrigin(r);
    const end = row.start + row.seats;
    if (cell >= 4) {
      // Big enough to see seats apart: each its own square, a pixel between.
      for (let i = row.start; i < end; i++) {
        ctx.fillStyle = OVERVIEW_COLOURS[bytes[i]];
        ctx.fillRect(x + (i - row.start) * cell, y, cell - 1, cell - 1);
      }
      return;
    }
    for (let i = row.start; i < end;) {
      const byte = bytes[i];
      let j = i + 1;
      while (j < end && bytes[j] === byte) j++;
      ctx.fillStyle = OVERVIEW_COLOURS[byte];
      ctx.fillRect(x + (i - row.start) * cell, y, (j - i) * cell, cell);
      i = j;
    }
  }

  /**
   * Top-left of row `r`'s first seat: rows are centred in their section's block.
   * @private
   * @param {number} r
   */
  rowOrigin(r) {
    const row = this.layout.rows[r];
    const section = this.layout.sections[row.section];
    const block = this.blocks[row.section];
    return {
      x: block.x + Math.floor(((block.widest - row.seats) * this.cell) / 2),
      y: block.y + (r - section.firstRow) * this.cell,
    };
  }

  /**
   * Places every section's block at seat size `cell`, in shelves `width` wide (a block wider
   * than that gets a shelf of its own, and the canvas grows to hold it).
   * @private
   * @param {number} width
   * @param {number} cell
   */
  pack(width, cell) {
    /** @type {Block[]} */
    const blocks = [];
    let x = GAP / 2;
    let top = LABEL_HEIGHT + 2;
    let shelf = 0;
    let right = 0;
    for (const section of this.layout.sections) {
      let widest = 0;
      for (let r = section.firstRow; r < section.firstRow + section.rowCount; r++) {
        widest = Math.max(widest, this.layout.rows[r].seats);
      }
      const w = widest * cell;
      const h = section.rowCount * cell;
      if (x > GAP / 2 && x + w > width - GAP / 2) {
        x = GAP / 2;
        top += shelf + GAP + LABEL_HEIGHT;
        shelf = 0;
      }
      blocks.push({ x, y: top, width: w, height: h, widest });
      right = Math.max(right, x + w + GAP / 2);
      x += w + GAP;
      shelf = Math.max(shelf, h);
    }
    return { blocks, width: right, height: top + shelf + GAP / 2 };
  }
}
