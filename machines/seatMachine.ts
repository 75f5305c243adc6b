import { and, assign, emit, enqueueActions, setup } from 'xstate';
import type {
  SeatContext,
  SeatEmitted,
  SeatEvent,
  SeatInput,
  SeatMoved,
  SeatParty,
  SeatReply,
  SeatRefusalCode,
} from './seatTypes';

/**
 * A refusal as the machine's JSON shows it: the named `refuse` action with its code, and whose
 * lock or booking is in the way when the guard that chose it knows.
 */
const refuse = (code: SeatRefusalCode, holder?: SeatParty) =>
  ({ type: 'refuse', params: holder ? { code, holder } : { code } }) as const;

/**
 * A confirm or release that reaches a lock whose deadline has passed (its timer may not have fired
 * yet): the lock expires now, and the request is refused, with `LOCK_EXPIRED` for its own holder.
 */
const lockRanOut = [
  {
    guard: and(['lockIsDue', 'holdsLock']),
    target: 'available',
    actions: ['expireLock', refuse('LOCK_EXPIRED', 'you')],
  },
  { guard: 'lockIsDue', target: 'available', actions: ['expireLock', refuse('NOT_LOCKED')] },
] as const;

/**
 * The rules of one seat: `available → locked → booked`, with a lock that expires back to
 * `available` when its deadline passes. This machine is the only place that decides whether a
 * request is allowed; the hosting code sends events and reads the reply the machine emits.
 *
 * Every request event is answered by exactly one emitted reply: `seat.accepted`, or `seat.refused`
 * with a code (and whose lock or booking is in the way, and the deadline concerned, so the host's
 * message needs nothing else). Refusals are targetless transitions that only emit, so a refused
 * request leaves the snapshot untouched (xstate returns the very same snapshot object). Every
 * action that moves the seat also emits `seat.moved` with its reason (`locked`, `confirmed`,
 * `released`, `expired`) and the lock's user: hosts publish that, they never work it out.
 *
 * Time enters only through the events' `now` (the host's clock), which keeps the machine pure and
 * makes a persisted snapshot meaningful on any host: a lock's deadline is data (`lock.until`), the
 * delayed transition is armed from it, and every request re-checks it, so a late timer or a
 * snapshot restored without its timer can never let an expired lock be confirmed.
 *
 * @example
 * ```ts
 * const seat = createActor(seatMachine, { input: { ttlMs: 60_000 } }).start();
 * seat.on('seat.refused', (reply) => console.log(reply.code));
 * seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1', now: Date.now() });
 * seat.getSnapshot().value; // 'locked'
 * ```
 */
