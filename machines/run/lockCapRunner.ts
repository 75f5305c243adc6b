import { initialTransition, type SnapshotFrom } from 'xstate';
import type { userLocksMachine, UserLocksEvent, UserLocksReply } from '../userLocksMachine';
import { emitted, pureStepper } from './pureStepper';

/** `userLocksMachine`, or one made from it with `.provide` (`clientLocksMachine`). */
type LockCapMachine = typeof userLocksMachine;

export type LockCapSnapshot = SnapshotFrom<LockCapMachine>;

export interface LockCapRunner {
  /**
   * Sends `event` to a cap's machine held as a snapshot (a pure step, no actor): the next
   * snapshot and the reply it emitted (`undefined` for the facts `LOCK_TAKEN`/`LOCK_ENDED`).
   */
  step(
    snapshot: LockCapSnapshot,
    event: UserLocksEvent,
  ): [LockCapSnapshot, UserLocksReply | undefined];
  /** The machine before it has heard of any lock: `max` locks allowed, none held. */
  start(max: number): LockCapSnapshot;
}

/**
 * Pure stepping for a lock-cap machine, the way every quota host runs one (per user, per client
 * address): one inert scope for every key (the machine's own input never reaches the snapshots
 * stepped), and the initial snapshot computed once per `max` (a hot on-sale is thousands of new
 * keys a second, and a snapshot is an immutable value that `transition` never changes).
 *
 * @example
 * ```ts
 * const caps = lockCapRunner(clientLocksMachine);
 * const [next, reply] = caps.step(caps.start(3), { type: 'REQUEST_LOCK', seatId: 'A1' });
 * reply; // { type: 'user.accepted' }
 * ```
 */
export function lockCapRunner(machine: LockCapMachine): LockCapRunner {
  const step = pureStepper(machine, { max: 0 });
  const starts = new Map<number, LockCapSnapshot>();
  return {
    step(snapshot, event) {
      const [next, actions] = step(snapshot, event);
      return [next, emitted<UserLocksReply>(actions)];
    },
    start(max) {
      let start = starts.get(max);
      if (!start) starts.set(max, (start = initialTransition(machine, { max })[0]));
      return start;
    },
  };
}
