/** Where a seat is: its section, row label, number in the row (from 1) and price category. */
export interface SeatPlace {
  section: string;
  row: string;
  number: number;
  category: string;
}

/** One row as a client draws it: its label and how many seats it has. */
export interface RowShape {
  label: string;
  seats: number;
}

/** One section as a client draws it: enough to lay out its rows and name it. */
export interface SectionShape {
  id: string;
  name: string;
  category: string;
  /** Seats in the whole section. */
  seats: number;
  rows: RowShape[];
}

/** The seats of one section: indexes `start` (inclusive) to `end` (exclusive). */
export interface SeatRange {
  start: number;
  end: number;
}

/**
 * An event's seats, in a fixed order: section by section, row by row, seat by seat. A seat's
 * index in that order is how stores keep it, so no seat needs an object of its own: a layout of
 * 1,000,000 seats is a few arrays of rows, and id ↔ index is arithmetic or a map lookup.
 *
 * @example
 * ```ts
 * const layout: Layout = createLayout({ sections: [{ id: 'FLOOR', rows: [{ label: 'A', seats: 30 }] }] });
 * layout.indexOf('FLOOR-A-12'); // 11
 * layout.placeAt(11); // { section: 'FLOOR', row: 'A', number: 12, category: 'standard' }
 * ```
 */
export interface Layout {
  /** How many seats there are. */
  readonly size: number;
  /** The seat id at `index` (0-based, in layout order). */
  idAt(index: number): string;
  /** The index of seat `id`, or `undefined` when the layout has no such seat. */
  indexOf(id: string): number | undefined;
  has(id: string): boolean;
  /** Where seat `index` is. */
  placeAt(index: number): SeatPlace;
  /** The sections with their rows, in layout order (what a client needs to draw the map). */
  sections(): SectionShape[];
  /** The indexes of section `id`'s seats, or `undefined` when there is no such section. */
  sectionRange(id: string): SeatRange | undefined;
}

/** The category of a seat whose section names none. */
export const DEFAULT_CATEGORY = 'standard';
