/**
 * The time source of the service. It is xstate's `Clock` (which schedules the seats' delayed
 * transitions) plus `now()`, so tests can hand the whole app xstate's `SimulatedClock` and move
 * time by hand.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  /**
   * This clock's time in ms as an SQL expression, when the clock is the database's own (the
   * PostgreSQL store's `DatabaseClock`): a write can then be checked, as it runs, against the time
   * its step was decided for (see `SeatStep.liveUntil`). Absent for every other clock.
   */
  readonly sqlNow?: string;
}

/** The host primitives a wall clock is built on (injectable so the early-timer guard is testable). */
export interface TimerHost {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const nodeHost: TimerHost = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/**
 * A wall clock whose timers never fire before `now()` has reached their deadline. Node's timers
 * run on libuv's monotonic clock, which is rounded differently from `Date.now()`, so a timer can
 * fire up to a millisecond "early" by the wall clock: a lock would then expire before the
 * `expiresAt` its holder was given. A timer that wakes early is re-armed for the remainder.
 *
 * @example
 * ```ts
 * const clock = createWallClock();
 * clock.setTimeout(() => console.log(clock.now() >= deadline), deadline - clock.now());
 * ```
 */
export function createWallClock(host: TimerHost = nodeHost): Clock {
  return {
    now: () => host.now(),
    setTimeout: (fn, timeout) => {
      const due = host.now() + timeout;
      const handle = { id: undefined as unknown };
      const arm = (ms: number) => {
        handle.id = host.setTimeout(() => {
          const left = due - host.now();
          if (left > 0) arm(left);
          else fn();
        }, ms);
      };
      arm(timeout);
      return handle;
    },
    clearTimeout: (handle) => host.clearTimeout((handle as { id?: unknown } | undefined)?.id),
  };
}

/** Wall-clock time. Timers are unref'd: a pending lock expiry never keeps the process alive. */
export const systemClock: Clock = createWallClock();
