import type { SeatStateValue } from '../../../machines/seatTypes';
import { restoreSeat, seatAt, type SeatSnapshot } from '../../../machines/run/stepSeat';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import { ownerOf, toRecord } from '../seatRecord';
import type { ListQuery, SeatPage, SeatRecord, SeatSummary } from '../SeatStore';
import { seatSummary } from '../TransitionFeed';
import { seatIndex, type SeatRow } from './seatRow';
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

  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const { layout, initial } = this.options;
    const start = after === undefined ? 0 : seatIndex(layout, after) + 1;
    if (state === 'locked' || state === 'booked') return this.listStored(state, start, limit);
    const seats: SeatRecord[] = [];
    let index = start;
    // Seats without a row are available, so pages are made by walking indexes in windows and
    // filling the gaps with the initial seat.
    while (index < layout.size && seats.length < limit) {
      const end = Math.min(layout.size, index + Math.max(limit - seats.length, 1000));
      const rows = new Map((await this.readRows(index, end)).map((row) => [row.idx, row]));
      for (; index < end && seats.length < limit; index++) {
        const row = rows.get(index);
        const record = toRecord(
          layout.idAt(index),
          row ? this.asOfNow(restoreSeat(row.snapshot)) : initial,
        );
        if (state === undefined || record.state === state) seats.push(record);
      }
    }
    const next = index < layout.size && seats.length === limit ? seats[seats.length - 1].id : null;
    return { seats, next };
  }

  /**
   * Runs of seats without a row or whose row says available, within `[start, end)`: the gaps
   * between the rows of taken seats (a lock past its deadline the sweeper has not written down
   * yet still counts as taken here; best available only picks from these, the machines decide).
   */
  async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    const { rows } = await this.options.db.query<{ idx: number }>(
      sql.selectTakenRange,
      [this.options.eventId, start, end],
      'read',
    );
    const runs: Array<[number, number]> = [];
    let from = start;
    for (const { idx } of rows) {
      if (idx > from) runs.push([from, idx]);
      from = idx + 1;
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
