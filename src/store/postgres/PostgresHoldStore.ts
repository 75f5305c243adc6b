import type { PoolClient } from 'pg';
import type { HoldInput, HoldRequestEvent } from '../../../machines/holdTypes';
import {
  holdAt,
  holdStart,
  persistHold,
  restoreHold,
  type HoldSnapshot,
} from '../../../machines/run/stepHold';
import type { CreateHold, HoldOutcome, HoldRecord, HoldStore } from '../HoldStore';
import { holdRecord, planHold } from '../planHold';
import type { Database } from './Database';
import { retried, type MultiSeatApply } from './MultiSeatApply';
import { sql } from './sql';

export interface PostgresHoldStoreOptions {
  db: Database;
  /** The event whose holds these are: every statement names it. */
  eventId: string;
  /** The seat store's multi-seat step, run inside the hold's transaction. */
  seats: MultiSeatApply;
}

/**
 * Holds in PostgreSQL, shared by every instance: a row per hold with its machine's snapshot. A
 * request is one transaction: the hold's row locked `FOR UPDATE` (one hold's requests take
 * turns), the hold machine stepped, then its seats stepped by the multi-seat step in the same
 * transaction (rows locked in index order, each seat's machine asked, all or nothing), and the
 * hold written back in the same commit: no instance ever sees a hold and its seats disagree. A
 * hold expires by time alone: its seats' locks carry its deadline (the sweeper expires them, and
 * reads show them expired from the deadline on), and the hold reads as expired (`EXPIRE{now}`).
 *
 * @example
 * ```ts
 * const holds = store.createHolds(); // a PostgresHoldStore on the store's database
 * await holds.create(input, { type: 'CREATE', userId: 'alice', seats: ['A1', 'A2'], now });
 * ```
 */
export class PostgresHoldStore implements HoldStore {
  constructor(private readonly options: PostgresHoldStoreOptions) {}

  create(input: HoldInput, event: CreateHold): Promise<HoldOutcome> {
    return retried(this.options.db, (client) => this.run(client, holdStart(input), event));
  }

  send(holdId: string, event: HoldRequestEvent): Promise<HoldOutcome> {
    return retried(this.options.db, async (client) => {
      const { rows } = await client.query<{ snapshot: unknown }>(sql.lockHold, [
        this.options.eventId,
        holdId,
      ]);
      if (rows.length === 0) return { ok: false, refusedBy: 'missing' };
      return this.run(client, restoreHold(rows[0].snapshot), event);
    });
  }

  async get(holdId: string, now: number): Promise<HoldRecord | undefined> {
    const { rows } = await this.options.db.query<{ snapshot: unknown }>(
      sql.selectHold,
      [this.options.eventId, holdId],
      'read',
    );
    return rows[0] && holdRecord(holdAt(restoreHold(rows[0].snapshot), now));
  }

  private async run(
    client: PoolClient,
    before: HoldSnapshot,
    event: HoldRequestEvent,
  ): Promise<HoldOutcome> {
    const plan = planHold(before, event);
    if (plan.answered) {
      if (plan.write) await this.write(client, plan.write);
      return plan.answered;
    }
    if (plan.requests.length > 0) {
      const seats = await this.options.seats.applyIn(client, plan.requests);
      if (!seats.ok) return { ok: false, refusedBy: 'seats', refused: seats.refused };
    }
    await this.write(client, plan.after);
    return { ok: true, hold: holdRecord(plan.after) };
  }

  private async write(client: PoolClient, hold: HoldSnapshot): Promise<void> {
    const { id, ownerId, until } = hold.context;
    const persisted = persistHold(hold);
    const { eventId } = this.options;
    await client.query(sql.writeHold, [
      eventId,
      id,
      ownerId,
      persisted.value,
      JSON.stringify(persisted),
      until,
    ]);
  }
}
