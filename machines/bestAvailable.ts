/**
 * The free seats of one row, as a host knows them: maximal runs of adjacent available seats, each
 * `[start, end)` in seat positions within the row (0-based, left to right), in order.
 */
export interface RowRuns {
  /** The host's name for the row (e.g. its first seat index); returned in the placement. */
  row: number;
  /** Seats in the whole row, taken or not: its centre is the middle of them. */
  length: number;
  runs: ReadonlyArray<readonly [start: number, end: number]>;
}

/** Where best available puts `count` seats: positions `[start, start + count)` of `row`. */
export interface Placement {
  row: number;
  start: number;
  /** Whether it leaves a single empty seat stranded beside it (only when nothing else fits). */
  strandsSeat: boolean;
}

/**
 * Best available: `count` adjacent available seats in one row, chosen by these rules, in order:
 *
 * 1. never leave a single empty seat stranded (between the block and a taken seat or the row's
 *    end) where a choice that strands none exists anywhere;
 * 2. the row nearest the front (rows are given front first);
 * 3. the block whose middle is nearest the row's centre (ties: the leftmost).
 *
 * It reads each row's runs once and does O(1) work per run, so its cost is the number of free
 * runs it is shown; it stops at the first row that has a block stranding nothing. Returns `null`
 * when no row has `count` adjacent free seats. Pure: the host shows it the rows and holds what it
 * picks, atomically, picking again if a seat was taken in between.
 *
 * @example
 * ```ts
 * bestAvailable([{ row: 0, length: 10, runs: [[0, 10]] }], 4);
 * // { row: 0, start: 3, strandsSeat: false }  (seats 3..6, the middle of the row)
 * ```
 */
export function bestAvailable(rows: Iterable<RowRuns>, count: number): Placement | null {
  type Choice = { row: number; start: number; distance: number };
  let fallback = null as Choice | null;
  for (const { row, length, runs } of rows) {
    let best = null as Choice | null;
    const centre = (length - count) / 2; // the start that centres the block exactly
    for (const [a, b] of runs) {
      if (b - a < count) continue;
      for (const start of candidates(a, b, count, centre)) {
        const distance = Math.abs(start - centre);
        if (strands(a, b, start, count)) {
          // Rows come front first: a fallback is only ever improved within its own row.
          const better =
            fallback?.row === row && closer(start, distance, fallback.start, fallback.distance);
          if (!fallback || better) fallback = { row, start, distance };
        } else if (!best || closer(start, distance, best.start, best.distance)) {
          best = { row, start, distance };
        }
      }
    }
    if (best) return { row, start: best.start, strandsSeat: false };
  }
  return fallback && { row: fallback.row, start: fallback.start, strandsSeat: true };
}

/** Nearer the centre, or as near and further left (so equal choices always resolve the same way). */
function closer(
  start: number,
  distance: number,
  otherStart: number,
  otherDistance: number,
): boolean {
  if (Math.abs(distance - otherDistance) > 1e-9) return distance < otherDistance;
  return start < otherStart;
}

/** A single seat left over on either side of the block, inside run `[a, b)`. */
function strands(a: number, b: number, start: number, count: number): boolean {
  return start - a === 1 || b - (start + count) === 1;
}

/**
 * The starts worth comparing in run `[a, b)`: the one nearest the centre, its neighbours (in case
 * it strands a seat), and both ends of the run (which strand nothing on their own side).
 */
function candidates(a: number, b: number, count: number, centre: number): number[] {
  const last = b - count;
  const clamp = (s: number) => Math.min(last, Math.max(a, s));
  const near = clamp(Math.floor(centre));
  return [
    ...new Set([near, clamp(near + 1), clamp(near - 1), clamp(near + 2), clamp(near - 2), a, last]),
  ];
}
