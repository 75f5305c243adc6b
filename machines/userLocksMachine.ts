import { assign, emit, setup } from 'xstate';

export interface UserLocksContext {
  /** Most locks this user may hold at once. */
  max: number;
  /** The seats this user holds a lock on right now. */
  held: string[];
}

export interface UserLocksInput {
  max: number;
}

/**
 * What a host tells a user's machine: a request for one more lock (to be answered), and the seat
 * transitions that took or ended one of this user's locks (facts, never refused).
 */
export type UserLocksEvent =
  | { type: 'REQUEST_LOCK'; seatId: string }
  | { type: 'LOCK_TAKEN'; seatId: string }
  | { type: 'LOCK_ENDED'; seatId: string };

/**
 * `TOO_MANY_LOCKS`: this user's own cap. `TOO_MANY_CLIENT_LOCKS`: the same machine counting a
 * client address's locks (`clientLocksMachine`).
 */
export type LockCapCode = 'TOO_MANY_LOCKS' | 'TOO_MANY_CLIENT_LOCKS';

export type UserLocksReply =
  | { type: 'user.accepted' }
  | { type: 'user.refused'; code: LockCapCode; held: number; max: number };

/**
 * The per-user lock cap: a user holds locks on some seats and may take another only while under
 * `max`. It is the only place that decides `TOO_MANY_LOCKS`; hosts feed it the seat transitions
 * that took or ended this user's locks and ask it with `REQUEST_LOCK`, answered by an emitted
 * reply like the seat machine's.
 *
 * A lock request for a seat the user already holds is a retry and is always accepted (the seat
 * machine answers it without a new lock). Pure and timer-free, so a host may keep only its
 * persisted snapshot (per user, in memory or in a database row) and step it with `transition()`.
 *
 * @example
 * ```ts
 * const user = createActor(userLocksMachine, { input: { max: 1 } }).start();
 * user.on('*', (reply) => console.log(reply.type));
 * user.send({ type: 'LOCK_TAKEN', seatId: 'A1' });
 * user.send({ type: 'REQUEST_LOCK', seatId: 'A2' }); // user.refused, TOO_MANY_LOCKS
 * ```
 */
export const userLocksMachine = setup({
  types: {
    context: {} as UserLocksContext,
    events: {} as UserLocksEvent,
    input: {} as UserLocksInput,
    emitted: {} as UserLocksReply,
  },
  guards: {
    holdsSeat: ({ context, event }) => context.held.includes(event.seatId),
    atLimit: ({ context }) => context.held.length >= context.max,
  },
  actions: {
    take: assign(({ context, event }) =>
      context.held.includes(event.seatId) ? {} : { held: [...context.held, event.seatId] },
    ),
    end: assign(({ context, event }) => ({
      held: context.held.filter((seatId) => seatId !== event.seatId),
    })),
    accept: emit({ type: 'user.accepted' } satisfies UserLocksReply),
    refuse: emit(({ context }) => ({
      type: 'user.refused' as const,
      code: 'TOO_MANY_LOCKS' as const,
      held: context.held.length,
      max: context.max,
    })),
  },
}).createMachine({
  id: 'userLocks',
  context: ({ input }) => ({ max: input.max, held: [] }),
  initial: 'check',
  // Transitions of the seats are facts: they are recorded in every state, even past the cap (a
  // lock taken on another instance still counts).
  on: {
    LOCK_TAKEN: { actions: 'take', target: '.check' },
    LOCK_ENDED: { actions: 'end', target: '.check' },
  },
  states: {
    /** Decides which of the two states below the user is in. */
    check: {
      always: [{ guard: 'atLimit', target: 'full' }, { target: 'open' }],
    },
    /** Under the cap: any lock request may go ahead. */
    open: {
      on: { REQUEST_LOCK: { actions: 'accept' } },
    },
    /** At the cap: only a retry on a seat already held goes ahead. */
    full: {
      on: {
        REQUEST_LOCK: [{ guard: 'holdsSeat', actions: 'accept' }, { actions: 'refuse' }],
      },
    },
  },
});
