import { DEFAULT_CATEGORY, type Layout, type SeatPlace, type SectionShape } from './layout/Layout';

/** The one section of a grid layout (`{"rows": 10, "seatsPerRow": 10}`): its ids have no prefix. */
export const GRID_SECTION = 'MAIN';

/**
 * A grid layout, the shorthand `{"rows": 10, "seatsPerRow": 10}`: seat ids are a row label (`A`…`Z`, `AA`, `AB`, … like spreadsheet columns)
 * followed by the seat number from 1. Seats are ordered row by row; a seat's index in that order
 * is how stores keep it, so a venue of any size costs nothing until its seats are touched. All
 * seats are in one section, {@link GRID_SECTION}, of the default category; every lookup is
 * arithmetic.
 *
 * @example
 * ```ts
 * const venue = new Venue(10, 10);
 * venue.idAt(0); // 'A1'
 * venue.indexOf('J10'); // 99
 * venue.indexOf('K1'); // undefined
 * ```
 */
export class Venue implements Layout {
  readonly size: number;
  private readonly labels: string[] = [];

  constructor(
    readonly rows: number,
    readonly seatsPerRow: number,
  ) {
    this.size = rows * seatsPerRow;
  }

  /** The seat id at `index` (0-based, row-major). */
  idAt(index: number): string {
    const row = Math.floor(index / this.seatsPerRow);
    // Labels are cached: a page of seats asks for the same row's label again and again.
    const label = (this.labels[row] ??= rowLabel(row));
    return label + ((index % this.seatsPerRow) + 1);
  }

  /** The index of seat `id`, or `undefined` when the venue has no such seat. */
  indexOf(id: string): number | undefined {
    const match = SEAT_ID.exec(id);
    if (!match) return undefined;
    const row = rowIndex(match[1]);
    const seat = Number(match[2]);
    if (row >= this.rows || seat > this.seatsPerRow) return undefined;
    return row * this.seatsPerRow + seat - 1;
  }

  has(id: string): boolean {
    return this.indexOf(id) !== undefined;
  }

  placeAt(index: number): SeatPlace {
    const row = Math.floor(index / this.seatsPerRow);
    return {
      section: GRID_SECTION,
      row: (this.labels[row] ??= rowLabel(row)),
      number: (index % this.seatsPerRow) + 1,
      category: DEFAULT_CATEGORY,
    };
  }

  sections(): SectionShape[] {
    const rows = Array.from({ length: this.rows }, (_, row) => ({
      label: rowLabel(row),
      seats: this.seatsPerRow,
    }));
    const name = 'Main';
    return [{ id: GRID_SECTION, name, category: DEFAULT_CATEGORY, seats: this.size, rows }];
  }

  sectionRange(id: string) {
    return id === GRID_SECTION ? { start: 0, end: this.size } : undefined;
  }
}

// Bounded lengths keep hostile ids (10 kB of letters) from turning into huge numbers.
const SEAT_ID = /^([A-Z]{1,6})([1-9][0-9]{0,8})$/;

/** Spreadsheet-style label of a 0-based row: 0 → `A`, 25 → `Z`, 26 → `AA`. */
export function rowLabel(row: number): string {
  let label = '';
  for (let n = row + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

/** Inverse of {@link rowLabel}. */
export function rowIndex(label: string): number {
  let n = 0;
  for (const ch of label) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}
