import type { SeatStateValue } from '../../../machines/seatTypes';
import { restoreSeat, seatAt, type SeatSnapshot } from '../../../machines/run/stepSeat';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import { ownerOf, toRecord } from '../seatRecord';
import type { ListQuery, SeatPage, SeatRecord, SeatSummary } from '../SeatStore';
import { seatSummary } from '../TransitionFeed';
import { seatIndex, type SeatRow } from './seatRow';
import { COUNT_BLOCK } from './schema';
import { sql } from './sql';
import type { Database } from './Database';

export interface SeatReaderOptions {
  db: Database;
  /** The event whose seats are read: every statement names it. */
  eventId: string;
  layout: Layout;
  /** The seat as the machine starts it: what a seat without a row is. */
  initial: SeatSnapshot;
  /** Reads show seats as of this clock's `now()`. */
  clock: Pick<Clock, 'now'>;
}

/**
 * The PostgreSQL store's reads: one seat, pages of seats, the summary. Reads go to the database, so
 * they show every committed change; nothing is written by a read. Seats without a row are still
 * in the machine's initial state.
 *
 * @example
 * ```ts
 * const reader = new SeatReader({ db, eventId: 'hamlet', layout, initial, clock });
 * await reader.list({ state: 'locked', limit: 50 }); // { seats: [...], next: null }
 * ```
 */
export class SeatReader {
  constructor(private readonly options: SeatReaderOptions) {}

  /** Seat `index`'s row, or `undefined` while it has none. */
  async readRow(index: number): Promise<SeatRow | undefined> {
    const { db, eventId } = this.options;
    const { rows } = await db.query<SeatRow>(sql.selectSeat, [eventId, index], 'read');
    return rows[0];
  }

  async get(id: string): Promise<SeatRecord> {
    const row = await this.readRow(seatIndex(this.options.layout, id));
    return toRecord(id, row ? this.asOfNow(restoreSeat(row.snapshot)) : this.options.initial);
  }

