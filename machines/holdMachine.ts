import { assign, emit, not, setup } from 'xstate';
import type { HoldContext, HoldEvent, HoldInput, HoldRefusalCode, HoldReply } from './holdTypes';

/** A refusal as the machine's JSON shows it: the named `refuse` action with its code. */
const refuse = (code: HoldRefusalCode) => ({ type: 'refuse', params: { code } }) as const;

/** Only the owner's requests are answered on their merits; anyone else learns nothing. */
const notOwner = { guard: not('isOwner'), actions: refuse('NOT_HOLD_OWNER') } as const;

/**
 * Requests that reach a hold which can no longer change: the owner hears why, anyone else only
 * that there is no such hold; nothing changes.
 */
const settled = (code: HoldRefusalCode) => {
  const answer = [notOwner, { actions: refuse(code) }];
  return {
    ADD_SEATS: answer,
    REMOVE_SEAT: answer,
    EXTEND: answer,
    CONFIRM: answer,
    RELEASE: answer,
  };
};

/** A request that reaches an open hold past its deadline (its timer may not have fired yet). */
const ranOut = { guard: 'isDue', target: 'expired', actions: refuse('HOLD_EXPIRED') } as const;

/**
 * A hold: several seats held as one unit by one user, booked together, given back together, and
 * expiring together (`new → open → confirmed | released | expired`). It is the only place that
 * decides the hold's size cap (`maxSeats`), its extension cap (`maxExtensions` extensions, never
 * past `maxMs` after it was made), and whether it still counts.
 *
 * The seats themselves are still decided by the seat machine: a host makes a hold by asking every
 * seat's machine first (all or nothing) and this machine second. This machine knows only the seat
 * ids, the owner and the deadline.
 *
 * Like the seat machine, time enters only through the events' `now`; the deadline is data
 * (`until`), the delayed `holdTtl` transition is armed from it, and every request re-checks it, so
 * a late timer or a snapshot restored without its timer can never let an expired hold be booked
 * (`EXPIRE{now}` re-arms a restored snapshot). Every request event is answered by one emitted
 * reply, `hold.accepted` or `hold.refused` with a code; a refusal changes nothing, except that a
 * request finding the hold past its deadline expires it.
 *
 * @example
 * ```ts
 * const hold = createActor(holdMachine, {
 *   input: { id: 'H1', ttlMs: 60_000, maxExtensions: 2, maxMs: 1_800_000, maxSeats: 10 },
 * }).start();
 * hold.on('*', (reply) => console.log(reply));
 * hold.send({ type: 'CREATE', userId: 'alice', seats: ['A1', 'A2'], now: Date.now() });
 * hold.send({ type: 'EXTEND', userId: 'alice', now: Date.now() }); // hold.accepted
 * ```
 */
