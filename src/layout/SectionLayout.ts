import {
  DEFAULT_CATEGORY,
  type Layout,
  type SeatPlace,
  type SeatRange,
  type SectionShape,
} from './Layout';

/** A section as a layout body gives it (validated by `layoutSchema`). */
export interface SectionSpec {
  id: string;
  name?: string;
  category?: string;
  rows: { label: string; seats: number }[];
}

/**
 * A layout of named sections with labelled rows: seat ids are `SECTION-ROW-NUMBER`
 * (`FLOOR-A-12`). Section ids and row labels never contain `-` (the schema sees to it), so an id
 * splits one way only.
 *
 * Memory is per row, never per seat: the rows' first indexes (for index → id, a binary search,
 * O(log rows)) and one map from `SECTION-ROW` to its row (for id → index, O(1)).
 *
 * @example
 * ```ts
 * const layout = new SectionLayout([{ id: 'FLOOR', rows: [{ label: 'A', seats: 30 }, { label: 'B', seats: 30 }] }]);
 * layout.idAt(30); // 'FLOOR-B-1'
 * layout.indexOf('FLOOR-A-12'); // 11
 * ```
 */
export class SectionLayout implements Layout {
  readonly size: number;
  /** Index of each row's first seat, and one more entry: the layout's size. */
  private readonly rowStarts: Float64Array;
  private readonly rowLabels: string[] = [];
  /** The section of each row (index into `specs`). */
  private readonly rowSections: Uint32Array;
  /** `SECTION-ROW` → row. */
  private readonly rowsByKey = new Map<string, number>();
  private readonly ranges = new Map<string, SeatRange>();

  constructor(private readonly specs: readonly SectionSpec[]) {
    const rowCount = specs.reduce((sum, section) => sum + section.rows.length, 0);
    this.rowStarts = new Float64Array(rowCount + 1);
    this.rowSections = new Uint32Array(rowCount);
    let row = 0;
    let next = 0;
    specs.forEach((section, sectionIndex) => {
      const start = next;
      for (const { label, seats } of section.rows) {
        this.rowStarts[row] = next;
        this.rowSections[row] = sectionIndex;
        this.rowLabels.push(label);
        this.rowsByKey.set(`${section.id}-${label}`, row);
        next += seats;
        row++;
      }
      this.ranges.set(section.id, { start, end: next });
    });
    this.rowStarts[rowCount] = next;
    this.size = next;
  }

  idAt(index: number): string {
    const row = this.rowOf(index);
    const section = this.specs[this.rowSections[row]];
    return `${section.id}-${this.rowLabels[row]}-${index - this.rowStarts[row] + 1}`;
  }

  indexOf(id: string): number | undefined {
    if (id.length > 64) return undefined;
    const dash = id.lastIndexOf('-');
    const number = id.slice(dash + 1);
    if (dash < 0 || !SEAT_NUMBER.test(number)) return undefined;
    const row = this.rowsByKey.get(id.slice(0, dash));
    if (row === undefined) return undefined;
    const index = this.rowStarts[row] + Number(number) - 1;
    return index < this.rowStarts[row + 1] ? index : undefined;
  }

  has(id: string): boolean {
    return this.indexOf(id) !== undefined;
  }

  placeAt(index: number): SeatPlace {
    const row = this.rowOf(index);
    const section = this.specs[this.rowSections[row]];
    return {
      section: section.id,
      row: this.rowLabels[row],
      number: index - this.rowStarts[row] + 1,
      category: section.category ?? DEFAULT_CATEGORY,
    };
  }

  sections(): SectionShape[] {
    return this.specs.map((section) => {
      const { start, end } = this.ranges.get(section.id)!;
      return {
        id: section.id,
        name: section.name ?? section.id,
        category: section.category ?? DEFAULT_CATEGORY,
        seats: end - start,
        rows: section.rows.map(({ label, seats }) => ({ label, seats })),
      };
    });
  }

  sectionRange(id: string): SeatRange | undefined {
    return this.ranges.get(id);
  }

  /** The row holding seat `index`: the last row whose first seat is at or before it. */
  private rowOf(index: number): number {
    let low = 0;
    let high = this.rowStarts.length - 2;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.rowStarts[mid] <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

// A seat number as ids write it: no leading zero, so each seat has exactly one id.
const SEAT_NUMBER = /^[1-9][0-9]{0,6}$/;
