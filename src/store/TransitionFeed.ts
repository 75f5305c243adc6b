import type { SeatSummary, SeatTransition } from './SeatStore';

/**
 * A store's subscribers: `subscribe` from the {@link SeatStore} interface, and `publish` for the
 * store to call on every transition it makes or hears of.
 *
 * @example
 * ```ts
 * const feed = new TransitionFeed();
 * const off = feed.subscribe((t) => console.log(t.id, t.from, '→', t.to));
 * feed.publish({ id: 'A1', from: 'available', to: 'locked', at: Date.now() });
 * off();
 * ```
 */
export class TransitionFeed {
  private readonly listeners = new Set<(transition: SeatTransition) => void>();

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(transition: SeatTransition): void {
    for (const listener of this.listeners) listener(transition);
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * The summary of a venue of `total` seats from its locked and booked counts: every other seat is
 * available.
 *
 * @example
 * ```ts
 * seatSummary(100, 3, 2); // { total: 100, available: 95, locked: 3, booked: 2 }
 * ```
 */
export function seatSummary(total: number, locked: number, booked: number): SeatSummary {
  return { total, available: total - locked - booked, locked, booked };
}