export const holdMachine = setup({
  types: {
    context: {} as HoldContext,
    events: {} as HoldEvent,
    input: {} as HoldInput,
    emitted: {} as HoldReply,
  },
  guards: {
    isOwner: ({ context, event }) => 'userId' in event && event.userId === context.ownerId,
    /** The deadline has been reached: the hold no longer protects its seats. */
    isDue: ({ context, event }) => event.now >= context.until,
    /** No seat asked for, or one seat asked for twice (also against the seats already held). */
    badSeatList: ({ context, event }) => {
      if (event.type !== 'CREATE' && event.type !== 'ADD_SEATS') return false;
      const held = event.type === 'CREATE' ? [] : context.seats;
      const all = [...held, ...event.seats];
      return event.seats.length === 0 || new Set(all).size !== all.length;
    },
    tooManySeats: ({ context, event }) => {
      if (event.type !== 'CREATE' && event.type !== 'ADD_SEATS') return false;
      const held = event.type === 'CREATE' ? 0 : context.seats.length;
      return held + event.seats.length > context.maxSeats;
    },
    hasSeat: ({ context, event }) =>
      event.type === 'REMOVE_SEAT' && context.seats.includes(event.seatId),
    /** The seat given back is the hold's last: the hold ends with it. */
    isLastSeat: ({ context }) => context.seats.length === 1,
    /**
     * An extension would give the hold nothing, or none is left: the cap on extensions, and the
     * hold already lasting until `maxMs` after it was made.
     */
    cannotExtend: ({ context }) =>
      context.extensionsUsed >= context.maxExtensions ||
      context.until >= context.createdAt + context.maxMs,
  },
  actions: {
    open: assign(({ context, event }) => {
      if (event.type !== 'CREATE') return {};
      return {
        ownerId: event.userId,
        seats: event.seats,
        createdAt: event.now,
        until: Math.min(event.now + context.ttlMs, event.now + context.maxMs),
      };
    }),
    addSeats: assign(({ context, event }) =>
      event.type === 'ADD_SEATS' ? { seats: [...context.seats, ...event.seats] } : {},
    ),
    removeSeat: assign(({ context, event }) =>
      event.type === 'REMOVE_SEAT'
        ? { seats: context.seats.filter((id) => id !== event.seatId) }
        : {},
    ),
    /** One TTL from now, but never past `maxMs` after the hold was made. */
    extend: assign(({ context, event }) => ({
      until: Math.min(event.now + context.ttlMs, context.createdAt + context.maxMs),
      extensionsUsed: context.extensionsUsed + 1,
    })),
    book: assign(({ event }) =>
      event.type === 'CONFIRM' ? { booking: { id: event.bookingId, at: event.now } } : {},
    ),
    accept: emit({ type: 'hold.accepted' } satisfies HoldReply),
    /** Tells the host why the request was refused. */
    refuse: emit((_, params: { code: HoldRefusalCode }) => ({
      type: 'hold.refused' as const,
      code: params.code,
    })),
  },
  delays: {
    /**
     * Time left on the hold, from the deadline in context and the `now` of the event that entered
     * `open`: the full TTL after CREATE or EXTEND, the remainder after an EXPIRE that re-arms a
     * restored snapshot.
     */
    holdTtl: ({ context, event }) => Math.max(0, context.until - event.now),
  },
}).createMachine({
  id: 'hold',
  initial: 'new',
  context: ({ input }) => ({
    ...input,
    ownerId: '',
    seats: [],
    createdAt: 0,
    until: 0,
    extensionsUsed: 0,
    booking: null,
  }),
  states: {
    /** Not made yet: the host asks whether a hold of these seats may be made at all. */
    new: {
      on: {
        CREATE: [
          { guard: 'badSeatList', actions: refuse('NO_SEATS') },
          { guard: 'tooManySeats', actions: refuse('TOO_MANY_SEATS') },
          { target: 'open', actions: ['open', 'accept'] },
        ],
      },
    },
    open: {
      after: { holdTtl: { target: 'expired' } },
      on: {
        // Time passing, told by the host: expires a due hold, otherwise re-enters `open` so the
        // delayed transition is armed again (a snapshot restored from storage has no timer).
        EXPIRE: [
          { guard: 'isDue', target: 'expired' },
          { target: 'open', reenter: true },
        ],
        ADD_SEATS: [
          notOwner,
          ranOut,
          { guard: 'badSeatList', actions: refuse('NO_SEATS') },
          { guard: 'tooManySeats', actions: refuse('TOO_MANY_SEATS') },
          { actions: ['addSeats', 'accept'] },
        ],
        REMOVE_SEAT: [
          notOwner,
          ranOut,
          { guard: not('hasSeat'), actions: refuse('SEAT_NOT_IN_HOLD') },
          // Giving back the last seat gives back the hold: an empty hold holds nothing.
          { guard: 'isLastSeat', target: 'released', actions: ['removeSeat', 'accept'] },
          { actions: ['removeSeat', 'accept'] },
        ],
        EXTEND: [
          notOwner,
          ranOut,
          { guard: 'cannotExtend', actions: refuse('EXTENSION_LIMIT') },
          // Re-entering re-arms the timer at the new deadline.
          { target: 'open', reenter: true, actions: ['extend', 'accept'] },
        ],
        CONFIRM: [notOwner, ranOut, { target: 'confirmed', actions: ['book', 'accept'] }],
        RELEASE: [notOwner, ranOut, { target: 'released', actions: 'accept' }],
      },
    },
    confirmed: {
      on: {
        ...settled('HOLD_CONFIRMED'),
        // Confirming again is a retry of a request that already succeeded: answer it the same way.
        CONFIRM: [notOwner, { actions: 'accept' }],
      },
    },
    released: {
      on: {
        ...settled('HOLD_RELEASED'),
      },
    },
    expired: {
      on: {
        ...settled('HOLD_EXPIRED'),
      },
    },
  },
});
