import { bestAvailable, type RowRuns } from '../../machines/bestAvailable';
import type { SeatStore } from '../store/SeatStore';

/** What best available is asked for: how many adjacent seats, and where. */
export interface BestQuery {
  count: number;
  /** Only this section (its id). */
  section?: string;
  /** Only sections of this price category. */
  category?: string;
}

/**
 * The seat ids best available would hold now, or `null` when no row of the sections asked for
 * has `count` adjacent free seats. It reads the store's runs of free seats once per section, cuts
 * them into rows, and lets `bestAvailable` (the pure rule) choose, rows nearest the front first:
 * every section's first row, then every section's second, and so on. The pick is a proposal: the
 * caller holds it through the seats' machines, atomically, and asks again if a seat was taken.
 *
 * @example
 * ```ts
 * await bestAvailableSeats(store, { count: 4 }); // ['A4', 'A5', 'A6', 'A7']
 * ```
 */
export async function bestAvailableSeats(
  store: SeatStore,
  { count, section, category }: BestQuery,
): Promise<string[] | null> {
  const { venue } = store;
  const sections = venue
    .sections()
    .filter(
      (s) =>
        (section === undefined || s.id === section) &&
        (category === undefined || s.category === category),
    );
  const perSection: RowRuns[][] = [];
  for (const shape of sections) {
    const range = venue.sectionRange(shape.id)!;
    const runs = await store.availableRuns(range.start, range.end);
    perSection.push(
      cutIntoRows(
        runs,
        range.start,
        shape.rows.map((row) => row.seats),
      ),
    );
  }
  const depth = Math.max(0, ...perSection.map((rows) => rows.length));
  function* frontFirst(): Generator<RowRuns> {
    for (let r = 0; r < depth; r++)
      for (const rows of perSection) if (r < rows.length) yield rows[r];
  }
  const placement = bestAvailable(frontFirst(), count);
  if (!placement) return null;
  // `row` is the row's first seat index: the block is the `count` seats from `start` on.
  return Array.from({ length: count }, (_, k) => venue.idAt(placement.row + placement.start + k));
}

/**
 * The free runs of one section (global index pairs, in order) as rows: each row named by its
 * first seat's index, with its runs in positions within the row. A run crossing rows is split.
 */
function cutIntoRows(
  runs: Array<[number, number]>,
  first: number,
  rowLengths: number[],
): RowRuns[] {
  const rows: RowRuns[] = [];
  let next = 0;
  let start = first;
  for (const length of rowLengths) {
    const end = start + length;
    const inRow: Array<[number, number]> = [];
    while (next < runs.length && runs[next][0] < end) {
      const [a, b] = runs[next];
      inRow.push([Math.max(a, start) - start, Math.min(b, end) - start]);
      if (b > end) break; // the run goes on into the next row
      next++;
    }
    rows.push({ row: start, length, runs: inRow });
    start = end;
  }
  return rows;
}
