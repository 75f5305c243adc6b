import type { PoolClient } from 'pg';
import type { ApplyAllResult, RefusedSeat, SeatRequest } from '../SeatStore';
import { restoreSeat, stepSeat } from '../../../machines/run/stepSeat';
import type { SeatSnapshot, SeatStep } from '../../../machines/run/stepSeat';
import { toRecord } from '../seatRecord';
import type { Layout } from '../../layout/Layout';
import { RETRYABLE } from './CompareAndSetApply';
import type { Database } from './Database';
import { countArrays, seatArrays, seatIndex, type SeatRow } from './seatRow';
import { CHANNEL, sql } from './sql';
import type { TransitionChannel } from './TransitionChannel';

/** A transaction that keeps losing races means something is wrong: give up rather than spin. */
const MAX_TRIES = 100;

/**
 * Another writer made the first row of a seat this transaction found without one (a seat still in
 * the machine's initial state has no row to lock): the whole transaction is tried again.
 */
export class SeatRowRace extends Error {
  override name = 'SeatRowRace';
}

export interface MultiSeatApplyOptions {
  db: Database;
  /** The event whose seats are stepped: every statement names it (no transaction spans two). */
  eventId: string;
  layout: Layout;
  /** The seat as the machine starts it: what a seat without a row is. */
  initial: SeatSnapshot;
  channel: TransitionChannel;
}

/**
 * The PostgreSQL store's multi-seat step: one transaction over the seats' rows, locked
 * `FOR UPDATE` in index order (so two overlapping steps queue, never deadlock), each seat stepped
 * by the machine (the same pure step as {@link CompareAndSetApply}); only when every machine
 * accepts are the rows, the summary counters and the notifications written, all in that one
 * transaction. A refusal writes nothing. Seats without a row are inserted; if another writer
 * inserted one first, the transaction is run again.
 *
 * {@link applyIn} runs inside a caller's transaction, so the hold store writes its hold row in
 * the same commit as the seats.
 *
 * @example
 * ```ts
 * const many = new MultiSeatApply({ db, eventId: 'hamlet', layout, initial, channel });
 * await many.apply([{ id: 'A1', event: hold }, { id: 'A2', event: hold }]); // { ok: true, seats }
 * ```
 */
export class MultiSeatApply {
  constructor(private readonly options: MultiSeatApplyOptions) {}

  apply(requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    return retried(this.options.db, (client) => this.applyIn(client, requests));
  }

  /** The step, inside the caller's transaction on `client` (which must retry on {@link SeatRowRace}). */
  async applyIn(client: PoolClient, requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    const { eventId, layout, initial } = this.options;
    const indexes = requests.map(({ id }) => seatIndex(layout, id));
    if (new Set(indexes).size !== indexes.length) {
      throw new RangeError('A multi-seat step names one seat twice');
    }
    const { rows } = await client.query<SeatRow>(sql.lockSeats, [eventId, indexes]);
    const found = new Map(rows.map((row) => [row.idx, row]));
    const steps = requests.map(({ id, event }, i) => {
      const row = found.get(indexes[i]);
      const step = stepSeat(row ? restoreSeat(row.snapshot) : initial, event);
      return { id, index: indexes[i], row, step };
    });
    const refused: RefusedSeat[] = steps
      .filter(({ step }) => step.reply?.type !== 'seat.accepted')
      .map(({ id, step }) => ({ id, reply: step.reply, seat: toRecord(id, step.snapshot) }));
    if (refused.length > 0) return { ok: false, refused };
    await this.write(
      client,
      steps.filter(({ step }) => step.changed),
    );
    return { ok: true, seats: steps.map(({ id, step }) => toRecord(id, step.snapshot)) };
  }

  /** Rows first (updates, then first rows), then counters in (block, shard) order, then notifications. */
  private async write(
    client: PoolClient,
    steps: { index: number; row: SeatRow | undefined; step: SeatStep }[],
  ): Promise<void> {
    if (steps.length === 0) return;
    const { eventId } = this.options;
    const rowsOf = (part: typeof steps) =>
      seatArrays(
        eventId,
        part.map(({ index, step }) => ({ idx: index, snapshot: step.snapshot })),
      );
    const updated = steps.filter(({ row }) => row !== undefined);
    const inserted = steps.filter(({ row }) => row === undefined);
    if (updated.length > 0) await client.query(sql.writeExpiries, rowsOf(updated));
    if (inserted.length > 0) {
      const { rowCount } = await client.query(sql.insertSeats, rowsOf(inserted));
      if (rowCount !== inserted.length) throw new SeatRowRace('a seat row appeared meanwhile');
    }
    const counts = countArrays(
      eventId,
      steps.map(({ index, step }) => ({ idx: index, states: step.states })),
    );
    if (counts[1].length > 0) await client.query(sql.addToCounts, counts);
    const payloads = steps
      .filter(({ step }) => step.changes.length > 0)
      .map(({ index, step }) => this.options.channel.payload(eventId, index, step.changes));
    if (payloads.length > 0) await client.query(sql.notifyEach(CHANNEL), [payloads]);
  }
}

/**
 * Runs `work` in a transaction, again from the start when it lost a race (a deadlock, a
 * serialization failure, a seat row made meanwhile): how every multi-seat transaction runs.
 *
 * @example
 * ```ts
 * await retried(db, (client) => many.applyIn(client, requests));
 * ```
 */
export async function retried<T>(
  db: Database,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      const retry =
        err instanceof SeatRowRace || RETRYABLE.has((err as { code?: string }).code ?? '');
      if (!retry || attempt >= MAX_TRIES) throw err;
    }
  }
}
