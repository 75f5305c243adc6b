/**
 * The time source of the service. It is xstate's `Clock` (which schedules the seats' delayed
 * transitions) plus `now()`, so tests can hand the whole app xstate's `SimulatedClock` and move
 * time by hand.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Wall-clock time. Timers are unref'd: a pending lock expiry never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, timeout) => setTimeout(fn, timeout).unref(),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};