  /**
   * A page in O(page) whatever the venue's state: locked and booked seats through the state
   * index, the whole venue as the rows of the page's range, available seats block by block,
   * skipping the blocks their counters say are full (see {@link listAvailable}).
   */
  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const { layout, initial } = this.options;
    const start = after === undefined ? 0 : seatIndex(layout, after) + 1;
    if (state === 'locked' || state === 'booked') return this.listStored(state, start, limit);
    if (state === 'available') return this.listAvailable(start, limit);
    // Every seat is on the page: its range's rows, the gaps filled with the initial seat.
    const end = Math.min(layout.size, start + limit);
    const rows = new Map((await this.readRows(start, end)).map((row) => [row.idx, row]));
    const seats: SeatRecord[] = [];
    for (let index = start; index < end; index++) {
      const row = rows.get(index);
      seats.push(
        toRecord(layout.idAt(index), row ? this.asOfNow(restoreSeat(row.snapshot)) : initial),
      );
    }
    return {
      seats,
      next: end < layout.size && seats.length === limit ? layout.idAt(end - 1) : null,
    };
  }

  /**
   * Runs of seats without a row or whose row says available, within `[start, end)`: the gaps
   * between the rows of taken seats (a lock past its deadline the sweeper has not written down
   * yet still counts as taken here; best available only picks from these, the machines decide).
   * Full blocks are known from their counters, so only the other blocks' taken seats are read.
   */
  async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    if (start >= end) return [];
    const { rows } = await this.options.db.query<{ full: number | null; idx: number | null }>(
      sql.selectTakenInBlocks,
      [this.options.eventId, start, end, this.options.layout.size],
      'read',
    );
    // Taken ranges: each full block's part of [start, end), each other taken seat alone.
    const taken = rows
      .map(({ full, idx }): [number, number] =>
        full === null
          ? [idx!, idx! + 1]
          : [Math.max(start, full * COUNT_BLOCK), Math.min(end, (full + 1) * COUNT_BLOCK)],
      )
      .sort((a, b) => a[0] - b[0]);
    const runs: Array<[number, number]> = [];
    let from = start;
    for (const [first, after] of taken) {
      if (first > from) runs.push([from, first]);
      from = Math.max(from, after);
    }
    if (from < end) runs.push([from, end]);
    return runs;
  }

  /** The seats `userId` holds locked or has booked, as of now, in seat order. */
  async seatsOf(userId: string): Promise<SeatRecord[]> {
    const { db, eventId, layout } = this.options;
    const { rows } = await db.query<SeatRow>(sql.selectSeatsOfUser, [eventId, userId], 'read');
    // A lock past its deadline the sweeper has not written down yet is no longer the user's.
    return rows
      .map((row) => toRecord(layout.idAt(row.idx), this.asOfNow(restoreSeat(row.snapshot))))
      .filter((seat) => ownerOf(seat) === userId);
  }

  async summary(): Promise<SeatSummary> {
    const { rows } = await this.options.db.query<{ locked: string; booked: string }>(
      sql.sumCounts,
      [this.options.eventId],
      'read',
    );
    const locked = Number(rows[0].locked);
    const booked = Number(rows[0].booked);
    return seatSummary(this.options.layout.size, locked, booked);
  }

  /**
   * The seat as the machine sees it now: a lock whose deadline has passed reads as expired even
   * before the sweeper has written that down (nothing is written by a read).
   */
  private asOfNow(snapshot: SeatSnapshot): SeatSnapshot {
    return seatAt(snapshot, this.options.clock.now());
  }

  /** Rows with `start <= idx < end`, in order. */
  private async readRows(start: number, end: number): Promise<SeatRow[]> {
    const { rows } = await this.options.db.query<SeatRow>(
      sql.selectSeatRange,
      [this.options.eventId, start, end],
      'read',
    );
    return rows;
  }

  /**
   * A page of available seats from `start`: each statement reads the first block from the cursor
   * on that may hold one (full blocks are skipped by their counters, never read; in it, seats of
   * full shards are not looked up either) and returns its candidates; the machine says which are available as of now (a lock past its deadline is).
   * A part that comes up short moves the cursor to the end of what it read.
   */
  private async listAvailable(start: number, limit: number): Promise<SeatPage> {
    const { db, eventId, layout, initial, clock } = this.options;
    const seats: SeatRecord[] = [];
    let index = start;
    while (index < layout.size && seats.length < limit) {
      const { rows } = await db.query<{ stop: number; idx: number | null; snapshot: unknown }>(
        // Not a prepared statement: a generic plan, blind to the block's bounds, read every seat
        // of the event (36 ms against 6 on 10,000 seats); planning it costs about 0.5 ms.
        sql.selectAvailableInBlock,
        [eventId, index, layout.size, clock.now(), limit - seats.length],
        'read',
      );
      if (rows.length === 0) break; // no block from here on may hold an available seat
      index = rows[0].stop;
      for (const row of rows) {
        if (row.idx === null) continue;
        const seat = row.snapshot === null ? initial : this.asOfNow(restoreSeat(row.snapshot));
        const record = toRecord(layout.idAt(row.idx), seat);
        if (record.state !== 'available') continue;
        seats.push(record);
        if (seats.length === limit) {
          index = row.idx + 1;
          break;
        }
      }
    }
    const next = index < layout.size && seats.length === limit ? seats[limit - 1].id : null;
    return { seats, next };
  }

  private async listStored(state: SeatStateValue, start: number, limit: number): Promise<SeatPage> {
    const { layout, eventId } = this.options;
    const { rows } = await this.options.db.query<SeatRow>(
      sql.selectSeatsInState,
      [eventId, state, start, limit],
      'read',
    );
    // A lock past its deadline that the sweeper has not written down yet is left out of `locked`.
    const seats = rows
      .map((row) => toRecord(layout.idAt(row.idx), this.asOfNow(restoreSeat(row.snapshot))))
      .filter((seat) => seat.state === state);
    const last = rows[rows.length - 1];
    const next = rows.length === limit && last.idx < layout.size - 1 ? layout.idAt(last.idx) : null;
    return { seats, next };
  }
}
