import { initialTransition, type SnapshotFrom } from 'xstate';
import { holdMachine } from '../holdMachine';
import type {
  HoldEvent,
  HoldInput,
  HoldReply,
  HoldRequestEvent,
  HoldStateValue,
} from '../holdTypes';
import type { SeatRequestEvent } from '../seatTypes';
import { emitted, pureStepper, sameSnapshot } from './pureStepper';

/** One scope for every hold: the input given here never reaches the snapshots stepped. */
const step = pureStepper(holdMachine, {
  id: '',
  ttlMs: 1,
  maxExtensions: 0,
  maxMs: 1,
  maxSeats: 1,
});

export type HoldSnapshot = SnapshotFrom<typeof holdMachine>;

/** A hold before it is made: its id and limits, nothing held yet (state `new`). */
export function holdStart(input: HoldInput): HoldSnapshot {
  return initialTransition(holdMachine, input)[0];
}

/** What one request did to a hold held as a snapshot. */
export interface HoldStep {
  /** The hold after the request (the very `before` object when nothing changed). */
  snapshot: HoldSnapshot;
  /** The machine's reply; `undefined` only if no transition handled the request. */
  reply: HoldReply | undefined;
  /** Whether the snapshot differs from `before` and so must be written back. */
  changed: boolean;
}

/**
 * Sends a request to a hold held as a snapshot, with a pure step (no actor, no timer): time is
 * told first (`EXPIRE{now}`, so a hold past its deadline is expired before it sees the request,
 * as the machine's own delayed transition would have done), then the request. How every hold
 * host runs the machine.
 *
 * @example
 * ```ts
 * const made = stepHold(holdStart(input), { type: 'CREATE', userId: 'alice', seats: ['A1'], now });
 * made.reply; // { type: 'hold.accepted' }
 * ```
 */
export function stepHold(before: HoldSnapshot, event: HoldRequestEvent): HoldStep {
  const timed = holdAt(before, event.now);
  const [snapshot, actions] = step(timed, event);
  return {
    snapshot,
    reply: emitted<HoldReply>(actions),
    changed: !sameSnapshot(before, snapshot),
  };
}

/**
 * The hold as the machine sees it at `now`: open past its deadline reads as expired (a pure
 * `EXPIRE{now}` step; nothing is kept). How a store shows a hold it has not written since.
 *
 * @example
 * ```ts
 * holdAt(restoreHold(row.snapshot), Date.now()).value; // 'expired' once the deadline passed
 * ```
 */
export function holdAt(hold: HoldSnapshot, now: number): HoldSnapshot {
  if (hold.value !== 'open') return hold;
  const event: HoldEvent = { type: 'EXPIRE', now };
  return step(hold, event)[0];
}

/**
 * The seat requests an accepted hold request becomes: every seat of the hold (or the seats added,
 * or the one given back) told the same thing, with the hold's id and deadline, so the seat
 * machines decide each seat. `before` is the hold as the request found it (a retried confirm of a
 * confirmed hold asks nothing of its seats). Pure: both hosts use it.
 *
 * @example
 * ```ts
 * seatRequestsOf(before, after, { type: 'EXTEND', userId: 'alice', now });
 * // [{ id: 'A1', event: { type: 'EXTEND', userId: 'alice', holdId: 'H1', until, now } }, …]
 * ```
 */
export function seatRequestsOf(
  before: HoldSnapshot,
  after: HoldSnapshot,
  event: HoldRequestEvent,
): { id: string; event: SeatRequestEvent }[] {
  const { id: holdId, until, seats } = after.context;
  const { userId, now } = event;
  const each = (ids: string[], seatEvent: SeatRequestEvent) =>
    ids.map((id) => ({ id, event: seatEvent }));
  switch (event.type) {
    case 'CREATE':
      return each(seats, { type: 'HOLD', userId, holdId, until, now });
    case 'ADD_SEATS':
      return each(event.seats, { type: 'HOLD', userId, holdId, until, now });
    case 'REMOVE_SEAT':
      return each([event.seatId], { type: 'RELEASE', userId, holdId, now });
    case 'EXTEND':
      return each(seats, { type: 'EXTEND', userId, holdId, until, now });
    case 'CONFIRM':
      return before.value === 'confirmed'
        ? []
        : each(seats, { type: 'CONFIRM', userId, holdId, now });
    case 'RELEASE':
      return each(seats, { type: 'RELEASE', userId, holdId, now });
  }
}

/** Restores a hold from the JSON a store kept (`persistHold`'s output). */
export function restoreHold(persisted: unknown): HoldSnapshot {
  return holdMachine.resolveState(persisted as Parameters<typeof holdMachine.resolveState>[0]);
}

/** The JSON-safe form of a hold's snapshot, as a store keeps it. */
export function persistHold(snapshot: HoldSnapshot): {
  value: HoldStateValue;
  context: HoldSnapshot['context'];
} {
  return { value: snapshot.value, context: snapshot.context };
}