export const seatMachine = setup({
  types: {
    context: {} as SeatContext,
    events: {} as SeatEvent,
    input: {} as SeatInput,
    emitted: {} as SeatEmitted,
  },
  guards: {
    /** The current lock's deadline has been reached: it no longer protects anybody. */
    lockIsDue: ({ context, event }) => context.lock !== null && event.now >= context.lock.until,
    /** The requester is the user who holds the current lock (whatever lockId they sent). */
    isLockHolder: ({ context, event }) =>
      context.lock !== null && 'userId' in event && event.userId === context.lock.userId,
    /** The requester holds the current lock, and the lockId, when sent, is that lock's. */
    holdsLock: ({ context, event }) =>
      context.lock !== null &&
      'userId' in event &&
      event.userId === context.lock.userId &&
      (sentLockId(event) === undefined || sentLockId(event) === context.lock.lockId),
    /** The requester booked this seat, and the lockId, when sent, is the one that was confirmed. */
    ownsBooking: ({ context, event }) =>
      context.booking !== null &&
      'userId' in event &&
      event.userId === context.booking.userId &&
      (sentLockId(event) === undefined || sentLockId(event) === context.booking.lockId),
    /** The requester is the user who booked this seat. */
    isBookingOwner: ({ context, event }) =>
      context.booking !== null && 'userId' in event && event.userId === context.booking.userId,
    /**
     * The lock belongs to a multi-seat hold and this request does not come from that hold: the
     * seat is confirmed, released and extended with its hold, never on its own.
     */
    lockInOtherHold: ({ context, event }) =>
      context.lock?.holdId !== undefined &&
      (!('holdId' in event) || event.holdId !== context.lock.holdId),
    /** The request comes from the hold that holds this seat. */
    fromLocksHold: ({ context, event }) =>
      context.lock?.holdId !== undefined &&
      'holdId' in event &&
      event.holdId === context.lock.holdId,
    /** The requester's own lock on this seat ran out (and lockId, when sent, names that lock). */
    ownedExpiredLock: ({ context, event }) =>
      context.expired !== null &&
      'userId' in event &&
      event.userId === context.expired.userId &&
      (sentLockId(event) === undefined || sentLockId(event) === context.expired.lockId),
  },
  actions: {
    takeLock: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'LOCK') return;
      const { userId, lockId, now } = event;
      enqueue.assign({ lock: { userId, lockId, until: now + context.ttlMs }, expired: null });
      enqueue.emit(moved('available', 'locked', 'locked', userId));
    }),
    /** A hold's lock: its id and deadline are the hold's. */
    takeHoldLock: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'HOLD') return;
      const { userId, holdId, until } = event;
      enqueue.assign({ lock: { userId, lockId: holdId, until, holdId }, expired: null });
      enqueue.emit(moved('available', 'locked', 'locked', userId));
    }),
    /** The hold was extended: the lock lasts until the hold's new deadline. */
    extendLock: assign(({ context, event }) =>
      event.type === 'EXTEND' && context.lock
        ? { lock: { ...context.lock, until: event.until } }
        : {},
    ),
    /** Remembers the lapsed lock so its holder can be told `LOCK_EXPIRED`, not `NOT_LOCKED`. */
    expireLock: enqueueActions(({ context, enqueue }) => {
      if (!context.lock) return;
      enqueue.assign({ lock: null, expired: context.lock });
      enqueue.emit(moved('locked', 'available', 'expired', context.lock.userId));
    }),
    clearLock: enqueueActions(({ context, enqueue }) => {
      if (!context.lock) return;
      enqueue.assign({ lock: null, expired: null });
      enqueue.emit(moved('locked', 'available', 'released', context.lock.userId));
    }),
    book: enqueueActions(({ context, event, enqueue }) => {
      if (!context.lock) return;
      const { userId, lockId } = context.lock;
      enqueue.assign({ lock: null, booking: { userId, lockId, at: event.now } });
      enqueue.emit(moved('locked', 'booked', 'confirmed', userId));
    }),
    accept: emit({ type: 'seat.accepted' } satisfies SeatReply),
    /**
     * Tells the host why the request was refused; changes nothing in the seat. `until` is the
     * deadline the refusal is about: the standing lock's, or the lapsed one's (`expireLock` ran
     * first in the same transition, so it is in `expired` by now).
     */
    refuse: emit(({ context }, params: { code: SeatRefusalCode; holder?: SeatParty }) => {
      const lock =
        params.code === 'SEAT_LOCKED'
          ? context.lock
          : params.code === 'LOCK_EXPIRED'
            ? context.expired
            : null;
      return {
        type: 'seat.refused' as const,
        ...params,
        ...(lock ? { until: lock.until } : {}),
      };
    }),
  },
  delays: {
    /**
     * Time left on the lock, from the deadline in context and the `now` of the event that entered
     * `locked`: the full TTL after a LOCK, the remainder after an EXPIRE that re-arms a restored
     * snapshot.
     */
    lockTtl: ({ context, event }) =>
      context.lock === null ? 0 : Math.max(0, context.lock.until - event.now),
  },
}).createMachine({
  id: 'seat',
  initial: 'available',
  context: ({ input }) => ({ ttlMs: input.ttlMs, lock: null, booking: null, expired: null }),
  states: {
    available: {
      on: {
        LOCK: { target: 'locked', actions: ['takeLock', 'accept'] },
        HOLD: { target: 'locked', actions: ['takeHoldLock', 'accept'] },
        EXTEND: [
          { guard: 'ownedExpiredLock', actions: refuse('LOCK_EXPIRED', 'you') },
          { actions: refuse('NOT_LOCKED') },
        ],
        CONFIRM: [
          { guard: 'ownedExpiredLock', actions: refuse('LOCK_EXPIRED', 'you') },
          { actions: refuse('NOT_LOCKED') },
        ],
        RELEASE: [
          { guard: 'ownedExpiredLock', actions: refuse('LOCK_EXPIRED', 'you') },
          { actions: refuse('NOT_LOCKED') },
        ],
      },
    },
    locked: {
      after: {
        lockTtl: { target: 'available', actions: 'expireLock' },
      },
      on: {
        // Time passing, told by the host: expires a due lock, otherwise re-enters `locked` so the
        // delayed transition is armed again (a snapshot restored from storage has no timer).
        EXPIRE: [
          { guard: 'lockIsDue', target: 'available', actions: 'expireLock' },
          { target: 'locked', reenter: true },
        ],
        LOCK: [
          // The old lock is over even if its timer has not fired yet: it expires, and this is a
          // fresh lock (two moves: the old holder's lock expired, the new one's began).
          {
            guard: 'lockIsDue',
            target: 'locked',
            reenter: true,
            actions: ['expireLock', 'takeLock', 'accept'],
          },
          // The holder's seat belongs to one of their holds: a lock of its own would split it off.
          {
            guard: and(['isLockHolder', 'lockInOtherHold']),
            actions: refuse('SEAT_IN_HOLD', 'you'),
          },
          // A retried lock by the holder succeeds and changes nothing (same lockId, same deadline).
          { guard: 'isLockHolder', actions: 'accept' },
          { actions: refuse('SEAT_LOCKED', 'another user') },
        ],
        HOLD: [
          {
            guard: 'lockIsDue',
            target: 'locked',
            reenter: true,
            actions: ['expireLock', 'takeHoldLock', 'accept'],
          },
          // A retry of the hold that has the seat already.
          { guard: 'fromLocksHold', actions: 'accept' },
          // The requester has the seat already, with a lock of its own or in another hold.
          { guard: 'isLockHolder', actions: refuse('SEAT_LOCKED', 'you') },
          { actions: refuse('SEAT_LOCKED', 'another user') },
        ],
        EXTEND: [
          ...lockRanOut,
          // Re-entering re-arms the delayed expiry at the new deadline.
          {
            guard: 'fromLocksHold',
            target: 'locked',
            reenter: true,
            actions: ['extendLock', 'accept'],
          },
          { guard: 'isLockHolder', actions: refuse('LOCK_NOT_HELD', 'you') },
          { actions: refuse('LOCK_NOT_HELD', 'another user') },
        ],
        CONFIRM: [
          ...lockRanOut,
          {
            guard: and(['isLockHolder', 'lockInOtherHold']),
            actions: refuse('SEAT_IN_HOLD', 'you'),
          },
          { guard: 'holdsLock', target: 'booked', actions: ['book', 'accept'] },
          // The holder sent another lock's id (an old one, or a typo).
          { guard: 'isLockHolder', actions: refuse('LOCK_NOT_HELD', 'you') },
          { actions: refuse('LOCK_NOT_HELD', 'another user') },
        ],
        RELEASE: [
          ...lockRanOut,
          {
            guard: and(['isLockHolder', 'lockInOtherHold']),
            actions: refuse('SEAT_IN_HOLD', 'you'),
          },
          { guard: 'holdsLock', target: 'available', actions: ['clearLock', 'accept'] },
          { guard: 'isLockHolder', actions: refuse('LOCK_NOT_HELD', 'you') },
          { actions: refuse('LOCK_NOT_HELD', 'another user') },
        ],
      },
    },
    booked: {
      on: {
        LOCK: [
          { guard: 'isBookingOwner', actions: refuse('SEAT_BOOKED', 'you') },
          { actions: refuse('SEAT_BOOKED', 'another user') },
        ],
        HOLD: [
          { guard: 'isBookingOwner', actions: refuse('SEAT_BOOKED', 'you') },
          { actions: refuse('SEAT_BOOKED', 'another user') },
        ],
        EXTEND: [
          { guard: 'isBookingOwner', actions: refuse('SEAT_BOOKED', 'you') },
          { actions: refuse('SEAT_BOOKED', 'another user') },
        ],
        // Confirming again is a retry of a request that already succeeded: answer it the same way.
        CONFIRM: [
          { guard: 'ownsBooking', actions: 'accept' },
          { guard: 'isBookingOwner', actions: refuse('LOCK_NOT_HELD', 'you') },
          { actions: refuse('SEAT_BOOKED', 'another user') },
        ],
        // A confirmed booking is final, the booker's own included.
        RELEASE: [
          { guard: 'isBookingOwner', actions: refuse('SEAT_BOOKED', 'you') },
          { actions: refuse('SEAT_BOOKED', 'another user') },
        ],
      },
    },
  },
});

/** The lockId a request names, if any (a hold's requests name their hold instead). */
function sentLockId(event: SeatEvent): string | undefined {
  return 'lockId' in event ? event.lockId : undefined;
}

/** The `seat.moved` event an action emits along with the change it makes. */
function moved(
  from: SeatMoved['from'],
  to: SeatMoved['to'],
  reason: SeatMoved['reason'],
  userId: string,
): SeatMoved {
  return { type: 'seat.moved', from, to, reason, userId };
}
