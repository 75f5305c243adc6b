import { seatMachine } from '../../machines/seatMachine';
import { machineActor } from './machineActor';

export const TTL = 60_000;

/**
 * A started seat actor on a simulated clock, with the replies it emitted.
 *
 * @example
 * ```ts
 * const seat = seatActor();
 * seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1' });
 * ```
 */
export function seatActor() {
  return machineActor(
    seatMachine,
    { ttlMs: TTL },
    {
      isReply: (emitted) => emitted.type !== 'seat.moved',
    },
  );
}
