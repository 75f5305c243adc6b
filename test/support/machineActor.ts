import {
  createActor,
  SimulatedClock,
  type AnyStateMachine,
  type ContextFrom,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type Snapshot,
} from 'xstate';

/** An event of `T` whose `now` may be left out (it defaults to the clock's). */
type WithOptionalNow<E> = E extends { now: number } ? Omit<E, 'now'> & { now?: number } : E;

/**
 * A started actor of one of our machines on a simulated clock, with the replies it emitted: how
 * the machine tests drive a seat or an event. `snapshot` restores a persisted one instead;
 * `isReply` keeps only the emitted events that answer a request (not the facts a machine also
 * emits, such as `seat.moved`).
 *
 * @example
 * ```ts
 * const seat = machineActor(seatMachine, { ttlMs: 60_000 });
 * seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1' }); // { type: 'seat.accepted' }
 * ```
 */
export function machineActor<T extends AnyStateMachine>(
  machine: T,
  input: InputFrom<T>,
  {
    snapshot,
    clock = new SimulatedClock(),
    isReply = () => true,
  }: {
    snapshot?: Snapshot<unknown>;
    clock?: SimulatedClock;
    isReply?: (emitted: EmittedFrom<T>) => boolean;
  } = {},
) {
  const actor = createActor(machine, { input, snapshot, clock });
  const replies: EmittedFrom<T>[] = [];
  actor.on('*', (emitted: EmittedFrom<T>) => isReply(emitted) && replies.push(emitted));
  actor.start();
  return {
    clock,
    actor,
    replies,
    /** Sends `event` (stamped with the clock's now) and returns the reply it produced. */
    send(event: WithOptionalNow<EventFromLogic<T>>): EmittedFrom<T> | undefined {
      const before = replies.length;
      actor.send({ now: clock.now(), ...event } as EventFromLogic<T>);
      return replies.length > before ? replies[replies.length - 1] : undefined;
    },
    get state(): string {
      return (actor.getSnapshot() as { value: string }).value;
    },
    get context(): ContextFrom<T> {
      return (actor.getSnapshot() as { context: ContextFrom<T> }).context;
    },
  };
}
