import type { HoldInput, HoldRequestEvent } from '../../../machines/holdTypes';
import { holdAt, holdStart, type HoldSnapshot } from '../../../machines/run/stepHold';
import type { CreateHold, HoldOutcome, HoldRecord, HoldStore } from '../HoldStore';
import { KeyedQueue } from '../KeyedQueue';
import { holdRecord, planHold } from '../planHold';
import type { ApplyAllResult, SeatRequest } from '../SeatStore';

/**
 * How a memory hold store steps its seats: synchronously (the memory seat store's
 * `applyAllNow`, so the hold and its seats change in one synchronous step), or through a seat
 * store's async `applyAll`.
 */
export type ApplySeats = (
  requests: readonly SeatRequest[],
) => ApplyAllResult | Promise<ApplyAllResult>;

/**
 * Holds in this process: one hold machine snapshot per hold in a map, stepped with the machine's
 * pure step together with the hold's seats. Over the memory seat store the seats are stepped
 * synchronously, so the hold and its seats change in one synchronous step no request or reader
 * can enter. A hold needs no timer of its own: its seats' locks carry its deadline and expire
 * together (the seat store arms one timer per deadline), and the hold reads as expired from its
 * deadline on (`EXPIRE{now}` on read).
 *
 * @example
 * ```ts
 * const holds = new MemoryHoldStore((requests) => seats.applyAllNow(requests));
 * await holds.create(input, { type: 'CREATE', userId: 'alice', seats: ['A1', 'A2'], now });
 * ```
 */
export class MemoryHoldStore implements HoldStore {
  private readonly holds = new Map<string, HoldSnapshot>();
  /** One hold's requests one after the other (only matters when the seats are stepped async). */
  private readonly queue = new KeyedQueue();

  constructor(private readonly applySeats: ApplySeats) {}

  create(input: HoldInput, event: CreateHold): Promise<HoldOutcome> {
    return this.queue.run(input.id, () => this.run(holdStart(input), event));
  }

  send(holdId: string, event: HoldRequestEvent): Promise<HoldOutcome> {
    return this.queue.run(holdId, async () => {
      const before = this.holds.get(holdId);
      return before ? this.run(before, event) : { ok: false, refusedBy: 'missing' };
    });
  }

  async get(holdId: string, now: number): Promise<HoldRecord | undefined> {
    const hold = this.holds.get(holdId);
    return hold && holdRecord(holdAt(hold, now));
  }

  private async run(before: HoldSnapshot, event: HoldRequestEvent): Promise<HoldOutcome> {
    const plan = planHold(before, event);
    if (plan.answered) {
      if (plan.write) this.holds.set(plan.write.context.id, plan.write);
      return plan.answered;
    }
    const pending = plan.requests.length === 0 ? NOTHING : this.applySeats(plan.requests);
    const seats = pending instanceof Promise ? await pending : pending;
    if (!seats.ok) return { ok: false, refusedBy: 'seats', refused: seats.refused };
    this.holds.set(plan.after.context.id, plan.after);
    return { ok: true, hold: holdRecord(plan.after) };
  }
}

const NOTHING: ApplyAllResult = { ok: true, seats: [] };
