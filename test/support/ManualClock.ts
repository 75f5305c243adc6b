import type { Clock } from '../../src/clock';

/**
 * A clock moved by hand whose timers fire only when told, so a test can put a request at the very
 * instant a lock expires both before and after the expiry timer runs (xstate's SimulatedClock
 * fires due timers as soon as time moves).
 */
export class ManualClock implements Clock {
  private time = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { due: this.time + timeout, fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }

  /** Moves time to `ms` without running any timer. */
  travel(ms: number): void {
    this.time = ms;
  }

  /** Runs every timer due by now, earliest first. */
  fireDue(): void {
    const due = [...this.timers].filter(([, t]) => t.due <= this.time);
    due.sort(([, a], [, b]) => a.due - b.due);
    for (const [id, timer] of due) {
      if (!this.timers.delete(id)) continue; // cancelled by an earlier one
      timer.fn();
    }
  }
}
