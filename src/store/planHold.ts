import type { HoldRequestEvent } from '../../machines/holdTypes';
import { seatRequestsOf, stepHold, type HoldSnapshot } from '../../machines/run/stepHold';
import type { HoldOutcome, HoldRecord } from './HoldStore';
import type { SeatRequest } from './SeatStore';

/**
 * What a hold store does with one request, decided by the hold machine: either it is answered
 * already (refused by the hold; `write` is the hold to keep when the refusal expired it), or the
 * seats must be asked next (`requests`, all or nothing) and, if they all accept, `after` kept.
 */
export type HoldPlan =
  | { answered: HoldOutcome; write: HoldSnapshot | undefined }
  | { answered?: undefined; after: HoldSnapshot; requests: SeatRequest[] };

/**
 * The hold machine's step for a request and the seat requests that follow from it, shared by
 * every hold store so they differ only in where they keep snapshots and how they make the step
 * atomic.
 *
 * @example
 * ```ts
 * const plan = planHold(before, { type: 'EXTEND', userId: 'alice', now });
 * if (!plan.answered) await seats.applyAll(plan.requests);
 * ```
 */
export function planHold(before: HoldSnapshot, event: HoldRequestEvent): HoldPlan {
  const step = stepHold(before, event);
  if (step.reply?.type !== 'hold.accepted') {
    return {
      answered: {
        ok: false,
        refusedBy: 'hold',
        reply: step.reply,
        hold: holdRecord(step.snapshot),
      },
      write: step.changed ? step.snapshot : undefined,
    };
  }
  return { after: step.snapshot, requests: seatRequestsOf(before, step.snapshot, event) };
}

/**
 * A hold record from a machine snapshot.
 *
 * @example
 * ```ts
 * holdRecord(snapshot); // { id: 'H1', state: 'open', context: {…} }
 * ```
 */
export function holdRecord(snapshot: HoldSnapshot): HoldRecord {
  return {
    id: snapshot.context.id,
    state: snapshot.value,
    context: snapshot.context,
  };
}
