import type { HoldInput, HoldRequestEvent } from '../../../machines/holdTypes';
import { holdAt, holdStart, type HoldSnapshot } from '../../../machines/run/stepHold';
import type { Clock } from '../../clock';
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
 * How long a confirmed hold is kept after its booking: a retried confirm within the idempotency
 * window (24 h) still gets the same booking.
 */
export const KEEP_CONFIRMED_MS = 24 * 3_600_000;
/**
 * How long a released or expired hold is kept after its deadline: a late request still hears
 * `HOLD_EXPIRED` / `HOLD_RELEASED` (and GET shows the hold) for a while, not 404.
 */
export const KEEP_ENDED_MS = 15 * 60_000;
/** How often, by the store's clock, finished holds are looked for (one pass over the map). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Holds in this process: one hold machine snapshot per hold in a map, stepped with the machine's
 * pure step together with the hold's seats. Over the memory seat store the seats are stepped
 * synchronously, so the hold and its seats change in one synchronous step no request or reader
 * can enter. A hold needs no timer of its own: its seats' locks carry its deadline and expire
 * together (the seat store arms one timer per deadline), and the hold reads as expired from its
 * deadline on (`EXPIRE{now}` on read). Finished holds are dropped so the map does not grow for
 * the life of the process: a confirmed one {@link KEEP_CONFIRMED_MS} after its booking, a released
 * or expired one {@link KEEP_ENDED_MS} after its deadline (checked at most once a minute of `clock`
 * time, on the next request; without a clock nothing is dropped).
 *
 * @example
 * ```ts
 * const holds = new MemoryHoldStore((requests) => seats.applyAllNow(requests), clock);
 * await holds.create(input, { type: 'CREATE', userId: 'alice', seats: ['A1', 'A2'], now });
 * ```
 */
export class MemoryHoldStore implements HoldStore {
  private readonly holds = new Map<string, HoldSnapshot>();
  /** One hold's requests one after the other (only matters when the seats are stepped async). */
  private readonly queue = new KeyedQueue();

  /** When the next look for finished holds is due (the store's clock). */
  private nextPrune = -Infinity;

  constructor(
    private readonly applySeats: ApplySeats,
    private readonly clock?: Pick<Clock, 'now'>,
  ) {}

  create(input: HoldInput, event: CreateHold): Promise<HoldOutcome> {
    this.pruneFinished();
    return this.queue.run(input.id, () => this.run(holdStart(input), event));
  }

  send(holdId: string, event: HoldRequestEvent): Promise<HoldOutcome> {
    this.pruneFinished();
    return this.queue.run(holdId, async () => {
      const before = this.holds.get(holdId);
      return before ? this.run(before, event) : { ok: false, refusedBy: 'missing' };
    });
  }

  async get(holdId: string, now: number): Promise<HoldRecord | undefined> {
    this.pruneFinished();
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

  /** Drops the holds whose time to be kept has passed (none with a request under way). */
  private pruneFinished(): void {
    if (!this.clock) return;
    const now = this.clock.now();
    if (now < this.nextPrune) return;
    this.nextPrune = now + PRUNE_EVERY_MS;
    for (const [id, hold] of this.holds) {
      if (!this.queue.busy(id) && now >= keptUntil(holdAt(hold, now))) this.holds.delete(id);
    }
  }
}

/** Until when a hold is kept, as the machine sees it now: an open one for as long as it is open. */
function keptUntil({ value, context }: HoldSnapshot): number {
  if (value === 'open') return Infinity;
  if (value === 'confirmed') return (context.booking?.at ?? context.until) + KEEP_CONFIRMED_MS;
  return context.until + KEEP_ENDED_MS;
}

const NOTHING: ApplyAllResult = { ok: true, seats: [] };
