import { createActor, SimulatedClock } from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatEvent, SeatReply } from '../../machines/seatTypes';

export const TTL = 60_000;

/** A seat event whose `now` may be left out (it defaults to the clock's). */
type EventInput = SeatEvent extends infer E
  ? E extends SeatEvent
    ? Omit<E, 'now'> & { now?: number }
    : never
  : never;

/**
 * A started seat actor on a simulated clock, with the replies it emitted.
 *
 * @example
 * ```ts
 * const seat = seatActor();
 * seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1', now: seat.clock.now() });
 * ```
 */
export function seatActor() {
  const clock = new SimulatedClock();
  const actor = createActor(seatMachine, { input: { ttlMs: TTL }, clock });
  const replies: SeatReply[] = [];
  actor.on('*', (emitted) => emitted.type !== 'seat.moved' && replies.push(emitted));
  actor.start();
  return {
    clock,
    actor,
    replies,
    /** Sends `event` (stamped with the clock's now) and returns the reply it produced. */
    send(event: EventInput): SeatReply | undefined {
      const before = replies.length;
      actor.send({ now: clock.now(), ...event } as SeatEvent);
      return replies.length > before ? replies[replies.length - 1] : undefined;
    },
    get state() {
      return actor.getSnapshot().value;
    },
    get context() {
      return actor.getSnapshot().context;
    },
  };
}
