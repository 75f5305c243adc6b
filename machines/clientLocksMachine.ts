import { emit } from 'xstate';
import { userLocksMachine, type UserLocksReply } from './userLocksMachine';

/**
 * The per-client lock cap (`MAX_LOCKS_PER_CLIENT`): `userLocksMachine` counting the locks taken
 * from one client address, across every guest session it opened, instead of one user's. Same
 * states, guards and events (the seats an address holds, `open` under the cap, `full` at it, a
 * retried lock on a seat it holds always accepted); only its refusal is its own,
 * `TOO_MANY_CLIENT_LOCKS`, so a host never has to translate one cap's answer into another's.
 * Without it, one client inventing users (or opening guest sessions) could lock a whole venue.
 *
 * @example
 * ```ts
 * const address = createActor(clientLocksMachine, { input: { max: 1 } }).start();
 * address.on('*', (reply) => console.log(reply.type, reply.type === 'user.refused' && reply.code));
 * address.send({ type: 'LOCK_TAKEN', seatId: 'A1' });
 * address.send({ type: 'REQUEST_LOCK', seatId: 'A2' }); // user.refused TOO_MANY_CLIENT_LOCKS
 * ```
 */
export const clientLocksMachine = userLocksMachine.provide({
  actions: {
    refuse: emit(({ context }) => ({
      type: 'user.refused' as const,
      code: 'TOO_MANY_CLIENT_LOCKS' as const,
      held: context.held.length,
      max: context.max,
    })),
  },
});

export type ClientLocksReply = UserLocksReply;
